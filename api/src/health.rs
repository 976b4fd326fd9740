//! `/health` (alive), `/ready` (dependencies reachable).

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use temporalio_client::tonic::IntoRequest;
use temporalio_common::protos::temporal::api::workflowservice::v1::GetSystemInfoRequest;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::extract::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    pub version: &'static str,
}

/// The process is alive.
#[utoipa::path(get, path = "/health", tag = "ops", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ok` or `unavailable`.
    pub status: &'static str,
    pub checks: Checks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Checks {
    pub database: Check,
    pub redis: Check,
    pub temporal: Check,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Check {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

async fn check<E: std::fmt::Display>(f: impl Future<Output = Result<(), E>>) -> Check {
    match tokio::time::timeout(CHECK_TIMEOUT, f).await {
        Ok(Ok(())) => Check {
            ok: true,
            error: None,
        },
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            Check {
                ok: false,
                error: Some("unreachable".into()),
            }
        }
        Err(_) => Check {
            ok: false,
            error: Some("timed out".into()),
        },
    }
}

/// PostgreSQL, Redis and Temporal are reachable (503 names the one that is not).
#[utoipa::path(get, path = "/ready", tag = "ops",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let temporal = state.temporal.clone();
    let (database, redis, temporal) = tokio::join!(
        check(maigie_store::ping(&state.db)),
        check(state.events.ping()),
        check(async move {
            temporal
                .connection()
                .workflow_service()
                .get_system_info(GetSystemInfoRequest::default().into_request())
                .await
                .map(|_| ())
        }),
    );
    let ok = database.ok && redis.ok && temporal.ok;
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        status: if ok { "ok" } else { "unavailable" },
        checks: Checks {
            database,
            redis,
            temporal,
        },
    };
    (status, Json(body))
}
