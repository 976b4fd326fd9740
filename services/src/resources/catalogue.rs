//! The catalogue: browse and search what you can see; add, change and delete your
//! own private entries.

use chrono::{DateTime, Utc};
use maigie_domain::EventKind;
use maigie_domain::Validation;
use maigie_domain::notes::search_query;
use maigie_domain::resources::{Difficulty, ResourceType};
use maigie_store::resources::{self as store, RankedResource, ResourceCursor, ResourceFilter};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use uuid::Uuid;

use super::{CreateResource, ResourceListItem, ResourcePage, ResourceView, UpdateResource};
use crate::error::ServiceResult;
use crate::input::parse_enum;
use crate::live::Deleted;
use crate::{Ctx, Services, pagination};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResourceListParams {
    /// Full-text query (web-search syntax); results are then ordered by relevance.
    pub search: Option<String>,
    /// article, video, course, book, podcast, exercise, documentation or other.
    #[param(value_type = Option<maigie_domain::resources::ResourceType>)]
    pub resource_type: Option<String>,
    /// beginner, intermediate or advanced.
    #[param(value_type = Option<maigie_domain::resources::Difficulty>)]
    pub difficulty: Option<String>,
    /// `true`: only the resources you created.
    #[serde(default)]
    pub mine: bool,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

fn filter(p: &ResourceListParams) -> ServiceResult<ResourceFilter> {
    let mut v = Validation::new();
    let search = v.check("search", search_query(p.search.as_deref()));
    let kind: Option<ResourceType> =
        parse_enum(&mut v, "resource_type", p.resource_type.as_deref());
    let difficulty: Option<Difficulty> = parse_enum(&mut v, "difficulty", p.difficulty.as_deref());
    v.finish()?;
    Ok(ResourceFilter {
        resource_type: kind.map(ResourceType::as_str),
        difficulty: difficulty.map(Difficulty::as_str),
        mine: p.mine,
        search: search.flatten(),
    })
}

/// A search pages by (rank, id), a plain list by (created_at, id).
fn cursor(raw: Option<&str>, searching: bool) -> ServiceResult<Option<ResourceCursor>> {
    Ok(match raw {
        None => None,
        Some(c) if searching => {
            let (rank, id) = pagination::decode::<(f32, Uuid)>(c)?;
            Some(ResourceCursor::Rank(rank, id))
        }
        Some(c) => {
            let (at, id) = pagination::decode::<(DateTime<Utc>, Uuid)>(c)?;
            Some(ResourceCursor::Created(at, id))
        }
    })
}

/// The catalogue the caller can see: newest first, or most relevant first with
/// `search`.
pub async fn list(svc: &Services, ctx: &Ctx, p: ResourceListParams) -> ServiceResult<ResourcePage> {
    let filter = filter(&p)?;
    let limit = pagination::limit(p.limit)?;
    let searching = filter.search.is_some();
    let after = cursor(p.cursor.as_deref(), searching)?;
    let rows = store::list(&svc.db, ctx.user_id, &filter, after, limit + 1).await?;
    let (rows, next_cursor) = pagination::paginate(rows, limit, |r: &RankedResource| {
        if searching {
            json!([r.rank, r.resource.id])
        } else {
            json!([r.resource.created_at, r.resource.id])
        }
    });
    let items = rows
        .into_iter()
        .map(|r| {
            Ok(ResourceListItem {
                rank: searching.then_some(r.rank),
                resource: ResourceView::new(r.resource, ctx.user_id)?,
            })
        })
        .collect::<ServiceResult<_>>()?;
    Ok(ResourcePage { items, next_cursor })
}

/// Adds a resource to the catalogue, private to the caller; announces
/// `resource.created`.
pub async fn create(
    svc: &Services,
    ctx: &Ctx,
    body: CreateResource,
) -> ServiceResult<ResourceView> {
    let fields = body.parse()?;
    let mut work = svc.begin().await?;
    let row = store::create(work.conn(), ctx.user_id, &fields).await?;
    let view = ResourceView::new(row, ctx.user_id)?;
    work.announce(ctx.user_id, EventKind::ResourceCreated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// One resource the caller can see.
pub async fn get(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<ResourceView> {
    let row = store::get_visible(&svc.db, ctx.user_id, id).await?;
    ResourceView::new(row, ctx.user_id)
}

/// Changes one of the caller's private resources; announces `resource.updated`.
pub async fn update(
    svc: &Services,
    ctx: &Ctx,
    id: Uuid,
    body: UpdateResource,
) -> ServiceResult<ResourceView> {
    let changes = body.parse()?;
    let mut work = svc.begin().await?;
    let row = store::update_own(work.conn(), ctx.user_id, id, changes).await?;
    let view = ResourceView::new(row, ctx.user_id)?;
    work.announce(ctx.user_id, EventKind::ResourceUpdated, &view);
    work.commit(svc).await?;
    Ok(view)
}

/// Deletes one of the caller's private resources (and their save of it); announces
/// `resource.deleted`.
pub async fn delete(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<()> {
    let mut work = svc.begin().await?;
    store::delete_own(work.conn(), ctx.user_id, id).await?;
    work.announce(ctx.user_id, EventKind::ResourceDeleted, &Deleted { id });
    work.commit(svc).await
}
