//! Courses → modules → topics at `/api/courses` (issue 3).
//!
//! * Modules and topics are nested under their course (and module) in the path; a path
//!   whose ids do not belong together, or to the caller, answers 404.
//! * New modules and topics go last; `POST …/move` with `{"position": n}` moves one,
//!   shifting the others, so positions stay `0..n-1`. Deleting closes the gap.
//! * Completion rules (a module with topics is completed exactly when all of them are;
//!   a course when its progress reaches 1) are documented in `maigie_domain::courses`.
//! * Live events: `course.created|updated|deleted` carry the course summary;
//!   `module.created|updated|deleted` and `topic.created|updated|deleted` carry the
//!   changed item (`*.deleted`: its ids) and are followed by a `course.updated` with the
//!   course's fresh progress and hours. A move sends the moved item's `*.updated` and
//!   its parent's update (`course.updated` with the summary for a module,
//!   `module.updated` with the reordered topics for a topic).

mod course;
mod modules;
mod topics;
pub mod views;

use maigie_domain::planning::optional_text;
use maigie_domain::validation::ParseError;
use maigie_domain::{Title, Validation};
use maigie_store::courses::{self, MoveOutcome};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::http::input::nullable;
use crate::state::AppState;
use views::CourseView;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(course::list_courses, course::create_course))
        .routes(routes!(
            course::get_course,
            course::update_course,
            course::delete_course
        ))
        .routes(routes!(course::archive_course))
        .routes(routes!(course::unarchive_course))
        .routes(routes!(modules::create_module))
        .routes(routes!(
            modules::get_module,
            modules::update_module,
            modules::delete_module
        ))
        .routes(routes!(modules::move_module))
        .routes(routes!(topics::create_topic))
        .routes(routes!(
            topics::get_topic,
            topics::update_topic,
            topics::delete_topic
        ))
        .routes(routes!(topics::move_topic))
}

/// Body of the `move` routes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveTo {
    /// The new 0-based position, at most the number of siblings minus one.
    #[schema(example = 0)]
    pub position: i64,
}

/// A title: required on create (`required`), optional on update.
fn title(v: &mut Validation, raw: Option<&str>, required: bool) -> Option<String> {
    match raw {
        Some(raw) => v.check("title", Title::parse(raw)).map(Title::into_string),
        None if required => {
            v.push("title", "required", "must be given");
            None
        }
        None => None,
    }
}

/// Free text of at most `max` characters; blank means none.
fn text(v: &mut Validation, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
    v.check(field, optional_text(raw, max)).flatten()
}

/// A PATCH field: absent stays absent, `null` clears, a value is parsed.
fn patch<T, U, E: ParseError>(
    v: &mut Validation,
    field: &str,
    raw: Option<Option<T>>,
    parse: impl FnOnce(T) -> Result<U, E>,
) -> Option<Option<U>> {
    match raw {
        None => None,
        Some(None) => Some(None),
        Some(Some(value)) => v.check(field, parse(value)).map(Some),
    }
}

/// Maps a move's outcome: past the end is a field error on `position`.
fn moved(outcome: MoveOutcome) -> ApiResult<()> {
    match outcome {
        MoveOutcome::Moved => Ok(()),
        MoveOutcome::OutOfRange { max } => Err(ApiError::invalid_field(
            "position",
            "out_of_range",
            format!("must be between 0 and {} (the last position)", max.max(0)),
        )),
    }
}

/// After a nested change: the course's progress and hours moved too.
async fn publish_course_updated(state: &AppState, user_id: Uuid, course_id: Uuid) {
    match courses::find_course(&state.db, user_id, course_id).await {
        Ok(row) => events::publish(state, user_id, "course.updated", &CourseView::from(row)).await,
        // Deleted meanwhile: its own event says so.
        Err(err) => tracing::debug!(error = %err, "course gone before its update event"),
    }
}
