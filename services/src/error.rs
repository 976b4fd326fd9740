//! The one error type of the use-cases. Adapters map it once: the API to a status
//! and the standard body, the agent's tools to a failed outcome the model can read.

use maigie_domain::FieldError;
use maigie_store::{SqlxError, StoreError};

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

/// A refusal as the client is told it — the REST API's status and error object
/// (`{"code", "message", "details"}`), which a tool's failed outcome repeats to the
/// model. Built here once, for every adapter.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub details: Option<serde_json::Value>,
}

impl Refusal {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    /// 404: missing, or someone else's.
    #[must_use]
    pub fn not_found() -> Self {
        Self::new(404, "not_found", "The resource does not exist.")
    }

    /// 422 with every field's problem.
    #[must_use]
    pub fn invalid(fields: &[FieldError]) -> Self {
        Self {
            details: Some(serde_json::json!({ "fields": fields })),
            ..Self::new(422, "validation_failed", "One or more fields are invalid.")
        }
    }

    /// 402: the plan allows no more of `limit`.
    #[must_use]
    pub fn tier_limit(limit: &str, allowed: u32, tier: &str) -> Self {
        Self {
            details: Some(serde_json::json!({ "limit": limit, "allowed": allowed, "tier": tier })),
            ..Self::new(
                402,
                "tier_limit_reached",
                format!("Your plan allows {allowed} ({limit}); upgrade to Premium for more."),
            )
        }
    }

    /// 429: the month's AI messages are used up until `resets_at`.
    #[must_use]
    pub fn quota(limit: u32, resets_at: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            details: Some(serde_json::json!({ "limit": limit, "resets_at": resets_at })),
            ..Self::new(
                429,
                "ai_quota_exceeded",
                format!(
                    "You have used this month's {limit} AI messages; the allowance resets at {}. \
                     Premium has no limit.",
                    resets_at.to_rfc3339()
                ),
            )
        }
    }
}

impl ServiceError {
    /// What the client is told; `Err(self)` for what is not the client's doing and a
    /// retry may mend (a dependency down, busy, an internal error): each adapter
    /// answers those its own way.
    pub fn into_refusal(self) -> Result<Refusal, Self> {
        Ok(match self {
            Self::NotFound => Refusal::not_found(),
            Self::Invalid(fields) => Refusal::invalid(&fields),
            Self::BadRequest { code, message } => Refusal::new(400, code, message),
            Self::Conflict { code, message } => Refusal::new(409, code, message),
            Self::ConflictWith {
                code,
                message,
                details,
            } => Refusal {
                details: Some(details),
                ..Refusal::new(409, code, message)
            },
            Self::Unprocessable { code, message } => Refusal::new(422, code, message),
            Self::TierLimit {
                limit,
                allowed,
                tier,
            } => Refusal::tier_limit(limit, allowed, &tier),
            Self::QuotaExceeded { limit, resets_at } => Refusal::quota(limit, resets_at),
            Self::Refused {
                status,
                code,
                message,
            } => Refusal::new(status, code, message),
            err @ (Self::Unavailable(_) | Self::Busy { .. } | Self::Internal(_)) => {
                return Err(err);
            }
        })
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
            err @ StoreError::Database(
                SqlxError::Io(_) | SqlxError::PoolTimedOut | SqlxError::PoolClosed,
            ) => {
                tracing::warn!(error = %err, "the database cannot be reached");
                Self::Unavailable("The database cannot be reached right now.".into())
            }
            other => Self::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_unavailable_other_database_errors_internal() {
        for err in [
            SqlxError::PoolTimedOut,
            SqlxError::PoolClosed,
            SqlxError::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset)),
        ] {
            let mapped = ServiceError::from(StoreError::Database(err));
            assert!(matches!(mapped, ServiceError::Unavailable(_)), "{mapped:?}");
        }
        let mapped =
            ServiceError::from(StoreError::Database(SqlxError::ColumnNotFound("x".into())));
        assert!(matches!(mapped, ServiceError::Internal(_)), "{mapped:?}");
    }
}
