//! Authentication: passwords, JWT access tokens, rotating refresh tokens, Google.

pub mod extractor;
pub mod gate;
pub mod google;
pub mod handlers;
pub mod jwt;
pub mod password;
pub mod recovery;
pub mod session;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::register))
        .routes(routes!(handlers::login))
        .routes(routes!(handlers::refresh))
        .routes(routes!(handlers::logout))
        .routes(routes!(google::authorize::authorize))
        .routes(routes!(google::callback::callback))
        .routes(routes!(google::exchange::exchange))
        .routes(routes!(google::id_token::id_token))
        .routes(routes!(recovery::forgot))
        .routes(routes!(recovery::reset))
        .routes(routes!(recovery::verify_email))
        .routes(routes!(recovery::revert_email))
}
