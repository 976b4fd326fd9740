//! Reordering, one algorithm for modules in a course and topics in a module: move
//! the item in its parent's list (the store shifts the siblings), read the parent
//! in the same transaction, announce the moved item's update and then its parent's,
//! answer the parent.

use maigie_domain::EventKind;
use maigie_store::courses::{self, MoveOutcome, Slot};
use uuid::Uuid;

use super::{CourseDetail, ModuleView};
use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services, Work};

/// The list a moved item lives in, as the client sees it after the move.
pub(super) enum Parent {
    /// A module moved: its course with every module.
    Course(CourseDetail),
    /// A topic moved: its module with every topic.
    Module(ModuleView),
}

impl Parent {
    /// The course, after a module moved.
    pub(super) fn into_course(self) -> ServiceResult<CourseDetail> {
        match self {
            Self::Course(detail) => Ok(detail),
            Self::Module(_) => Err(mismatch()),
        }
    }

    /// The module, after a topic moved.
    pub(super) fn into_module(self) -> ServiceResult<ModuleView> {
        match self {
            Self::Module(module) => Ok(module),
            Self::Course(_) => Err(mismatch()),
        }
    }
}

/// A parent read for the wrong kind of slot: a bug.
fn mismatch() -> ServiceError {
    ServiceError::internal(std::io::Error::other("moved item and parent disagree"))
}

/// Moves a module or topic to `position`; past the end is a field error on
/// `position`.
pub(super) async fn reorder(
    svc: &Services,
    ctx: &Ctx,
    slot: Slot,
    position: i64,
) -> ServiceResult<Parent> {
    let mut work = svc.begin().await?;
    moved(courses::move_item(work.conn(), ctx.user_id, slot, position).await?)?;
    let parent = parent(&mut work, ctx.user_id, slot).await?;
    match &parent {
        Parent::Course(detail) => {
            let id = item_id(slot);
            if let Some(module) = detail.modules.iter().find(|m| m.id == id) {
                work.announce(ctx.user_id, EventKind::ModuleUpdated, module);
            }
            work.announce(ctx.user_id, EventKind::CourseUpdated, &detail.course);
        }
        Parent::Module(module) => {
            let id = item_id(slot);
            if let Some(topic) = module.topics.iter().find(|t| t.id == id) {
                work.announce(ctx.user_id, EventKind::TopicUpdated, topic);
            }
            work.announce(ctx.user_id, EventKind::ModuleUpdated, module);
        }
    }
    work.commit(svc).await?;
    Ok(parent)
}

/// The parent's list after the move, read in the move's transaction.
async fn parent(work: &mut Work, user_id: Uuid, slot: Slot) -> ServiceResult<Parent> {
    Ok(match slot {
        Slot::Module { course_id, .. } => Parent::Course(
            courses::read_tree(work.conn(), user_id, course_id)
                .await?
                .into(),
        ),
        Slot::Topic(ids) => Parent::Module(
            courses::read_module(work.conn(), user_id, ids.course_id, ids.module_id)
                .await?
                .into(),
        ),
    })
}

fn item_id(slot: Slot) -> Uuid {
    match slot {
        Slot::Module { module_id, .. } => module_id,
        Slot::Topic(ids) => ids.topic_id,
    }
}

/// Maps a move's outcome: past the end is a field error on `position`.
fn moved(outcome: MoveOutcome) -> ServiceResult<()> {
    match outcome {
        MoveOutcome::Moved => Ok(()),
        MoveOutcome::OutOfRange { max } => Err(ServiceError::invalid_field(
            "position",
            "out_of_range",
            format!("must be between 0 and {} (the last position)", max.max(0)),
        )),
    }
}
