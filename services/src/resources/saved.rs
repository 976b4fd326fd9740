//! A user's saved resources: save, list, record progress, rating, notes or
//! completion, unsave.

use chrono::{DateTime, Utc};
use maigie_domain::EventKind;
use maigie_domain::Validation;
use maigie_domain::planning::optional_text;
use maigie_domain::resources::{self as rules, TEXT_MAX};
use maigie_store::resources::{self as store, SavedChanges};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{Saved, SavedResourcePage, SavedResourceView};
use crate::error::ServiceResult;
use crate::input::nullable;
use crate::live::SavedResourceDeleted;
use crate::{Ctx, Services, pagination};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveResource {
    pub resource_id: Uuid,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSavedResource {
    /// 0–1. Below 1 reopens a completed resource.
    pub progress: Option<f64>,
    /// 1–5; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub rating: Option<Option<i64>>,
    /// Up to 10,000 characters; `null` clears them.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// `true` sets `completed_at` and progress 1; `false` reopens.
    pub completed: Option<bool>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SavedListParams {
    /// `true`: completed only; `false`: not completed only; absent: all.
    pub completed: Option<bool>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

impl UpdateSavedResource {
    fn parse(self) -> ServiceResult<SavedChanges> {
        let mut v = Validation::new();
        let progress = self
            .progress
            .and_then(|p| v.check("progress", rules::progress(p)));
        let rating = self
            .rating
            .map(|r| r.and_then(|r| v.check("rating", rules::rating(r))));
        let notes = self.notes.as_ref().map(|n| {
            v.check("notes", optional_text(n.as_deref(), TEXT_MAX))
                .flatten()
        });
        if self.completed == Some(true) && progress.is_some_and(|p| p < 1.0) {
            v.push(
                "progress",
                "conflicts_with_completed",
                "A completed resource has progress 1.",
            );
        }
        v.finish()?;
        Ok(SavedChanges {
            progress,
            rating,
            notes,
            completed: self.completed,
        })
    }
}

/// The caller's saved resources, most recently saved first.
pub async fn list_saved(
    svc: &Services,
    ctx: &Ctx,
    p: SavedListParams,
) -> ServiceResult<SavedResourcePage> {
    let limit = pagination::limit(p.limit)?;
    let after = p
        .cursor
        .as_deref()
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let rows = store::list_saved(&svc.db, ctx.user_id, p.completed, after, limit + 1).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r| (r.saved_at, r.resource.id));
    let items = rows
        .into_iter()
        .map(|r| SavedResourceView::new(r, ctx.user_id))
        .collect::<ServiceResult<_>>()?;
    Ok(SavedResourcePage { items, next_cursor })
}

/// Saves a resource the caller can see. Saving it again answers the existing save,
/// unchanged, and announces nothing; a new save announces `saved_resource.created`.
pub async fn save(svc: &Services, ctx: &Ctx, body: SaveResource) -> ServiceResult<Saved> {
    let mut work = svc.begin().await?;
    let (row, created) = store::save(work.conn(), ctx.user_id, body.resource_id).await?;
    let view = SavedResourceView::new(row, ctx.user_id)?;
    if created {
        work.announce(ctx.user_id, EventKind::SavedResourceCreated, &view);
    }
    work.commit(svc).await?;
    Ok(Saved { view, created })
}

/// One of the caller's saves, by resource id.
pub async fn get_saved(
    svc: &Services,
    ctx: &Ctx,
    resource_id: Uuid,
) -> ServiceResult<SavedResourceView> {
    let row = store::get_saved(&svc.db, ctx.user_id, resource_id).await?;
    SavedResourceView::new(row, ctx.user_id)
}

/// Records progress, a rating, notes or completion (a completed save has progress
/// 1); announces `saved_resource.updated`.
pub async fn update_saved(
    svc: &Services,
    ctx: &Ctx,
    resource_id: Uuid,
    body: UpdateSavedResource,
) -> ServiceResult<SavedResourceView> {
    let changes = body.parse()?;
    let mut work = svc.begin().await?;
    let row = store::update_saved(work.conn(), ctx.user_id, resource_id, changes).await?;
    let view = SavedResourceView::new(row, ctx.user_id)?;
    work.announce(ctx.user_id, EventKind::SavedResourceUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Unsaves a resource; announces `saved_resource.deleted`.
pub async fn unsave(svc: &Services, ctx: &Ctx, resource_id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    store::unsave(work.conn(), ctx.user_id, resource_id).await?;
    work.announce(
        ctx.user_id,
        EventKind::SavedResourceDeleted,
        &SavedResourceDeleted { resource_id },
    );
    work.commit(svc).await
}
