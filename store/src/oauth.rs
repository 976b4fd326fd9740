//! Links between users and external identity providers.

use sqlx::PgExecutor;
use uuid::Uuid;

use crate::StoreError;

/// The user linked to `(provider, subject)`, if any.
pub async fn find_user(
    db: impl PgExecutor<'_>,
    provider: &str,
    subject: &str,
) -> Result<Option<Uuid>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT user_id FROM oauth_identities WHERE provider = $1 AND provider_subject = $2",
    )
    .bind(provider)
    .bind(subject)
    .fetch_optional(db)
    .await?)
}

pub async fn link(
    db: impl PgExecutor<'_>,
    user_id: Uuid,
    provider: &str,
    subject: &str,
    email: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO oauth_identities (user_id, provider, provider_subject, email)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(provider)
    .bind(subject)
    .bind(email)
    .execute(db)
    .await?;
    Ok(())
}
