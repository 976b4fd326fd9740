//! Linking an external identity (e.g. a Google account) to a user.

use maigie_store::audit::{self, AuditEntry};
use maigie_store::{oauth, users};
use serde_json::json;
use uuid::Uuid;

use crate::Services;
use crate::error::ServiceResult;

/// Links `provider`'s identity `subject` (proving `email`) to the user, in one
/// transaction with what linking implies: the address is now proven, so an account
/// registered with it before (by anyone) loses its password and sessions unless the
/// address had already been verified. Audited as `auth.oauth_linked`.
pub async fn link_identity(
    svc: &Services,
    user_id: Uuid,
    provider: &str,
    subject: &str,
    email: &str,
) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    let password_cleared = users::verify_email_by_provider(work.conn(), user_id).await?;
    if password_cleared {
        // Whoever registered the address first keeps nothing: no session, no MCP
        // token, no calendar feed.
        work.end_sessions(user_id).await?;
    }
    oauth::link(work.conn(), user_id, provider, subject, email).await?;
    let entry = AuditEntry {
        actor_id: Some(user_id),
        subject_id: Some(user_id),
        action: "auth.oauth_linked",
        details: json!({ "provider": provider, "password_cleared": password_cleared }),
        request_id: None,
    };
    audit::record(work.conn(), entry).await?;
    work.commit(svc).await
}
