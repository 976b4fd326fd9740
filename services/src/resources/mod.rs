//! The resource catalogue and what a user saved of it (progress, rating, notes,
//! completion).
//!
//! Visibility: resources a user adds are private to them; public ones are visible
//! to all. Another user's private resource is not found everywhere, saving
//! included. Only your own private resources can be changed or deleted.
//!
//! Live events, announced after commit: `resource.created|updated|deleted` and
//! `saved_resource.created|updated|deleted` (saving again announces nothing).

mod catalogue;
mod input;
pub mod recommend;
mod saved;

use chrono::{DateTime, Utc};
use maigie_domain::resources::{Difficulty, ResourceType};
use maigie_store::resources::{ResourceRow, SavedRow};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use catalogue::{ResourceListParams, create, delete, get, list, update};
pub use input::{CreateResource, UpdateResource, web_url};
pub use saved::{
    SaveResource, SavedListParams, UpdateSavedResource, get_saved, list_saved, save, unsave,
    update_saved,
};

use crate::error::{ServiceError, ServiceResult};

/// A catalogue entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourceView {
    pub id: Uuid,
    #[schema(example = "The Rust Book")]
    pub title: String,
    pub resource_type: ResourceType,
    #[schema(example = "https://doc.rust-lang.org/book/")]
    pub url: String,
    pub source: Option<String>,
    pub difficulty: Option<Difficulty>,
    pub duration_minutes: Option<i32>,
    pub thumbnail_url: Option<String>,
    pub description: Option<String>,
    /// Visible to everyone; otherwise only to its creator.
    pub is_public: bool,
    /// Whether you created it (and so may change or delete it while private).
    pub created_by_me: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ResourceView {
    /// The row as `me` sees it.
    fn new(r: ResourceRow, me: Uuid) -> ServiceResult<Self> {
        Ok(Self {
            id: r.id,
            title: r.title,
            resource_type: r.resource_type.parse().map_err(ServiceError::internal)?,
            url: r.url,
            source: r.source,
            difficulty: r
                .difficulty
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(ServiceError::internal)?,
            duration_minutes: r.duration_minutes,
            thumbnail_url: r.thumbnail_url,
            description: r.description,
            is_public: r.is_public,
            created_by_me: r.created_by == Some(me),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// A resource in a list; `rank` only when searching.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourceListItem {
    #[serde(flatten)]
    pub resource: ResourceView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<f32>,
}

/// A page of resources.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourcePage {
    pub items: Vec<ResourceListItem>,
    pub next_cursor: Option<String>,
}

/// A resource you saved, with your progress.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedResourceView {
    pub resource: ResourceView,
    /// 0–1; 1 when completed.
    pub progress: f32,
    /// 1–5.
    pub rating: Option<i32>,
    pub notes: Option<String>,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub saved_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SavedResourceView {
    /// The save as `me` sees it.
    fn new(r: SavedRow, me: Uuid) -> ServiceResult<Self> {
        Ok(Self {
            resource: ResourceView::new(r.resource, me)?,
            progress: r.progress,
            rating: r.rating,
            notes: r.notes,
            completed: r.completed_at.is_some(),
            completed_at: r.completed_at,
            saved_at: r.saved_at,
            updated_at: r.saved_updated_at,
        })
    }
}

/// A page of saved resources.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedResourcePage {
    pub items: Vec<SavedResourceView>,
    pub next_cursor: Option<String>,
}

/// The answer to saving a resource.
#[derive(Debug, Clone)]
pub struct Saved {
    pub view: SavedResourceView,
    /// `false` when it was already saved (the existing save, unchanged).
    pub created: bool,
}
