//! Response shapes shared by several routes.

use chrono::{DateTime, Utc};
use maigie_domain::{Role, Tier};
use maigie_store::users::UserRow;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// A user as they see themselves.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: Option<String>,
    #[schema(value_type = String, example = "user")]
    pub role: Role,
    #[schema(value_type = String, example = "FREE")]
    pub tier: Tier,
    /// IANA time zone.
    #[schema(example = "Europe/Paris")]
    pub timezone: String,
    #[schema(value_type = Object)]
    pub preferences: Value,
    pub email_verified: bool,
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<&UserRow> for UserView {
    type Error = ApiError;

    fn try_from(row: &UserRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: row.id,
            email: row.email.clone(),
            name: row.name.clone(),
            role: row.role.parse().map_err(ApiError::internal)?,
            tier: row.tier.parse().map_err(ApiError::internal)?,
            timezone: row.timezone.clone(),
            preferences: row.preferences.clone(),
            email_verified: row.email_verified,
            has_password: row.password_hash.is_some(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}
