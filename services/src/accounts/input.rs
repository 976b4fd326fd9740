//! Request bodies of the account use-cases and their checks.

use maigie_domain::{DisplayName, Email, Password, Preferences, Timezone, Validation};
use maigie_store::users::ProfileChanges;
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::input::nullable;

/// A registration with e-mail and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(example = "ada@example.com")]
    pub email: String,
    /// 8–128 characters.
    pub password: String,
    pub name: Option<String>,
}

/// A checked registration.
#[derive(Debug)]
pub struct Registration {
    pub email: Email,
    pub password: Password,
    pub name: Option<DisplayName>,
}

impl RegisterRequest {
    /// Checks every field (422 with each failure).
    pub fn parse(&self) -> ServiceResult<Registration> {
        let mut v = Validation::new();
        let email = v.check("email", Email::parse(&self.email));
        let password = v.check("password", Password::parse(&self.password));
        let name = match self.name.as_deref() {
            Some(raw) => v.check("name", DisplayName::parse(raw)),
            None => None,
        };
        v.finish()?;
        let (Some(email), Some(password)) = (email, password) else {
            return Err(ServiceError::Internal(
                "validation passed without values".into(),
            ));
        };
        Ok(Registration {
            email,
            password,
            name,
        })
    }
}

/// Changes to the profile.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfile {
    /// 1–100 characters; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// IANA time zone, e.g. `America/New_York`.
    pub timezone: Option<String>,
    /// Merged key by key into the stored preferences; a key set to `null` is removed.
    #[schema(value_type = Option<Object>)]
    pub preferences: Option<Value>,
}

impl UpdateProfile {
    /// Checks every field (422 with each failure).
    pub(super) fn parse(self) -> ServiceResult<ProfileChanges> {
        let mut v = Validation::new();
        let name = match self.name {
            Some(Some(raw)) => v
                .check("name", DisplayName::parse(&raw))
                .map(|n| Some(n.as_str().to_owned())),
            Some(None) => Some(None),
            None => None,
        };
        let timezone = self
            .timezone
            .as_deref()
            .and_then(|raw| v.check("timezone", Timezone::parse(raw)))
            .map(|tz| tz.name().to_owned());
        let preferences = self
            .preferences
            .and_then(|raw| v.check("preferences", Preferences::parse(raw)))
            .map(Preferences::into_value);
        v.finish()?;
        Ok(ProfileChanges {
            name,
            timezone,
            preferences,
        })
    }
}

/// A new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// Required when the account has a password (not for Google-only accounts).
    pub current_password: Option<String>,
    pub new_password: String,
}

/// The confirmation of a deletion.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccount {
    /// Required when the account has a password.
    pub password: Option<String>,
}
