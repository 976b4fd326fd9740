//! The failures of the billing use-cases: the [`ServiceError`]s, plus the few that
//! have a status of their own (a payment provider that is not configured or not
//! reachable, an account gone since its token was issued, a caller who is no admin).

use maigie_store::StoreError;

use crate::error::ServiceError;

pub type BillingResult<T> = Result<T, BillingError>;

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    /// Payments are not configured on this server (503 `billing_unavailable`).
    #[error("payments are not configured")]
    NotConfigured,
    /// The payment provider failed or could not be reached (502
    /// `billing_provider_error`); the message is logged, never shown.
    #[error("payment provider: {0}")]
    Provider(String),
    /// The caller's account no longer exists (401 `account_not_found`).
    #[error("the account no longer exists")]
    AccountGone,
    /// The caller is not an administrator (403 `admin_only`).
    #[error("this needs an administrator")]
    AdminOnly,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for BillingError {
    fn from(err: StoreError) -> Self {
        Self::Service(err.into())
    }
}

impl BillingError {
    pub(crate) fn conflict(code: &'static str, message: &str) -> Self {
        Self::Service(ServiceError::conflict(code, message))
    }

    pub(crate) fn invalid_field(field: &str, code: &'static str, message: &str) -> Self {
        Self::Service(ServiceError::invalid_field(field, code, message))
    }
}
