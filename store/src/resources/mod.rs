//! The resource catalogue and users' saved resources.
//!
//! Visibility (see migration 0003): a resource is visible to a user when it is
//! public or they created it. Users create private resources and may change or
//! delete only their own private ones; publishing is an operator's act. Every query
//! here carries that predicate, so another user's private resource is simply absent.

use chrono::{DateTime, Utc};
use uuid::Uuid;

macro_rules! columns {
    () => {
        "r.id, r.title, r.resource_type, r.url, r.source, r.difficulty, r.duration_minutes, \
         r.thumbnail_url, r.description, r.created_by, r.is_public, r.created_at, r.updated_at"
    };
}

macro_rules! saved_columns {
    () => {
        "s.progress, s.rating, s.notes, s.completed_at, s.saved_at, s.updated_at AS saved_updated_at"
    };
}

mod catalogue;
pub mod recommend;
mod saved;

pub use catalogue::{create, delete_own, get_visible, list, update_own};
pub use saved::{SavedChanges, get_saved, list_saved, save, unsave, update_saved};

/// A resource as stored (never the tsvector or embedding).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResourceRow {
    pub id: Uuid,
    pub title: String,
    pub resource_type: String,
    pub url: String,
    pub source: Option<String>,
    pub difficulty: Option<String>,
    pub duration_minutes: Option<i32>,
    pub thumbnail_url: Option<String>,
    pub description: Option<String>,
    pub created_by: Option<Uuid>,
    pub is_public: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A resource with its search rank (0 when the list is not a search).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RankedResource {
    #[sqlx(flatten)]
    pub resource: ResourceRow,
    pub rank: f32,
}

/// A user's saved resource, with the resource.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SavedRow {
    #[sqlx(flatten)]
    pub resource: ResourceRow,
    pub progress: f32,
    pub rating: Option<i32>,
    pub notes: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub saved_at: DateTime<Utc>,
    pub saved_updated_at: DateTime<Utc>,
}

/// A resource's fields (values already validated).
#[derive(Debug, Clone, Default)]
pub struct ResourceFields {
    pub title: String,
    pub resource_type: &'static str,
    pub url: String,
    pub source: Option<String>,
    pub difficulty: Option<&'static str>,
    pub duration_minutes: Option<i32>,
    pub thumbnail_url: Option<String>,
    pub description: Option<String>,
}

/// Changes to a resource; `None` keeps a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ResourceChanges {
    pub title: Option<String>,
    pub resource_type: Option<&'static str>,
    pub url: Option<String>,
    pub source: Option<Option<String>>,
    pub difficulty: Option<Option<&'static str>>,
    pub duration_minutes: Option<Option<i32>>,
    pub thumbnail_url: Option<Option<String>>,
    pub description: Option<Option<String>>,
}

/// Which visible resources a list covers.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    pub resource_type: Option<&'static str>,
    pub difficulty: Option<&'static str>,
    /// Only the ones this user created.
    pub mine: bool,
    /// A web-search-syntax query; results are then ordered by rank.
    pub search: Option<String>,
}

/// Where a page starts: after (created_at, id), or after (rank, id) for a search.
#[derive(Debug, Clone, Copy)]
pub enum ResourceCursor {
    Created(DateTime<Utc>, Uuid),
    Rank(f32, Uuid),
}
