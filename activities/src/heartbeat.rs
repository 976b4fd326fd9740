//! Heartbeats for long activities.

use std::time::Duration;

use temporalio_sdk::activities::ActivityContext;

/// How often a running activity beats.
const EVERY: Duration = Duration::from_secs(2);

/// Runs `work`, beating every two seconds until it ends, so a worker that dies midway
/// is noticed within the activity's heartbeat timeout instead of its whole timeout.
pub(crate) async fn beating<T>(ctx: ActivityContext, work: impl Future<Output = T>) -> T {
    let beats = tokio::spawn(async move {
        loop {
            let _ = ctx.record_heartbeat(()).await;
            tokio::time::sleep(EVERY).await;
        }
    });
    let out = work.await;
    beats.abort();
    out
}
