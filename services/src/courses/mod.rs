//! Courses → modules → topics (issue 3).
//!
//! * Modules and topics are nested under their course (and module); ids that do not
//!   belong together, or to the caller, are not found.
//! * New modules and topics go last; a move to position `n` shifts the others, so
//!   positions stay `0..n-1` (one algorithm for both lists: [`order`]). Deleting
//!   closes the gap.
//! * Completion rules (a module with topics is completed exactly when all of them are;
//!   a course when its progress reaches 1) are documented in `maigie_domain::courses`;
//!   the progress roll-up is kept by the database in the write's transaction.
//! * Live events, announced after commit: `course.created|updated|deleted` carry the
//!   course summary; `module.created|updated|deleted` and `topic.created|updated|deleted`
//!   carry the changed item (`*.deleted`: its ids) and are followed by a
//!   `course.updated` with the course's fresh progress and hours. A move sends the
//!   moved item's `*.updated` and its parent's update (`course.updated` with the
//!   summary for a module, `module.updated` with the reordered topics for a topic).

mod course;
mod input;
mod modules;
mod order;
mod topics;
mod views;

use maigie_domain::EventKind;
use maigie_store::courses;
use uuid::Uuid;

pub use course::{ListCourses, archive, create, delete, get, list, unarchive, update};
pub use input::{
    CreateCourse, CreateModule, CreateTopic, MoveTo, UpdateCourse, UpdateModule, UpdateTopic,
};
pub use maigie_store::courses::TopicPath;
pub use modules::{create_module, delete_module, get_module, move_module, update_module};
pub use topics::{create_topic, delete_topic, get_topic, move_topic, update_topic};
pub use views::{CourseDetail, CourseItemDeleted, CoursePage, CourseView, ModuleView, TopicView};

use crate::Work;
use crate::error::ServiceResult;

/// After a nested change: the course's progress and hours moved too (read in the
/// change's transaction, where the roll-up triggers have already run).
async fn announce_course(work: &mut Work, user_id: Uuid, course_id: Uuid) -> ServiceResult<()> {
    let course = CourseView::from(courses::read_course(work.conn(), user_id, course_id).await?);
    work.announce(user_id, EventKind::CourseUpdated, &course);
    Ok(())
}
