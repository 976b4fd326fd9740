//! The one error type of the use-cases. Adapters map it once: the API to a status
//! and the standard body, the agent's tools to a failed outcome the model can read.

use maigie_domain::FieldError;
use maigie_store::StoreError;

pub type ServiceResult<T> = Result<T, ServiceError>;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The thing does not exist, or belongs to someone else.
    #[error("not found")]
    NotFound,
    /// One or more fields failed validation.
    #[error("validation failed")]
    Invalid(Vec<FieldError>),
    /// A malformed request that is not about one field (e.g. a forged cursor).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// The request conflicts with the stored state.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The request conflicts with the stored state; `details` says with what.
    #[error("{message}")]
    ConflictWith {
        code: &'static str,
        message: String,
        details: serde_json::Value,
    },
    /// Well-formed, but it breaks a rule of the data model.
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// The account's tier does not allow more of something; `limit` names it.
    #[error("tier limit {limit} reached")]
    TierLimit {
        limit: &'static str,
        allowed: u32,
        tier: String,
    },
    /// The month's AI message allowance is used up until `resets_at`.
    #[error("AI message quota of {limit} reached")]
    QuotaExceeded {
        limit: u32,
        resets_at: chrono::DateTime<chrono::Utc>,
    },
    /// Refused with a status of its own and a stable code: too large (413), of a media
    /// type we do not take (415), over a usage cap (429), or a feature's provider
    /// unavailable (503, e.g. `voice_unavailable`).
    #[error("{message}")]
    Refused {
        status: u16,
        code: &'static str,
        message: String,
    },
    /// A dependency is down; the message names it.
    #[error("{0}")]
    Unavailable(String),
    /// Too much of this work is running right now (e.g. password hashing at its
    /// concurrency cap); the same request may succeed after `retry_after_secs`.
    #[error("{message}")]
    Busy {
        code: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// Anything else: logged by the adapter, never shown.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ServiceError {
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    pub fn refused(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self::Refused {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// A single-field validation failure.
    pub fn invalid_field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.to_owned(),
            code,
            message: message.into(),
        }])
    }
}

impl From<Vec<FieldError>> for ServiceError {
    fn from(fields: Vec<FieldError>) -> Self {
        Self::Invalid(fields)
    }
}

impl From<sqlx_error::Error> for ServiceError {
    fn from(err: sqlx_error::Error) -> Self {
        StoreError::from(err).into()
    }
}

/// `sqlx::Error` without naming sqlx as a dependency (the store re-exports it).
mod sqlx_error {
    pub use maigie_store::SqlxError as Error;
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(constraint) => Self::conflict(
                "conflict",
                format!("A conflicting record exists ({constraint})."),
            ),
            StoreError::InvalidValue(reason) => {
                tracing::info!(%reason, "value refused by the database");
                Self::bad_request(
                    "invalid_value",
                    "A value is out of range or contains characters that cannot be stored.",
                )
            }
            StoreError::Constraint(constraint) => Self::Unprocessable {
                code: "constraint_violated",
                message: format!("The change breaks a rule of the data model ({constraint})."),
            },
            other => Self::internal(other),
        }
    }
}
