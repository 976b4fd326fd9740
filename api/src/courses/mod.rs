//! Courses → modules → topics at `/api/courses` (issue 3). The rules and live events
//! live in [`maigie_services::courses`]; these handlers extract, call and answer.
//!
//! A path whose ids do not belong together, or to the caller, answers 404.
//! `POST …/move` with `{"position": n}` moves a module or topic; past the end is a
//! 422 on `position`.

mod course;
mod modules;
mod topics;

pub use maigie_services::courses::{
    CourseDetail, CoursePage, CourseView, CreateCourse, CreateModule, CreateTopic, ListCourses,
    ModuleView, MoveTo, TopicView, UpdateCourse, UpdateModule, UpdateTopic,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

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
