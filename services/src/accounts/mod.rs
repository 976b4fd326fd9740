//! Accounts: registration (the user, the onboarding workflow start and the audit
//! entry in one transaction), the profile (announces `user.updated`), the password
//! and the deletion of an account (each one transaction with its audit entry), and
//! grants of the admin role ([`grant_admin`]: only on proof, always audited).
//!
//! Hashing passwords is CPU-heavy and stays with the adapter, behind a
//! [`PasswordHasher`]; so do access and refresh tokens (issuing them, and denying a
//! revoked access token).

mod address;
mod admin;
mod error;
mod export;
mod identity;
mod input;
mod recovery;
pub mod sessions;
mod write;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use maigie_domain::{Role, Tier};
use maigie_store::users::UserRow;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

pub use address::{
    AddressToken, AdminPolicy, ChangeEmail, EmailChangePending, EmailConfirmed, confirm_email,
    request_email_change, resend_verification, revert_email,
};
pub use admin::{AdminGrant, Granted, Vouched, grant_admin, promote_vouched};
pub use error::{AccountError, AccountResult};
pub use export::{EXPORT_FORMAT, export};
pub use identity::link_identity;
pub use input::{ChangePassword, DeleteAccount, RegisterRequest, Registration, UpdateProfile};
pub use recovery::{
    ForgotPassword, ResetPassword, parse_forgot, request_password_reset, reset_password,
};
pub use write::{
    NewAccount, REAUTHENTICATION_WINDOW_SECS, change_password, delete, profile, register,
    update_profile,
};

use crate::error::{ServiceError, ServiceResult};

/// Hashes and checks passwords (argon2 in the API, off the async runtime).
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A PHC string for `password`.
    async fn hash(&self, password: String) -> ServiceResult<String>;

    /// Whether `password` matches `stored`; with nothing stored it still does the
    /// work of a check and answers `false`.
    async fn verify(&self, password: String, stored: Option<String>) -> ServiceResult<bool>;
}

/// A user as they see themselves.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub tier: Tier,
    /// IANA time zone.
    #[schema(example = "Europe/Paris")]
    pub timezone: String,
    #[schema(value_type = Object)]
    pub preferences: Value,
    pub email_verified: bool,
    /// When the address was proven (a mailed link, or Google vouching for it).
    pub email_verified_at: Option<DateTime<Utc>>,
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<&UserRow> for UserView {
    type Error = ServiceError;

    fn try_from(row: &UserRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: row.id,
            email: row.email.clone(),
            name: row.name.clone(),
            role: row.role.parse().map_err(ServiceError::internal)?,
            tier: row.tier.parse().map_err(ServiceError::internal)?,
            timezone: row.timezone.clone(),
            preferences: row.preferences.clone(),
            email_verified: row.email_verified,
            email_verified_at: row.email_verified_at,
            has_password: row.password_hash.is_some(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}
