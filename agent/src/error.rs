//! How an agent activity fails: permanently (retrying cannot help) or not.

use maigie_services::ServiceError;
use maigie_store::StoreError;

use crate::exec::ExecError;

#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    /// Retrying cannot help (the action or its conversation is gone).
    #[error("{0}")]
    Permanent(String),
    #[error("{0}")]
    Transient(String),
}

impl From<StoreError> for TurnError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::Permanent("not found".into()),
            other => Self::Transient(other.to_string()),
        }
    }
}

impl From<ServiceError> for TurnError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound => Self::Permanent("not found".into()),
            other => Self::Transient(other.to_string()),
        }
    }
}

impl From<ExecError> for TurnError {
    fn from(e: ExecError) -> Self {
        Self::Transient(e.to_string())
    }
}
