//! Small helpers shared by the store modules.

use sqlx::PgExecutor;
use sqlx::postgres::PgQueryResult;
use uuid::Uuid;

use crate::StoreError;

/// A statement that must touch a row: none touched means the row (of this user) does
/// not exist.
pub(crate) fn touched(done: &PgQueryResult) -> Result<(), StoreError> {
    if done.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Runs `sql` — a `DELETE … WHERE id = $1 AND user_id = $2` on a user-owned table — for
/// one row; another user's row, like a missing one, is [`StoreError::NotFound`].
pub(crate) async fn delete_owned(
    db: impl PgExecutor<'_>,
    sql: &'static str,
    id: Uuid,
    user_id: Uuid,
) -> Result<(), StoreError> {
    let done = sqlx::query(sql).bind(id).bind(user_id).execute(db).await?;
    touched(&done)
}
