//! `agent-chat`: chat messages answered by the offline assistant, each an `ai_action`
//! workflow (a model turn that plans one tool call, the call, a turn that answers),
//! streamed back as Server-Sent Events. Per message: time to `chat.started`, to the
//! first `chat.delta` and to `chat.done`. Schedule generation is in [`schedule`].

mod schedule;
mod sse;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use futures_util::future::join_all;
use serde_json::json;

use crate::api::{self, Api};
use crate::stats;

pub use schedule::{ScheduleArgs, schedule};

#[derive(clap::Args)]
pub struct ChatArgs {
    /// API base URL.
    #[arg(long)]
    base: String,
    /// Measured messages, spread over the users (round robin).
    #[arg(long, default_value_t = 200)]
    messages: usize,
    /// Users, each with one conversation (time zone Europe/Berlin).
    #[arg(long, default_value_t = 20)]
    users: usize,
    /// Messages in flight (at most one per conversation).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Where to write a JSON summary (for the script's checks).
    #[arg(long)]
    summary: Option<std::path::PathBuf>,
    /// Makes e-mail addresses unique per run.
    #[arg(long, default_value = "bench")]
    run_id: String,
}

/// Message `i`: kind 0 adds a task (tagged #bench), 1 and 2 list tasks.
fn message(i: usize) -> (usize, String) {
    match i % 3 {
        0 => (
            0,
            format!("Add a task to revise chapter {i} tomorrow at 5pm #bench high priority"),
        ),
        1 => (1, "what's due this week?".to_owned()),
        _ => (2, "show my tasks".to_owned()),
    }
}

const KINDS: [&str; 3] = ["add a task", "what's due this week?", "show my tasks"];

/// One user with a conversation: (token, conversation id).
async fn user(api: &Api, token: String) -> anyhow::Result<(String, String)> {
    let tz = json!({"timezone": "Europe/Berlin"});
    api.patch_json(&token, "/api/users/me", &tz).await?;
    let conv = api
        .post_json(&token, "/api/chat/conversations", &json!({}))
        .await?;
    let id = conv["id"].as_str().unwrap_or_default().to_owned();
    Ok((token, id))
}

/// Sends `text` and reads the streamed answer.
async fn say(api: &Api, token: &str, conv: &str, text: &str) -> anyhow::Result<sse::Timeline> {
    let path = format!("/api/chat/conversations/{conv}/messages");
    let sent = Instant::now();
    let response = api
        .post_request(token, &path, &json!({ "content": text }))
        .header("accept", "text/event-stream")
        .send()
        .await?;
    let status = response.status();
    if !status.is_success() {
        anyhow::bail!("{status}: {}", response.text().await.unwrap_or_default());
    }
    sse::read(response, sent).await
}

/// Sends messages `range` (`concurrency` in flight, one per conversation at a time).
async fn send_all(
    api: &Api,
    users: &[(String, String)],
    range: std::ops::Range<usize>,
    concurrency: usize,
    texts: impl Fn(usize) -> (usize, String) + Sync,
) -> Vec<(usize, anyhow::Result<sse::Timeline>)> {
    let busy: Vec<tokio::sync::Mutex<()>> = users.iter().map(|_| Default::default()).collect();
    let next = AtomicUsize::new(range.start);
    let out = Mutex::new(Vec::new());
    let worker = || async {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= range.end {
                return;
            }
            let (kind, text) = texts(i);
            let (token, conv) = &users[i % users.len()];
            let _turn = busy[i % users.len()].lock().await;
            let result = say(api, token, conv, &text).await;
            out.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((kind, result));
        }
    };
    join_all((0..concurrency.max(1)).map(|_| worker())).await;
    out.into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs the chat benchmark; prints Markdown tables.
pub async fn chat(args: ChatArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.users > 0 && args.messages > 0,
        "users and messages must be > 0"
    );
    let api = Api::new(&args.base)?;
    let tokens = api::register_many(&api, &format!("agent-{}", args.run_id), args.users).await?;
    let users = join_all(tokens.into_iter().map(|t| user(&api, t)))
        .await
        .into_iter()
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Warm-up: one question per conversation, not counted.
    let warm = send_all(&api, &users, 0..users.len(), args.concurrency, |_| {
        message(2)
    })
    .await;
    let warm_failed = warm.iter().filter(|(_, r)| r.is_err()).count();
    let clock = Instant::now();
    let results = send_all(&api, &users, 0..args.messages, args.concurrency, message).await;
    let secs = clock.elapsed().as_secs_f64();
    report(&args, &results, secs, warm.len() - warm_failed)
}

fn report(
    args: &ChatArgs,
    results: &[(usize, anyhow::Result<sse::Timeline>)],
    secs: f64,
    warmed: usize,
) -> anyhow::Result<()> {
    let ok: Vec<(usize, &sse::Timeline)> = results
        .iter()
        .filter_map(|(k, r)| r.as_ref().ok().map(|t| (*k, t)))
        .collect();
    let errors: Vec<String> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err().map(|e| format!("{e:#}")))
        .collect();
    let completed = ok
        .iter()
        .filter(|(_, t)| t.done_status.as_deref() == Some("completed"))
        .count();
    let adds = results.iter().filter(|(k, _)| *k == 0).count();
    let created_text = ok
        .iter()
        .filter(|(k, t)| *k == 0 && t.text.starts_with("Created task"))
        .count();
    let one_tool = ok.iter().filter(|(_, t)| t.tools_completed == 1).count();
    let confirmations = ok.iter().filter(|(_, t)| t.confirmation).count();
    let pick = |f: fn(&sse::Timeline) -> Option<f64>, kind: Option<usize>| -> Vec<f64> {
        ok.iter()
            .filter(|(k, _)| kind.is_none_or(|want| want == *k))
            .filter_map(|(_, t)| f(t))
            .collect()
    };
    println!(
        "| measure ({} messages, {} in flight) | p50 | p90 | p99 | max |",
        args.messages, args.concurrency
    );
    println!("|---|---|---|---|---|");
    println!(
        "{}",
        stats::row("time to `chat.started`", &mut pick(|t| t.started_ms, None))
    );
    println!(
        "{}",
        stats::row(
            "time to first `chat.delta`",
            &mut pick(|t| t.first_delta_ms, None)
        )
    );
    println!(
        "{}",
        stats::row("**time to `chat.done`**", &mut pick(|t| t.done_ms, None))
    );
    for (kind, name) in KINDS.iter().enumerate() {
        let mut done = pick(|t| t.done_ms, Some(kind));
        println!(
            "{}",
            stats::row(&format!("time to `chat.done`: {name}"), &mut done)
        );
    }
    println!();
    println!("| check | value |");
    println!("|---|---|");
    println!(
        "| messages sent / stream errors | {} / {} ({warmed} warm-up messages before, not counted) |",
        results.len(),
        errors.len()
    );
    println!(
        "| **ended with `chat.done` status completed** | **{completed}** of {} |",
        results.len()
    );
    println!("| ended asking for confirmation | {confirmations} |");
    println!("| exactly one tool call completed | {one_tool} |");
    println!("| add-task answers starting \"Created task\" | {created_text} of {adds} |");
    println!(
        "| throughput | {:.2} messages/s ({} in {secs:.1} s) |",
        results.len() as f64 / secs.max(0.001),
        results.len()
    );
    if let Some(err) = errors.first() {
        println!("\nfirst error: {err}");
    }
    if let Some(path) = &args.summary {
        let summary = json!({"sent": results.len(), "completed": completed, "adds": adds,
                             "errors": errors.len(), "warmup": warmed, "secs": secs});
        std::fs::write(path, summary.to_string())?;
    }
    Ok(())
}
