//! `agent-schedule`: one user with pending tasks due over the next week, goals and an
//! existing schedule; `POST /api/schedule/generate` for that week, `drafts` times, each
//! polled (`GET /api/schedule/drafts/{id}`) until it is no longer `generating`.
//! Time = POST sent → the poll that saw it ready (so up to one poll interval late).

use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Span, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::api::{self, Api};
use crate::stats;

#[derive(clap::Args)]
pub struct ScheduleArgs {
    /// API base URL.
    #[arg(long)]
    base: String,
    /// Drafts generated, one after the other.
    #[arg(long, default_value_t = 20)]
    drafts: usize,
    /// Pending tasks due over the window.
    #[arg(long, default_value_t = 50)]
    tasks: usize,
    /// Active goals.
    #[arg(long, default_value_t = 10)]
    goals: usize,
    /// Existing one-hour blocks (three a day at most, 08:00, 12:00, 16:00 UTC).
    #[arg(long, default_value_t = 20)]
    blocks: usize,
    /// Poll interval, in milliseconds.
    #[arg(long, default_value_t = 50)]
    poll_ms: u64,
    /// Makes the e-mail address unique per run.
    #[arg(long, default_value = "bench")]
    run_id: String,
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The user's tasks, goals and blocks in the window `[from, from + 7 days)`; answers
/// the blocks' intervals.
async fn seed(
    api: &Api,
    token: &str,
    args: &ScheduleArgs,
    from: DateTime<Utc>,
) -> anyhow::Result<Vec<Interval>> {
    let tz = json!({"timezone": "Europe/Berlin"});
    api.patch_json(token, "/api/users/me", &tz).await?;
    let priorities = ["low", "medium", "high", "urgent"];
    let week = Span::days(7);
    for i in 0..args.tasks {
        let due = from + week * i32::try_from(i + 1)? / i32::try_from(args.tasks + 1)?;
        let body = json!({"title": format!("Plan task {i}"), "priority": priorities[i % 4],
                          "tags": ["plan"], "due_at": rfc3339(due)});
        api.post_json(token, "/api/tasks", &body).await?;
    }
    for i in 0..args.goals {
        let body = json!({"title": format!("Plan goal {i}"), "status": "IN_PROGRESS",
                          "priority": priorities[i % 4]});
        api.post_json(token, "/api/goals", &body).await?;
    }
    let mut busy = Vec::new();
    for i in 0..args.blocks {
        let day = i64::try_from(i / 3)?;
        let start = from + Span::days(day % 7) + Span::hours(8 + 4 * i64::try_from(i % 3)?);
        let body = json!({"title": format!("Lecture {i}"), "start_at": rfc3339(start),
                          "end_at": rfc3339(start + Span::hours(1))});
        api.post_json(token, "/api/schedule", &body).await?;
        busy.push((start, start + Span::hours(1)));
    }
    Ok(busy)
}

/// One draft: (ms from POST to not generating, POST response ms, the draft).
async fn draft(
    api: &Api,
    token: &str,
    window: &Value,
    poll: Duration,
) -> anyhow::Result<(f64, f64, Value)> {
    let sent = Instant::now();
    let accepted = api
        .post_json(token, "/api/schedule/generate", window)
        .await?;
    let post_ms = sent.elapsed().as_secs_f64() * 1000.0;
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();
    let mut draft = accepted;
    while draft["status"] == "generating" {
        anyhow::ensure!(
            sent.elapsed() < Duration::from_secs(120),
            "draft {id} still generating after 120 s"
        );
        tokio::time::sleep(poll).await;
        draft = api
            .get_json(token, &format!("/api/schedule/drafts/{id}"))
            .await?;
    }
    Ok((sent.elapsed().as_secs_f64() * 1000.0, post_ms, draft))
}

type Interval = (DateTime<Utc>, DateTime<Utc>);

/// Planned blocks (`add`) that overlap one of `busy`.
fn overlapping(add: &Value, busy: &[Interval]) -> usize {
    let at = |v: &Value| v.as_str().and_then(|s| s.parse::<DateTime<Utc>>().ok());
    add.as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| Some((at(&b["start"])?, at(&b["end"])?)))
        .filter(|(s, e)| busy.iter().any(|(bs, be)| s < be && bs < e))
        .count()
}

fn count(v: &Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

/// Runs the schedule-generation benchmark; prints Markdown tables.
pub async fn schedule(args: ScheduleArgs) -> anyhow::Result<()> {
    let api = Api::new(&args.base)?;
    let tokens = api::register_many(&api, &format!("agent-plan-{}", args.run_id), 1).await?;
    let token = &tokens[0];
    let from = (Utc::now() + Span::days(1))
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let busy = seed(&api, token, &args, from).await?;
    let window = json!({"from": rfc3339(from), "to": rfc3339(from + Span::days(7))});
    let poll = Duration::from_millis(args.poll_ms);
    let (mut ready, mut posts, mut drafts) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..args.drafts {
        let (ms, post_ms, d) = draft(&api, token, &window, poll).await?;
        ready.push(ms);
        posts.push(post_ms);
        drafts.push(d);
    }
    let first = drafts.first().cloned().unwrap_or(Value::Null);
    let ready_count = drafts.iter().filter(|d| d["status"] == "ready").count();
    let same = drafts.iter().filter(|d| d["add"] == first["add"]).count();
    println!(
        "| measure ({} drafts, one after the other, polled every {} ms) | p50 | p90 | p99 | max |",
        args.drafts, args.poll_ms
    );
    println!("|---|---|---|---|---|");
    println!(
        "{}",
        stats::row("**POST /api/schedule/generate → draft ready**", &mut ready)
    );
    println!(
        "{}",
        stats::row("POST /api/schedule/generate response (202)", &mut posts)
    );
    println!();
    println!("| check | value |");
    println!("|---|---|");
    println!(
        "| input | {} pending tasks due over the 7 days, {} goals in progress, {} existing blocks; window {} → +7 days |",
        args.tasks,
        args.goals,
        args.blocks,
        rfc3339(from)
    );
    println!("| drafts ready | {ready_count} of {} |", drafts.len());
    println!(
        "| blocks placed / items unplaced / minutes planned | {} / {} / {} |",
        count(&first["add"]),
        count(&first["unplaced"]),
        first["total_minutes"]
    );
    println!(
        "| **same `add` array as the first draft** | **{same} of {}** |",
        drafts.len()
    );
    println!(
        "| planned blocks over an existing block (first draft) | {} |",
        overlapping(&first["add"], &busy)
    );
    println!(
        "| explanation (first draft) | {} characters |",
        first["explanation"].as_str().map_or(0, str::len)
    );
    Ok(())
}
