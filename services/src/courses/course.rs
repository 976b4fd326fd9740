//! Courses: list, read (with modules and topics), create, change, archive, delete.

use chrono::{DateTime, Utc};
use maigie_domain::EventKind;
use maigie_store::courses;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{CourseDetail, CourseItemDeleted, CoursePage, CourseView, CreateCourse, UpdateCourse};
use crate::error::ServiceResult;
use crate::{Ctx, Services, pagination};

/// Which courses a list covers, and where its page starts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCourses {
    /// `true` lists archived courses only; by default only active ones are listed.
    pub archived: Option<bool>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// The caller's courses, newest first, with progress and hours.
pub async fn list(svc: &Services, ctx: &Ctx, q: ListCourses) -> ServiceResult<CoursePage> {
    let limit = pagination::limit(q.limit)?;
    let after = q
        .cursor
        .as_deref()
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let archived = q.archived.unwrap_or(false);
    let rows = courses::list_courses(&svc.db, ctx.user_id, archived, after, limit + 1).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.created_at, r.id));
    Ok(CoursePage {
        items: rows.into_iter().map(CourseView::from).collect(),
        next_cursor,
    })
}

/// A course with its modules and topics in order.
pub async fn get(svc: &Services, ctx: &Ctx, course_id: Uuid) -> ServiceResult<CourseDetail> {
    Ok(courses::course_tree(&svc.db, ctx.user_id, course_id)
        .await?
        .into())
}

/// Creates a course (with no modules yet); announces `course.created`.
pub async fn create(svc: &Services, ctx: &Ctx, body: CreateCourse) -> ServiceResult<CourseView> {
    let new = body.parse()?;
    let mut work = svc.begin().await?;
    let view = CourseView::from(courses::create_course(work.conn(), ctx.user_id, new).await?);
    work.announce(ctx.user_id, EventKind::CourseCreated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Changes a course's title, description, difficulty, estimate or target date;
/// announces `course.updated`.
pub async fn update(
    svc: &Services,
    ctx: &Ctx,
    course_id: Uuid,
    body: UpdateCourse,
) -> ServiceResult<CourseView> {
    let changes = body.parse()?;
    let mut work = svc.begin().await?;
    let row = courses::update_course(work.conn(), ctx.user_id, course_id, changes).await?;
    let view = CourseView::from(row);
    work.announce(ctx.user_id, EventKind::CourseUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Deletes a course with its modules and topics; announces `course.deleted`.
pub async fn delete(svc: &Services, ctx: &Ctx, course_id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    courses::delete_course(work.conn(), ctx.user_id, course_id).await?;
    let data = CourseItemDeleted {
        id: course_id,
        course_id: None,
        module_id: None,
    };
    work.announce(ctx.user_id, EventKind::CourseDeleted, &data);
    work.commit(svc).await
}

/// Archives a course: it leaves the default list. Idempotent.
pub async fn archive(svc: &Services, ctx: &Ctx, course_id: Uuid) -> ServiceResult<CourseView> {
    set_archived(svc, ctx, course_id, true).await
}

/// Brings an archived course back to the default list. Idempotent.
pub async fn unarchive(svc: &Services, ctx: &Ctx, course_id: Uuid) -> ServiceResult<CourseView> {
    set_archived(svc, ctx, course_id, false).await
}

async fn set_archived(
    svc: &Services,
    ctx: &Ctx,
    course_id: Uuid,
    archived: bool,
) -> ServiceResult<CourseView> {
    let mut work = svc.begin().await?;
    let row = courses::set_archived(work.conn(), ctx.user_id, course_id, archived).await?;
    let view = CourseView::from(row);
    work.announce(ctx.user_id, EventKind::CourseUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}
