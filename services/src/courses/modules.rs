//! Modules, nested under their course: a path whose ids do not belong together, or
//! to the caller, is not found.

use maigie_domain::EventKind;
use maigie_store::courses::{self, Slot};
use uuid::Uuid;

use super::order::reorder;
use super::{
    CourseDetail, CourseItemDeleted, CreateModule, ModuleView, UpdateModule, announce_course,
};
use crate::error::ServiceResult;
use crate::{Ctx, Services};

/// Adds a module at the end of the course; announces `module.created`, then the
/// course's `course.updated`.
pub async fn create_module(
    svc: &Services,
    ctx: &Ctx,
    course_id: Uuid,
    body: CreateModule,
) -> ServiceResult<ModuleView> {
    let new = body.parse()?;
    let mut work = svc.begin().await?;
    let tree = courses::create_module(work.conn(), ctx.user_id, course_id, new).await?;
    let view = ModuleView::from(tree);
    work.announce(ctx.user_id, EventKind::ModuleCreated, &view);
    announce_course(&mut work, ctx.user_id, course_id).await?;
    work.commit(svc).await?;
    Ok(view)
}

/// A module with its topics in order.
pub async fn get_module(
    svc: &Services,
    ctx: &Ctx,
    course_id: Uuid,
    module_id: Uuid,
) -> ServiceResult<ModuleView> {
    let tree = courses::find_module(&svc.db, ctx.user_id, course_id, module_id).await?;
    Ok(tree.into())
}

/// Renames, describes, completes or reopens a module (completion takes its topics
/// along); announces `module.updated`, then `course.updated`.
pub async fn update_module(
    svc: &Services,
    ctx: &Ctx,
    course_id: Uuid,
    module_id: Uuid,
    body: UpdateModule,
) -> ServiceResult<ModuleView> {
    let changes = body.parse()?;
    let mut work = svc.begin().await?;
    let tree =
        courses::update_module(work.conn(), ctx.user_id, course_id, module_id, changes).await?;
    let view = ModuleView::from(tree);
    work.announce(ctx.user_id, EventKind::ModuleUpdated, &view);
    announce_course(&mut work, ctx.user_id, course_id).await?;
    work.commit(svc).await?;
    Ok(view)
}

/// Moves a module to another position in its course; answers the whole course.
pub async fn move_module(
    svc: &Services,
    ctx: &Ctx,
    course_id: Uuid,
    module_id: Uuid,
    position: i64,
) -> ServiceResult<CourseDetail> {
    let slot = Slot::Module {
        course_id,
        module_id,
    };
    reorder(svc, ctx, slot, position).await?.into_course()
}

/// Deletes a module with its topics (the modules after it move up); announces
/// `module.deleted`, then `course.updated`.
pub async fn delete_module(
    svc: &Services,
    ctx: &Ctx,
    course_id: Uuid,
    module_id: Uuid,
) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    courses::delete_module(work.conn(), ctx.user_id, course_id, module_id).await?;
    let data = CourseItemDeleted {
        id: module_id,
        course_id: Some(course_id),
        module_id: None,
    };
    work.announce(ctx.user_id, EventKind::ModuleDeleted, &data);
    announce_course(&mut work, ctx.user_id, course_id).await?;
    work.commit(svc).await
}
