//! WebSocket benchmarks: memory per idle connection (`ws-idle`) and the helpers both
//! WebSocket benchmarks share. Fan-out latency is in [`fanout`].

mod fanout;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::api::{self, Api};
use crate::rss::{mib, rss_kib, settled_rss_kib};

pub use fanout::{FanoutArgs, fanout};

/// A client WebSocket.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// `ws://…/ws?access_token=…` for the API at `base` (live events only).
fn ws_url(base: &str, token: &str) -> String {
    let ws_base = base.trim_end_matches('/').replacen("http", "ws", 1);
    format!("{ws_base}/ws?access_token={token}")
}

/// Opens `n` sockets (socket `i` with `urls[i % urls.len()]`), `concurrency`
/// handshakes at a time. Answers the sockets and the errors of those that failed.
async fn open_many(urls: &[String], n: usize, concurrency: usize) -> (Vec<Socket>, Vec<String>) {
    let results: Vec<_> = stream::iter(0..n)
        .map(|i| connect_async(urls[i % urls.len()].clone()))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut sockets = Vec::with_capacity(n);
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok((socket, _)) => sockets.push(socket),
            Err(err) => errors.push(err.to_string()),
        }
    }
    (sockets, errors)
}

#[derive(clap::Args)]
pub struct IdleArgs {
    /// API base URL.
    #[arg(long)]
    base: String,
    /// The server process whose memory is measured.
    #[arg(long)]
    server_pid: u32,
    /// Idle connections to open.
    #[arg(long, default_value_t = 10_000)]
    connections: usize,
    /// Users the connections belong to (round robin).
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// Handshakes in flight.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds to keep the connections open after RSS settled (cover a server ping).
    #[arg(long, default_value_t = 30)]
    hold_secs: u64,
    /// Makes e-mail addresses unique per run.
    #[arg(long, default_value = "bench")]
    run_id: String,
}

/// Measures server RSS before and after opening idle sockets; prints a Markdown table.
pub async fn idle(args: IdleArgs) -> anyhow::Result<()> {
    let api = Api::new(&args.base)?;
    let at_start = rss_kib(args.server_pid)?;
    let prefix = format!("ws-idle-{}", args.run_id);
    let tokens = api::register_many(&api, &prefix, args.users.max(1)).await?;
    let urls: Vec<String> = tokens.iter().map(|t| ws_url(&args.base, t)).collect();
    let before = settled_rss_kib(args.server_pid).await?;
    let clock = Instant::now();
    let (sockets, errors) = open_many(&urls, args.connections, args.concurrency).await;
    let connect_secs = clock.elapsed().as_secs_f64();
    let opened = sockets.len();
    // Each socket is read (so pings are answered) until the server closes it.
    let open = Arc::new(AtomicUsize::new(opened));
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            let open = Arc::clone(&open);
            tokio::spawn(async move {
                while let Some(Ok(_)) = socket.next().await {}
                open.fetch_sub(1, Ordering::Relaxed);
            })
        })
        .collect();
    let after = settled_rss_kib(args.server_pid).await?;
    tokio::time::sleep(Duration::from_secs(args.hold_secs)).await;
    let still_open = open.load(Ordering::Relaxed);
    let held = rss_kib(args.server_pid)?;
    for reader in &readers {
        reader.abort();
    }
    drop(readers);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let closed = settled_rss_kib(args.server_pid).await?;
    let gauge = api.metric("maigie_websocket_connections").await?;
    let per_conn = after.saturating_sub(before) as f64 / opened.max(1) as f64;
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| connections opened / failed | {opened} / {} |",
        errors.len()
    );
    println!("| users | {} |", args.users);
    println!(
        "| time to open (concurrency {}) | {connect_secs:.1} s ({:.0}/s) |",
        args.concurrency,
        opened as f64 / connect_secs.max(0.001)
    );
    println!(
        "| server RSS at start / after registering the users | {} / {} |",
        mib(at_start),
        mib(before)
    );
    println!(
        "| server RSS with the connections open (settled) | {} |",
        mib(after)
    );
    println!("| increase | {} |", mib(after.saturating_sub(before)));
    println!("| **per idle connection** | **{per_conn:.1} KiB** |");
    println!(
        "| still open after {} s more (server pings answered) | {still_open} (RSS {}) |",
        args.hold_secs,
        mib(held)
    );
    println!(
        "| server RSS after closing them all (`maigie_websocket_connections` = {gauge}) | {} |",
        mib(closed)
    );
    if let Some(err) = errors.first() {
        println!("\nfirst connection error: {err}");
    }
    Ok(())
}
