//! Topics, nested under their course and module: a path whose ids do not belong
//! together, or to the caller, is not found.

use maigie_domain::EventKind;
use maigie_store::courses::{self, Slot, TopicPath};
use uuid::Uuid;

use super::order::reorder;
use super::{CourseItemDeleted, CreateTopic, ModuleView, TopicView, UpdateTopic, announce_course};
use crate::error::ServiceResult;
use crate::{Ctx, Services};

/// Adds a topic at the end of the module (a completed module reopens); announces
/// `topic.created`, then `course.updated`.
pub async fn create_topic(
    svc: &Services,
    ctx: &Ctx,
    course_id: Uuid,
    module_id: Uuid,
    body: CreateTopic,
) -> ServiceResult<TopicView> {
    let new = body.parse()?;
    let mut work = svc.begin().await?;
    let row = courses::create_topic(work.conn(), ctx.user_id, course_id, module_id, new).await?;
    let view = TopicView::from(row);
    work.announce(ctx.user_id, EventKind::TopicCreated, &view);
    announce_course(&mut work, ctx.user_id, course_id).await?;
    work.commit(svc).await?;
    Ok(view)
}

/// A topic.
pub async fn get_topic(svc: &Services, ctx: &Ctx, ids: TopicPath) -> ServiceResult<TopicView> {
    Ok(courses::find_topic(&svc.db, ctx.user_id, ids).await?.into())
}

/// Edits, completes or reopens a topic (its module and course follow); announces
/// `topic.updated`, then `course.updated`.
pub async fn update_topic(
    svc: &Services,
    ctx: &Ctx,
    ids: TopicPath,
    body: UpdateTopic,
) -> ServiceResult<TopicView> {
    let changes = body.parse()?;
    let mut work = svc.begin().await?;
    let view =
        TopicView::from(courses::update_topic(work.conn(), ctx.user_id, ids, changes).await?);
    work.announce(ctx.user_id, EventKind::TopicUpdated, &view);
    announce_course(&mut work, ctx.user_id, ids.course_id).await?;
    work.commit(svc).await?;
    Ok(view)
}

/// Moves a topic to another position in its module; answers the module.
pub async fn move_topic(
    svc: &Services,
    ctx: &Ctx,
    ids: TopicPath,
    position: i64,
) -> ServiceResult<ModuleView> {
    reorder(svc, ctx, Slot::Topic(ids), position)
        .await?
        .into_module()
}

/// Deletes a topic (the topics after it move up); announces `topic.deleted`, then
/// `course.updated`.
pub async fn delete_topic(svc: &Services, ctx: &Ctx, ids: TopicPath) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    courses::delete_topic(work.conn(), ctx.user_id, ids).await?;
    let data = CourseItemDeleted {
        id: ids.topic_id,
        course_id: Some(ids.course_id),
        module_id: Some(ids.module_id),
    };
    work.announce(ctx.user_id, EventKind::TopicDeleted, &data);
    announce_course(&mut work, ctx.user_id, ids.course_id).await?;
    work.commit(svc).await
}
