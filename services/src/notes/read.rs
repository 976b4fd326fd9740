//! Reading notes: one by id, a page (most recently updated first), or a search
//! (most relevant first, with snippets).

use chrono::{DateTime, Utc};
use maigie_domain::Validation;
use maigie_domain::notes::{render_snippet, search_query};
use maigie_store::notes::{self as store, NoteFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::NoteView;
use crate::error::ServiceResult;
use crate::pagination::{self, paginate};
use crate::{Ctx, Services};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoteListParams {
    /// Full-text query (web-search syntax: `"a phrase"`, `or`, `-word`); results are
    /// ordered by relevance and carry snippets.
    pub search: Option<String>,
    /// `true`: archived notes only; otherwise active notes only.
    #[serde(default)]
    pub archived: bool,
    pub course_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    /// Notes carrying this tag (exact spelling).
    pub tag: Option<String>,
    pub cursor: Option<String>,
    /// 1–200 (default 50).
    pub limit: Option<i64>,
}

/// A note in a list; search results add `rank` and `snippet`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteListItem {
    #[serde(flatten)]
    pub note: NoteView,
    /// Search relevance (`ts_rank`), only when searching.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<f32>,
    /// Up to three fragments of the content, HTML-escaped, matches wrapped in
    /// `<mark>…</mark>`; only when searching.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "light drives <mark>photosynthesis</mark> in the …")]
    pub snippet: Option<String>,
}

/// A page of notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotePage {
    pub items: Vec<NoteListItem>,
    pub next_cursor: Option<String>,
}

/// One note of the caller's.
pub async fn get(svc: &Services, ctx: &Ctx, id: Uuid) -> ServiceResult<NoteView> {
    Ok(store::get(&svc.db, ctx.user_id, id).await?.into())
}

/// Lists the caller's notes, or searches them when `search` holds a query.
pub async fn list(svc: &Services, ctx: &Ctx, p: NoteListParams) -> ServiceResult<NotePage> {
    let mut v = Validation::new();
    let search = v.check("search", search_query(p.search.as_deref()));
    v.finish()?;
    let limit = pagination::limit(p.limit)?;
    let filter = NoteFilter {
        archived: p.archived,
        course_id: p.course_id,
        topic_id: p.topic_id,
        tag: p.tag,
    };
    let cursor = p.cursor.as_deref();
    match search.flatten() {
        Some(query) => search_page(svc, ctx, &query, &filter, cursor, limit).await,
        None => recent_page(svc, ctx, &filter, cursor, limit).await,
    }
}

/// Search hits, most relevant first, after the cursor `(rank, id)`.
async fn search_page(
    svc: &Services,
    ctx: &Ctx,
    query: &str,
    filter: &NoteFilter,
    cursor: Option<&str>,
    limit: i64,
) -> ServiceResult<NotePage> {
    let after = cursor.map(pagination::decode::<(f32, Uuid)>).transpose()?;
    let hits = store::search(&svc.db, ctx.user_id, query, filter, after, limit + 1).await?;
    let (hits, next_cursor) = paginate(hits, limit, |h| (h.rank, h.note.id));
    let items = hits
        .into_iter()
        .map(|h| NoteListItem {
            note: h.note.into(),
            rank: Some(h.rank),
            snippet: Some(render_snippet(&h.headline)),
        })
        .collect();
    Ok(NotePage { items, next_cursor })
}

/// Notes, most recently updated first, after the cursor `(updated_at, id)`.
async fn recent_page(
    svc: &Services,
    ctx: &Ctx,
    filter: &NoteFilter,
    cursor: Option<&str>,
    limit: i64,
) -> ServiceResult<NotePage> {
    let after = cursor
        .map(pagination::decode::<(DateTime<Utc>, Uuid)>)
        .transpose()?;
    let rows = store::list(&svc.db, ctx.user_id, filter, after, limit + 1).await?;
    let (rows, next_cursor) = paginate(rows, limit, |r| (r.updated_at, r.id));
    let items = rows
        .into_iter()
        .map(|r| NoteListItem {
            note: r.into(),
            rank: None,
            snippet: None,
        })
        .collect();
    Ok(NotePage { items, next_cursor })
}
