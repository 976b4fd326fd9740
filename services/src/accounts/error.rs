//! The failures of the account use-cases: the [`ServiceError`]s, plus two with a
//! status of their own.

use maigie_store::StoreError;

use crate::error::ServiceError;

pub type AccountResult<T> = Result<T, AccountError>;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The caller's account no longer exists: a valid token for a deleted account is
    /// no longer a credential (401 `account_not_found`).
    #[error("the account no longer exists")]
    Gone,
    /// An account without a password confirms a sensitive change (a first password,
    /// its deletion) with a recent sign-in instead (403 `reauthentication_required`).
    #[error("sign in again to confirm this change")]
    ReauthenticationRequired,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for AccountError {
    fn from(err: StoreError) -> Self {
        Self::Service(err.into())
    }
}
