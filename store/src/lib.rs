//! Persistence for Maigie. Every SQL statement lives in this crate (runtime-checked
//! queries in one place), next to the Redis-backed event bus.
//!
//! Transactions are short and local to one function: none is held across a call to
//! Temporal, Redis or an LLM.

pub mod account_tokens;
pub mod agent;
pub mod analytics;
pub mod audit;
pub mod billing;
pub mod chat;
pub mod courses;
pub mod drafts;
pub mod error;
pub mod events;
pub mod export;
pub mod goals;
pub mod idempotency;
pub mod knowledge;
pub mod mcp;
pub mod notes;
pub mod notifications;
pub mod oauth;
pub mod outbox;
pub mod plans;
pub mod resources;
mod rows;
pub mod schedule;
pub mod session_cache;
pub mod sessions;
pub mod snapshot;
pub mod tasks;
pub mod tokens;
pub mod users;
pub mod vector_index;
pub mod voice;

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
pub use sqlx::{Error as SqlxError, PgConnection, PgPool, Postgres, Transaction};

pub use error::StoreError;
pub use events::{EventBus, EventEnvelope};

/// The embedded migrations from `migrations/` (applied by `maigie migrate` and at start).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// A pooled connection idle longer than this is checked (one round trip) before it
/// is handed out; one used more recently is not.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(5);

/// Opens a pool against `database_url`.
///
/// sqlx checks every idle connection with a round trip before handing it out (and
/// again when it comes back); a use-case acquires a connection for most statements,
/// so a busy process paid a round trip in front of nearly every statement. Only
/// connections idle for more than [`CHECK_IDLE_AFTER`] are checked now: the ones a
/// database restart or a firewall may have cut while nobody used them. The price: a
/// connection cut within the last few seconds of use fails its next statement, as a
/// statement in flight at the cut does; the caller gets "unavailable" (503), and the
/// broken connection leaves the pool.
pub async fn connect(database_url: &str, max_connections: u32) -> Result<PgPool, StoreError> {
    let options: PgConnectOptions = database_url.parse()?;
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > CHECK_IDLE_AFTER {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await?;
    Ok(pool)
}

/// Applies pending migrations; safe to run concurrently from several processes
/// (sqlx takes an advisory lock).
pub async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Makes `tx` (just begun, before any statement) read-only with one snapshot for all
/// its statements.
pub async fn read_snapshot(tx: &mut Transaction<'_, Postgres>) -> Result<(), StoreError> {
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `SELECT 1`, for readiness checks.
pub async fn ping(pool: &PgPool) -> Result<(), StoreError> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}
