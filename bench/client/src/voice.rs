//! `voice`: voice messages end to end (issue 15). Premium users post recordings to a
//! conversation (`POST /api/chat/conversations/{id}/voice`, multipart WAV) and follow
//! the message on their WebSocket: time from the start of the upload to the `202`, to
//! `voice.transcript`, to `chat.done` and to `voice.audio` (the spoken answer, which
//! ends a message); then the answer's audio is fetched through its signed link.
//! First `messages` one at a time (one user), then `concurrent_messages` with
//! `concurrency` in flight (one per user). Memory of the server (API + worker) and of
//! the speech-to-text server, and what the machine was doing meanwhile, from `/proc`.

mod machine;
mod report;
mod socket;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::future::join_all;
use serde_json::json;

use crate::api::{self, Api};
use crate::rss::rss_kib;
use socket::{Seen, Tracker};

#[derive(clap::Args)]
pub struct Args {
    /// API base URL.
    #[arg(long)]
    base: String,
    /// Messages sent one after the other by one user.
    #[arg(long, default_value_t = 30)]
    messages: usize,
    /// Messages sent next with `concurrency` in flight (0: skip that phase).
    #[arg(long, default_value_t = 20)]
    concurrent_messages: usize,
    /// Messages in flight in the concurrent phase: as many users, one each at a time.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// WAV asking to create a task ("Create a task to call the dentist …").
    #[arg(long)]
    create: PathBuf,
    /// WAV asking about tasks ("Show me my tasks …").
    #[arg(long)]
    ask: PathBuf,
    /// WAV with another way to create a task ("remind me to call the dentist …").
    #[arg(long)]
    remind: PathBuf,
    /// The `maigie dev` process (API + worker).
    #[arg(long)]
    server_pid: u32,
    /// The speech-to-text server's process.
    #[arg(long)]
    stt_pid: u32,
    /// The server's database: the bench users are made Premium there with `psql`.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// How long one message may take to end.
    #[arg(long, default_value_t = 180)]
    timeout_secs: u64,
    /// Where to write a JSON summary (for the script's checks).
    #[arg(long)]
    summary: Option<PathBuf>,
    /// Makes e-mail addresses unique per run.
    #[arg(long, default_value = "bench")]
    run_id: String,
}

/// The recordings, cycled by message number: (name, creates a task, WAV bytes).
pub struct Clips(Vec<(&'static str, bool, Vec<u8>)>);

impl Clips {
    fn load(args: &Args) -> anyhow::Result<Self> {
        let read =
            |p: &PathBuf| std::fs::read(p).with_context(|| format!("reading {}", p.display()));
        Ok(Self(vec![
            ("create a task", true, read(&args.create)?),
            ("show my tasks", false, read(&args.ask)?),
            ("remind me to", true, read(&args.remind)?),
        ]))
    }

    /// Message `i`'s kind (index into the clips).
    fn kind(&self, i: usize) -> usize {
        i % self.0.len()
    }
}

/// One user with a conversation and a socket.
struct User {
    token: String,
    conversation: String,
    tracker: Arc<Tracker>,
}

/// One voice message as the client saw it; times in ms since the upload started.
#[derive(Debug, Default)]
pub struct Timeline {
    pub kind: usize,
    pub accepted_ms: f64,
    pub transcript_ms: Option<f64>,
    pub done_ms: Option<f64>,
    pub audio_ms: Option<f64>,
    pub seen: Seen,
    /// The spoken answer behind its link: 200 and a WAV.
    pub audio_fetched: bool,
}

fn since(sent: Instant, at: Instant) -> f64 {
    at.saturating_duration_since(sent).as_secs_f64() * 1000.0
}

/// Sends clip `kind` as `user` and waits until the message ended.
async fn send(
    api: &Api,
    user: &User,
    clips: &Clips,
    kind: usize,
    timeout: Duration,
) -> anyhow::Result<Timeline> {
    let path = format!("/api/chat/conversations/{}/voice", user.conversation);
    let sent = Instant::now();
    let (status, reply) = api
        .post_audio(&user.token, &path, &clips.0[kind].2, &[("language", "en")])
        .await?;
    let accepted_ms = since(sent, Instant::now());
    anyhow::ensure!(status.as_u16() == 202, "upload answered {status}: {reply}");
    let action = reply["action_id"]
        .as_str()
        .context("no action_id in the 202")?;
    let (ended, seen) = user.tracker.wait_end(action, timeout).await;
    let seen = seen.unwrap_or_default();
    anyhow::ensure!(
        ended,
        "not ended within {timeout:?} (transcript: {}, chat.done: {})",
        seen.transcript.is_some(),
        seen.done.is_some()
    );
    let mut timeline = Timeline {
        kind,
        accepted_ms,
        transcript_ms: seen.transcript.as_ref().map(|t| since(sent, t.0)),
        done_ms: seen.done.as_ref().map(|t| since(sent, t.0)),
        audio_ms: seen.audio.as_ref().map(|t| since(sent, t.0)),
        audio_fetched: false,
        seen,
    };
    if let Some((_, url, _)) = &timeline.seen.audio {
        let (status, bytes) = api.get_link(url).await?;
        timeline.audio_fetched = status.is_success() && bytes.starts_with(b"RIFF");
    }
    Ok(timeline)
}

/// Registers `count` users, makes them Premium, gives each a conversation and a socket.
async fn users(api: &Api, args: &Args, count: usize) -> anyhow::Result<Vec<User>> {
    let prefix = format!("voice-{}", args.run_id);
    let tokens = api::register_many(api, &prefix, count).await?;
    let sql = format!(
        "UPDATE users SET tier = 'PREMIUM_MONTHLY' WHERE email LIKE '{prefix}-%@bench.example.com'"
    );
    let out = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d"])
        .args([args.database_url.as_str(), "-c", sql.as_str()])
        .output()
        .context("running psql")?;
    anyhow::ensure!(
        out.status.success(),
        "psql: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ws_base = args.base.trim_end_matches('/').replacen("http", "ws", 1);
    let mut users = Vec::with_capacity(count);
    for token in tokens {
        api.patch_json(
            &token,
            "/api/users/me",
            &json!({"timezone": "Europe/Berlin"}),
        )
        .await?;
        let conv = api
            .post_json(&token, "/api/chat/conversations", &json!({}))
            .await?;
        let conversation = conv["id"]
            .as_str()
            .context("no conversation id")?
            .to_owned();
        let tracker = Tracker::open(&format!("{ws_base}/ws?access_token={token}")).await?;
        users.push(User {
            token,
            conversation,
            tracker,
        });
    }
    // The server subscribes a socket just after its handshake.
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(users)
}

/// Messages `0..count`, `in_flight` at a time, message `i` by user `i % users.len()`
/// (one message per user at a time).
async fn phase(
    api: &Api,
    users: &[User],
    clips: &Clips,
    count: usize,
    kinds: impl Fn(usize) -> usize,
    timeout: Duration,
) -> Vec<anyhow::Result<Timeline>> {
    let lanes = users.len().min(count);
    let lane = |l: usize| {
        let kinds = &kinds;
        async move {
            let mut out = Vec::new();
            for i in (l..count).step_by(lanes.max(1)) {
                out.push((i, send(api, &users[l], clips, kinds(i), timeout).await));
            }
            out
        }
    };
    let mut all: Vec<(usize, anyhow::Result<Timeline>)> = join_all((0..lanes).map(lane))
        .await
        .into_iter()
        .flatten()
        .collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Server and speech server RSS in KiB (0 when unreadable).
fn rss_pair(args: &Args) -> [u64; 2] {
    [
        rss_kib(args.server_pid).unwrap_or(0),
        rss_kib(args.stt_pid).unwrap_or(0),
    ]
}

/// Runs the benchmark; prints Markdown tables.
pub async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.messages + args.concurrent_messages > 0, "no messages");
    let clips = Clips::load(&args)?;
    let api = Api::new(&args.base)?;
    let timeout = Duration::from_secs(args.timeout_secs);
    let rss_start = rss_pair(&args);
    let count = args.concurrency.max(1);
    let users = users(&api, &args, count).await?;
    // Warm-up, not counted: one question per user, all at once.
    let warm = phase(&api, &users, &clips, count, |_| 1, timeout).await;
    let warm_failed = warm.iter().filter(|r| r.is_err()).count();
    anyhow::ensure!(
        warm_failed == 0,
        "warm-up failed: {:#}",
        warm.into_iter()
            .find_map(Result::err)
            .unwrap_or_else(|| anyhow::anyhow!("?"))
    );
    let rss_warm = rss_pair(&args);

    let mut phases = Vec::new();
    if args.messages > 0 {
        let usage = machine::Phase::start(args.server_pid, args.stt_pid);
        let results = phase(
            &api,
            &users[..1],
            &clips,
            args.messages,
            |i| clips.kind(i),
            timeout,
        )
        .await;
        phases.push((1, results, usage.finish()));
    }
    if args.concurrent_messages > 0 {
        let usage = machine::Phase::start(args.server_pid, args.stt_pid);
        let results = phase(
            &api,
            &users,
            &clips,
            args.concurrent_messages,
            |i| clips.kind(i),
            timeout,
        )
        .await;
        phases.push((count, results, usage.finish()));
    }
    let memory = report::Memory {
        start: rss_start,
        warm: rss_warm,
        end: rss_pair(&args),
        peak: [
            crate::rss::status_kib(args.server_pid, "VmHWM").unwrap_or(0),
            crate::rss::status_kib(args.stt_pid, "VmHWM").unwrap_or(0),
        ],
    };
    report::print(&args, &clips, &phases, &memory, count)
}
