//! `reminders`: registers users, then creates `count` tasks with `reminder_minutes: 0`,
//! due uniformly over `[T0, T0 + window)` where `T0` = (end of registration) + margin,
//! from `concurrency` parallel requests. Prints one JSON object: when creation
//! started and ended, the window, failures and request latency.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::future::join_all;
use serde_json::json;
use tokio::sync::Mutex;

use crate::api::{self, Api};
use crate::stats;

#[derive(clap::Args)]
pub struct Args {
    /// API base URL.
    #[arg(long)]
    base: String,
    /// Reminders to create.
    #[arg(long, default_value_t = 10_000)]
    count: usize,
    /// Users the reminders are spread over (round robin).
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Seconds from the end of registration to the first due time.
    #[arg(long, default_value_t = 300)]
    margin_secs: u64,
    /// Seconds over which due times are spread.
    #[arg(long, default_value_t = 300)]
    window_secs: u64,
    /// Makes e-mail addresses unique per run.
    #[arg(long, default_value = "bench")]
    run_id: String,
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn rfc3339_ms(ms: i64) -> anyhow::Result<String> {
    let at = DateTime::<Utc>::from_timestamp_millis(ms)
        .ok_or_else(|| anyhow::anyhow!("timestamp {ms} out of range"))?;
    Ok(at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// Runs the creation and prints the JSON summary on stdout.
pub async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.count > 0 && args.users > 0,
        "count and users must be > 0"
    );
    let api = Api::new(&args.base)?;
    let prefix = format!("reminders-{}", args.run_id);
    let tokens = Arc::new(api::register_many(&api, &prefix, args.users).await?);
    let window_ms = i64::try_from(args.window_secs * 1000)?;
    let count = i64::try_from(args.count)?;
    let first_due = now_ms() + i64::try_from(args.margin_secs * 1000)?;
    let started = now_ms();
    let clock = Instant::now();
    let next = AtomicUsize::new(0);
    let latencies = Mutex::new(Vec::with_capacity(args.count));
    let failures = AtomicUsize::new(0);
    let last_error = Mutex::new(String::new());
    let worker = || async {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= args.count {
                return Ok::<(), anyhow::Error>(());
            }
            let due = first_due + i64::try_from(i)? * window_ms / count;
            let body = json!({
                "title": format!("Bench reminder {i}"),
                "due_at": rfc3339_ms(due)?,
                "reminder_minutes": 0,
            });
            let sent = Instant::now();
            match api.create_task(&tokens[i % tokens.len()], &body).await {
                Ok(_) => latencies
                    .lock()
                    .await
                    .push(sent.elapsed().as_secs_f64() * 1000.0),
                Err(err) => {
                    failures.fetch_add(1, Ordering::Relaxed);
                    *last_error.lock().await = err.to_string();
                }
            }
        }
    };
    join_all((0..args.concurrency.max(1)).map(|_| worker()))
        .await
        .into_iter()
        .collect::<anyhow::Result<()>>()?;
    let took = clock.elapsed();
    let finished = now_ms();
    let mut latencies = latencies.into_inner();
    let (p50, p99, max) = stats::summary(&mut latencies);
    let summary = json!({
        "created": latencies.len(),
        "failed": failures.into_inner(),
        "last_error": last_error.into_inner(),
        "creation_started_ms": started,
        "creation_finished_ms": finished,
        "creation_secs": took.as_secs_f64(),
        "creations_per_sec": latencies.len() as f64 / took.max(Duration::from_millis(1)).as_secs_f64(),
        "first_due_ms": first_due,
        "last_due_ms": first_due + (count - 1) * window_ms / count,
        "headroom_secs": (first_due - finished) as f64 / 1000.0,
        "create_p50_ms": p50, "create_p99_ms": p99, "create_max_ms": max,
    });
    println!("{summary}");
    Ok(())
}
