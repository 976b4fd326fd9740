//! Notification settings, stored in `preferences.notifications` of the profile.
//! Missing switches are on; a kind's switch overrides the global one.
//!
//! The account is read and written here as a whole row: a missing account is
//! [`ServiceError::NotFound`], which the adapters of the signed-in user's own routes
//! report as "the account no longer exists".

use maigie_domain::EventKind;
use maigie_domain::notifications::{CHANNELS, check_settings};
use maigie_domain::validation::ParseError;
use maigie_store::StoreError;
use maigie_store::users::{self, ProfileChanges};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::{Ctx, Services};

/// Notification settings (stored in `preferences.notifications` of the profile).
/// Missing switches are on; a kind's switch overrides the global one.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"email": true, "websocket": true, "reminder": {"email": false},
    "quiet_hours": {"start": "22:00", "end": "07:00"}}))]
#[schema(value_type = Object)]
pub struct NotificationSettings(Value);

impl NotificationSettings {
    /// The settings in force for a stored document: every channel defaults to on,
    /// quiet hours to none.
    #[must_use]
    pub fn effective(stored: &Value) -> Self {
        let mut doc = match stored {
            Value::Object(m) => m.clone(),
            _ => serde_json::Map::new(),
        };
        for channel in CHANNELS {
            doc.entry(channel).or_insert(Value::Bool(true));
        }
        doc.entry("quiet_hours").or_insert(Value::Null);
        Self(Value::Object(doc))
    }
}

/// Maps a failed profile update (shared by every write of the profile): the account
/// is gone ([`ServiceError::NotFound`]) or the merged preferences are too large (a
/// field error on `preferences`).
pub fn profile_error(err: StoreError) -> ServiceError {
    match err {
        StoreError::Constraint(c) if c == users::PREFERENCES_TOO_LARGE => {
            ServiceError::invalid_field(
                "preferences",
                "too_large",
                "The merged preferences would exceed 16 KiB.",
            )
        }
        other => other.into(),
    }
}

/// The caller's notification settings: channel switches (global and per kind) and
/// quiet hours (`HH:MM` in the user's time zone; e-mail is held until they end).
pub async fn preferences(svc: &Services, ctx: &Ctx) -> ServiceResult<NotificationSettings> {
    let row = users::find_by_id(&svc.db, ctx.user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(NotificationSettings::effective(
        &row.preferences["notifications"],
    ))
}

/// Replaces the notification settings with `doc` (checked whole: 422
/// `invalid_notification_settings` and the like on `preferences`).
pub async fn set_preferences(
    svc: &Services,
    ctx: &Ctx,
    doc: Value,
) -> ServiceResult<NotificationSettings> {
    if let Err(e) = check_settings(&doc) {
        return Err(ServiceError::invalid_field(
            "preferences",
            e.code(),
            e.to_string(),
        ));
    }
    let changes = ProfileChanges {
        name: None,
        timezone: None,
        preferences: Some(json!({ "notifications": doc })),
    };
    let mut work = svc.begin().await?;
    let row = users::update_profile(work.conn(), ctx.user_id, changes)
        .await
        .map_err(profile_error)?;
    let settings = NotificationSettings::effective(&row.preferences["notifications"]);
    work.announce(
        ctx.user_id,
        EventKind::NotificationPreferencesUpdated,
        &settings,
    );
    work.commit(svc).await?;
    Ok(settings)
}
