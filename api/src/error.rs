//! The one API error type, its one status mapping and its one JSON body:
//! `{"error": {"code": "snake_case", "message": "...", "details": ...}}`.
//!
//! 5xx answers never carry the cause: it is logged (with the request id, from the
//! request span) and the client gets a generic message.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maigie_domain::FieldError;
use maigie_services::{Refusal, ServiceError};
use maigie_store::StoreError;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::google::OAuthError;

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// One or more fields failed validation (422).
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A client error with an explicit status and stable code.
    #[error("{message}")]
    Client {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// A client error with a status, a stable code and structured details.
    #[error("{message}")]
    Detailed {
        status: StatusCode,
        code: &'static str,
        message: String,
        details: Value,
    },
    /// Missing, malformed, expired or revoked credentials (401).
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    /// The resource does not exist — or belongs to someone else (404).
    #[error("not found")]
    NotFound,
    /// Too many requests; retry after the given number of seconds (429).
    #[error("rate limit exceeded")]
    RateLimited { retry_after_secs: u64 },
    /// The month's AI message allowance is used up (429) until `resets_at`.
    #[error("AI message quota of {limit} reached")]
    QuotaExceeded {
        limit: u32,
        resets_at: chrono::DateTime<chrono::Utc>,
    },
    /// A dependency is down (503); the message names it.
    #[error("{0}")]
    Unavailable(String),
    /// Too much of this work is running now (503 with `Retry-After`), e.g.
    /// `password_hashing_busy`.
    #[error("{message}")]
    Busy {
        code: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// Anything else: logged, answered as an opaque 500.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::client(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::client(StatusCode::CONFLICT, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::client(StatusCode::FORBIDDEN, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unauthorized {
            code,
            message: message.into(),
        }
    }

    pub fn client(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::Client {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    /// A single-field validation failure.
    pub fn invalid_field(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError {
            field: field.to_owned(),
            code,
            message: message.into(),
        }])
    }

    /// The stable code the client is answered, for answers that are not JSON (a
    /// redirect to a client app carries it as `error=`).
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.parts().1
    }

    fn parts(&self) -> (StatusCode, &'static str, String, Option<Value>) {
        match self {
            Self::Validation(fields) => shared(Refusal::invalid(fields)),
            Self::Client {
                status,
                code,
                message,
            } => (*status, code, message.clone(), None),
            Self::Detailed {
                status,
                code,
                message,
                details,
            } => (*status, code, message.clone(), Some(details.clone())),
            Self::Unauthorized { code, message } => {
                (StatusCode::UNAUTHORIZED, code, message.clone(), None)
            }
            Self::NotFound => shared(Refusal::not_found()),
            Self::RateLimited { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("Too many requests; retry in {retry_after_secs} s."),
                Some(json!({ "retry_after_secs": retry_after_secs })),
            ),
            Self::QuotaExceeded { limit, resets_at } => shared(Refusal::quota(*limit, *resets_at)),
            Self::Unavailable(message) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "service_unavailable",
                message.clone(),
                None,
            ),
            Self::Busy {
                code,
                message,
                retry_after_secs,
            } => (
                StatusCode::SERVICE_UNAVAILABLE,
                code,
                message.clone(),
                Some(json!({ "retry_after_secs": retry_after_secs })),
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "Something went wrong on our side; it has been logged.".into(),
                None,
            ),
        }
    }
}

/// The error body, as documented in the OpenAPI spec.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable, snake_case.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// For humans; may change.
    pub message: String,
    /// Extra structure, e.g. `{"fields": [{"field", "code", "message"}]}` for 422.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// Builds the standard body for any status (used for errors raised outside handlers).
pub fn error_response(
    status: StatusCode,
    code: &str,
    message: String,
    details: Option<Value>,
) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message,
            details,
        },
    };
    (status, Json(body)).into_response()
}

/// The parts of an error object the use-cases' [`Refusal`] describes.
fn shared(refusal: Refusal) -> (StatusCode, &'static str, String, Option<Value>) {
    (
        StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST),
        refusal.code,
        refusal.message,
        refusal.details,
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(source) = &self {
            tracing::error!(error = %source, cause = ?source, "internal error");
        }
        let (status, code, message, details) = self.parts();
        let mut response = error_response(status, code, message, details);
        if let Self::RateLimited { retry_after_secs }
        | Self::Busy {
            retry_after_secs, ..
        } = self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        if let Self::QuotaExceeded { resets_at, .. } = self {
            let secs = (resets_at - chrono::Utc::now()).num_seconds().max(1);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    /// One mapping of store errors for every layer: the use-cases'.
    fn from(err: StoreError) -> Self {
        ServiceError::from(err).into()
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            // Kept apart for its `Retry-After`.
            ServiceError::QuotaExceeded { limit, resets_at } => {
                Self::QuotaExceeded { limit, resets_at }
            }
            err => match err.into_refusal() {
                Ok(refusal) => {
                    let status =
                        StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST);
                    match refusal.details {
                        Some(details) => Self::Detailed {
                            status,
                            code: refusal.code,
                            message: refusal.message,
                            details,
                        },
                        None => Self::client(status, refusal.code, refusal.message),
                    }
                }
                Err(ServiceError::Unavailable(message)) => Self::Unavailable(message),
                Err(ServiceError::Busy {
                    code,
                    message,
                    retry_after_secs,
                }) => Self::Busy {
                    code,
                    message,
                    retry_after_secs,
                },
                Err(ServiceError::Internal(source)) => Self::Internal(source),
                Err(other) => Self::internal(other),
            },
        }
    }
}

impl From<OAuthError> for ApiError {
    /// Google sign-in: a refused ID token is a 401, the rest of the dance a 400.
    fn from(err: OAuthError) -> Self {
        let message = err.to_string();
        let code = match err {
            OAuthError::Disabled => {
                return Self::client(StatusCode::NOT_FOUND, "oauth_provider_disabled", message);
            }
            OAuthError::InvalidIdToken(_) => {
                return Self::unauthorized("invalid_id_token", message);
            }
            OAuthError::IdTokenReplayed => return Self::unauthorized("id_token_replayed", message),
            OAuthError::RedirectNotAllowed => "oauth_redirect_not_allowed",
            OAuthError::Denied(_) => "oauth_denied",
            OAuthError::InvalidState => "oauth_invalid_state",
            OAuthError::ExchangeFailed => "oauth_exchange_failed",
            OAuthError::EmailUnverified => "oauth_email_unverified",
            OAuthError::InvalidCode(_) => "oauth_invalid_code",
        };
        Self::bad_request(code, message)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let text = rejection.body_text();
        match rejection {
            JsonRejection::JsonDataError(_) => {
                Self::client(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", text)
            }
            JsonRejection::JsonSyntaxError(_) => Self::bad_request("malformed_json", text),
            JsonRejection::MissingJsonContentType(_) => Self::client(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with `Content-Type: application/json`.",
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::client(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request body is too large.",
            ),
            other => Self::bad_request("invalid_body", other.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::bad_request("invalid_path", rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request("invalid_query", rejection.body_text())
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(fields: Vec<FieldError>) -> Self {
        Self::Validation(fields)
    }
}
