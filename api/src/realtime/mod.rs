//! Real time: the `/ws` endpoint, the in-process hub of connected users, and the
//! Redis subscription that feeds it events published by any process.

mod fanout;
mod hub;
mod ws;

pub use fanout::run_fanout;
pub use hub::{Closed, Hub, LiveEvent, Subscription};
pub use ws::{CLOSE_CODES, CloseCode, REPLAY_LIMIT, Resync, router};
