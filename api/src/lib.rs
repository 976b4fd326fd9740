//! Maigie's HTTP and WebSocket API.
//!
//! [`app`] builds the router from an [`AppState`]; [`serve`] runs it on a bound
//! listener until the shutdown future resolves, then drains requests and closes
//! WebSockets. Tests bind port 0 and call the same two functions.

pub mod analytics;
pub mod asyncapi;
pub mod auth;
pub mod billing;
pub mod calendar;
pub mod chat;
pub mod courses;
pub mod error;
pub mod events;
pub mod export;
pub mod goals;
pub mod health;
pub mod http;
pub mod mcp;
pub mod metrics;
pub mod notes;
pub mod notifications;
mod openapi;
pub mod pages;
pub mod pagination;
pub mod plans;
pub mod realtime;
pub mod resources;
pub mod schedule;
pub mod search;
pub mod settings;
pub mod state;
pub mod tasks;
pub mod users;
pub mod views;
pub mod voice;
pub mod workflows;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, Method, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

pub use axum::http::HeaderValue;
pub use error::{ApiError, ApiResult};
pub use settings::{ApiSettings, GoogleSettings, RateLimits};
pub use state::{AppState, Dependencies};

static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The OpenAPI document and the routes it describes.
fn documented_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(auth::router())
        .merge(users::router())
        .merge(courses::router())
        .merge(goals::router())
        .merge(tasks::router())
        .merge(schedule::router())
        .merge(calendar::router())
        .merge(plans::router())
        .merge(notes::router())
        .merge(search::router())
        .merge(resources::router())
        .merge(export::router())
        .merge(notifications::router())
        .merge(analytics::router())
        .merge(billing::router())
        .merge(chat::router())
        .merge(voice::router())
        .merge(mcp::router())
        .merge(health::router())
        .split_for_parts()
}

/// The OpenAPI document as served at `/openapi.json`, e.g. to write it to a file.
#[must_use]
pub fn openapi_spec() -> serde_json::Value {
    openapi::document(&documented_routes().1)
}

pub(crate) async fn route_not_found() -> ApiError {
    ApiError::client(StatusCode::NOT_FOUND, "route_not_found", "No such route.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::client(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This route does not accept that method.",
    )
}

fn cors(state: &AppState) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(state.settings.cors_origins.clone()))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PATCH,
            Method::PUT,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            REQUEST_ID.clone(),
            HeaderName::from_static("ratelimit-limit"),
            HeaderName::from_static("ratelimit-remaining"),
            HeaderName::from_static("ratelimit-reset"),
            header::RETRY_AFTER,
        ])
        .max_age(std::time::Duration::from_secs(600))
}

fn request_span(req: &Request) -> tracing::Span {
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(metrics::UNMATCHED, MatchedPath::as_str);
    tracing::info_span!(
        "request",
        method = %req.method(),
        route,
        request_id,
        user_id = tracing::field::Empty,
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    tracing::error!("handler panicked");
    ApiError::Internal("panic".into()).into_response()
}

/// The whole router, with every cross-cutting layer.
pub fn app(state: AppState) -> Router {
    let (routes, spec) = documented_routes();
    let mcp = mcp::endpoint(state.clone());
    routes
        .merge(realtime::router())
        .merge(asyncapi::router())
        .merge(pages::router())
        .route_service("/mcp", mcp)
        .merge(
            SwaggerUi::new("/docs")
                .external_url_unchecked("/openapi.json", openapi::document(&spec)),
        )
        .merge(metrics::api_routes(&state.settings.metrics))
        .fallback(route_not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Innermost first: the last layer added sees the request first.
        .layer(DefaultBodyLimit::max(state.settings.body_limit_bytes))
        .layer(from_fn_with_state(
            state.clone(),
            http::idempotency::idempotency,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            http::rate_limit::rate_limit,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.settings.request_timeout,
        ))
        .layer(cors(&state))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(http::headers::json_errors))
        .layer(from_fn_with_state(
            state.clone(),
            http::headers::security_headers,
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        // Inside the request span, after the request id is set; sees the final status.
        .layer(axum::middleware::from_fn(http::access::access_log))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .with_state(state)
}

/// Serves the API (and its background tasks: live-event fan-out, workflow relay) on
/// `listener` until `shutdown` resolves; then stops accepting, closes WebSockets
/// (1001) and waits for in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    stop: watch::Sender<bool>,
    redis: redis::Client,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let fanout = tokio::spawn(realtime::run_fanout(
        redis,
        state.events.clone(),
        state.hub.clone(),
        state.shutdown.clone(),
    ));
    let relay = tokio::spawn(workflows::run_relay(state.clone(), state.shutdown.clone()));
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: draining requests and closing WebSockets");
            let _ = stop.send(true);
        })
        .await;
    let _ = tokio::join!(fanout, relay);
    result
}
