//! `ws-fanout`: `connections` sockets of one user; each round creates one task
//! (`POST /api/tasks`), whose `task.created` event every socket must receive.
//! Latency = socket receipt − request sent, per (socket, round); clocks are one
//! process's monotonic clock.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::{open_many, ws_url};
use crate::api::Api;
use crate::stats;

#[derive(clap::Args)]
pub struct FanoutArgs {
    /// API base URL.
    #[arg(long)]
    base: String,
    /// Sockets of the one user.
    #[arg(long, default_value_t = 1000)]
    connections: usize,
    /// Measured rounds (one event each), after one warm-up round.
    #[arg(long, default_value_t = 50)]
    rounds: u32,
    /// Handshakes in flight.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Pause between rounds, in milliseconds.
    #[arg(long, default_value_t = 200)]
    pause_ms: u64,
    /// How long a round waits for every socket.
    #[arg(long, default_value_t = 10)]
    timeout_secs: u64,
    /// Makes the e-mail address unique per run.
    #[arg(long, default_value = "bench")]
    run_id: String,
}

/// (socket, round, received at)
type Receipt = (usize, u32, Instant);

/// The round of a `task.created` event titled `fanout <round>`.
fn round_of(text: &str) -> Option<u32> {
    let event: Value = serde_json::from_str(text).ok()?;
    if event["type"] != "task.created" {
        return None;
    }
    event["data"]["title"]
        .as_str()?
        .strip_prefix("fanout ")?
        .parse()
        .ok()
}

/// Waits for the receipts of `round` until every socket has one or the timeout;
/// other rounds' receipts go to `late`. Answers this round's receipt times.
async fn collect(
    rx: &mut mpsc::UnboundedReceiver<Receipt>,
    round: u32,
    expected: usize,
    timeout: Duration,
    late: &mut Vec<Receipt>,
) -> HashMap<usize, Vec<Instant>> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut got: HashMap<usize, Vec<Instant>> = HashMap::new();
    while got.len() < expected {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some((socket, r, at))) if r == round => got.entry(socket).or_default().push(at),
            Ok(Some(other)) => late.push(other),
            Ok(None) | Err(_) => break,
        }
    }
    got
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs the rounds; prints a Markdown table.
pub async fn fanout(args: FanoutArgs) -> anyhow::Result<()> {
    let api = Api::new(&args.base)?;
    let token = api
        .register(&format!("ws-fanout-{}@bench.example.com", args.run_id))
        .await?;
    let urls = [ws_url(&args.base, &token)];
    let (sockets, errors) = open_many(&urls, args.connections, args.concurrency).await;
    anyhow::ensure!(
        errors.is_empty(),
        "{} sockets failed: {:?}",
        errors.len(),
        errors.first()
    );
    let (tx, mut rx) = mpsc::unbounded_channel::<Receipt>();
    for (i, mut socket) in sockets.into_iter().enumerate() {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                let at = Instant::now();
                if let Message::Text(text) = message
                    && let Some(round) = round_of(text.as_str())
                {
                    let _ = tx.send((i, round, at));
                }
            }
        });
    }
    drop(tx);
    let timeout = Duration::from_secs(args.timeout_secs);
    let mut late = Vec::new();
    // Warm-up (round 0): the server subscribes a socket just after its handshake.
    let mut warm = 0;
    for _ in 0..5 {
        api.create_task(&token, &json!({ "title": "fanout 0" }))
            .await?;
        warm = collect(&mut rx, 0, args.connections, timeout, &mut late)
            .await
            .len();
        if warm == args.connections {
            break;
        }
    }
    late.clear();
    let (mut latency, mut request, mut spread) = (Vec::new(), Vec::new(), Vec::new());
    let mut duplicates = 0;
    for round in 1..=args.rounds {
        let sent = Instant::now();
        api.create_task(&token, &json!({ "title": format!("fanout {round}") }))
            .await?;
        request.push(ms(sent.elapsed()));
        let got = collect(&mut rx, round, args.connections, timeout, &mut late).await;
        let firsts: Vec<Instant> = got.values().filter_map(|v| v.first().copied()).collect();
        duplicates += got.values().map(|v| v.len() - 1).sum::<usize>();
        latency.extend(firsts.iter().map(|at| ms(*at - sent)));
        if let (Some(first), Some(last)) = (firsts.iter().min(), firsts.iter().max()) {
            spread.push(ms(*last - *first));
        }
        tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
    }
    // Stragglers of the last rounds.
    while let Ok(Some(receipt)) = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await {
        late.push(receipt);
    }
    let late = late.iter().filter(|(_, round, _)| *round >= 1).count();
    let received = latency.len();
    let expected = args.connections * usize::try_from(args.rounds)?;
    let (l50, l99, lmax) = stats::summary(&mut latency);
    let (r50, r99, rmax) = stats::summary(&mut request);
    let (s50, s99, smax) = stats::summary(&mut spread);
    println!(
        "| {} sockets of one user, {} rounds | p50 | p99 | max |",
        args.connections, args.rounds
    );
    println!("|---|---|---|---|");
    println!(
        "| **event latency: request sent → socket received** | **{l50:.1} ms** | **{l99:.1} ms** | **{lmax:.1} ms** |"
    );
    println!(
        "| request sent → HTTP response (`POST /api/tasks`) | {r50:.1} ms | {r99:.1} ms | {rmax:.1} ms |"
    );
    println!(
        "| spread in a round: first → last socket | {s50:.1} ms | {s99:.1} ms | {smax:.1} ms |"
    );
    println!();
    println!("| deliveries | count |");
    println!("|---|---|");
    println!(
        "| expected ({} × {}) | {expected} |",
        args.connections, args.rounds
    );
    println!(
        "| received in time (≤ {} s) | {received} |",
        args.timeout_secs
    );
    println!("| received late (after the round's timeout) | {} |", late);
    println!(
        "| **missing** | **{}** |",
        expected.saturating_sub(received + late)
    );
    println!("| duplicates | {duplicates} |");
    println!("| sockets that got the warm-up event | {warm} |");
    Ok(())
}
