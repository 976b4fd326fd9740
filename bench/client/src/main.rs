//! Load clients for the benchmarks in `bench/` (run by the scripts there, which start the
//! server and the services first).
//!
//! - `reminders`: registers users and creates task reminders concurrently, with due
//!   times spread over a window that starts after a margin; prints a JSON summary.
//! - `ws-idle`: server RSS before and after opening many idle WebSockets.
//! - `ws-fanout`: latency of one event fanned out to many sockets of one user.
//! - `agent-chat`: chat messages answered by the assistant, streamed (SSE) to the end.
//! - `agent-schedule`: schedule drafts generated for one user's week, polled until ready.
//! - `passwords`: a burst of concurrent logins: server RSS idle, at peak and after,
//!   login latency, and how many were refused as `password_hashing_busy`.
//! - `voice`: voice messages posted to conversations, timed from the upload to the
//!   spoken answer (`voice.audio` on the user's WebSocket).

mod agent;
mod api;
mod passwords;
mod reminders;
mod rss;
mod stats;
mod voice;
mod ws;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "maigie-bench",
    about = "Load clients for the Maigie benchmarks"
)]
enum Command {
    /// Create task reminders due over a window (bench/reminders).
    Reminders(reminders::Args),
    /// Memory per idle WebSocket connection (bench/ws).
    WsIdle(ws::IdleArgs),
    /// Fan-out latency of one event to many sockets of one user (bench/ws).
    WsFanout(ws::FanoutArgs),
    /// Chat messages answered by the assistant, timed to the end of the stream (bench/agent).
    AgentChat(agent::ChatArgs),
    /// Schedule drafts for one user's week, timed until ready (bench/agent).
    AgentSchedule(agent::ScheduleArgs),
    /// A burst of concurrent logins: memory and the hashing cap (bench/passwords).
    Passwords(passwords::Args),
    /// Voice messages end to end, upload → spoken answer (bench/voice).
    Voice(voice::Args),
}

fn main() -> anyhow::Result<()> {
    let command = Command::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match command {
            Command::Reminders(args) => reminders::run(args).await,
            Command::WsIdle(args) => ws::idle(args).await,
            Command::WsFanout(args) => ws::fanout(args).await,
            Command::AgentChat(args) => agent::chat(args).await,
            Command::AgentSchedule(args) => agent::schedule(args).await,
            Command::Passwords(args) => passwords::run(args).await,
            Command::Voice(args) => voice::run(args).await,
        }
    })
}
