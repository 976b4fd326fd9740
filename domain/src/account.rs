//! Account values: each parses untrusted input once, so the rest of the code holds
//! only valid values.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::validation::InputError;

/// A syntactically valid e-mail address, trimmed and lower-cased (addresses are
/// compared case-insensitively everywhere, and stored that way).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    const MAX: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let s = raw.trim().to_lowercase();
        if s.chars().count() > Self::MAX {
            return Err(InputError::TooLong { max: Self::MAX });
        }
        let (local, domain) = s.split_once('@').ok_or(InputError::InvalidEmail)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c == '@' || c.is_control());
        if domain_ok && local_ok {
            Ok(Self(s))
        } else {
            Err(InputError::InvalidEmail)
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password that meets our policy (OWASP ASVS: 8–128 characters, any
/// characters, not blank). It is never displayed or serialised.
pub struct Password(String);

impl Password {
    const MIN: usize = 8;
    const MAX: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let len = raw.chars().count();
        if raw.trim().is_empty() {
            return Err(InputError::Blank);
        }
        if len < Self::MIN {
            return Err(InputError::TooShort { min: Self::MIN });
        }
        if len > Self::MAX {
            return Err(InputError::TooLong { max: Self::MAX });
        }
        Ok(Self(raw.to_owned()))
    }

    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A person's display name: trimmed, 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    const MAX: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(InputError::Blank);
        }
        if s.chars().count() > Self::MAX {
            return Err(InputError::TooLong { max: Self::MAX });
        }
        if crate::planning::has_control_chars(s) {
            return Err(InputError::ControlCharacters);
        }
        Ok(Self(s.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time-zone name known to chrono-tz (e.g. `Africa/Lagos`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        chrono_tz::Tz::from_str(raw.trim())
            .map(Self)
            .map_err(|_| InputError::UnknownTimezone(raw.chars().take(64).collect()))
    }

    #[must_use]
    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    #[must_use]
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

/// Free-form client preferences: a JSON object, bounded in size so one user cannot
/// store megabytes in a profile row.
#[derive(Debug, Clone, PartialEq)]
pub struct Preferences(Map<String, Value>);

impl Preferences {
    const MAX_BYTES: usize = 16 * 1024;

    pub fn parse(value: Value) -> Result<Self, InputError> {
        let too_big = serde_json::to_vec(&value).map_or(true, |v| v.len() > Self::MAX_BYTES);
        if let Some(settings) = value.get("notifications").filter(|v| !v.is_null()) {
            crate::notifications::check_settings(settings)?;
        }
        match value {
            Value::Object(map) if !too_big => Ok(Self(map)),
            _ => Err(InputError::BadPreferences {
                max: Self::MAX_BYTES,
            }),
        }
    }

    #[must_use]
    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

/// What a user may do beyond their own data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    User,
    Admin,
}

/// Subscription tier; limits (rate, AI quota) are looked up by tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Tier {
    Free,
    PremiumMonthly,
    PremiumYearly,
}

text_enum!(Role { User => "user", Admin => "admin" });
text_enum!(Tier { Free => "FREE", PremiumMonthly => "PREMIUM_MONTHLY", PremiumYearly => "PREMIUM_YEARLY" });

impl Tier {
    #[must_use]
    pub fn is_premium(self) -> bool {
        !matches!(self, Self::Free)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        let email = Email::parse("  Ada@Example.COM ").expect("valid");
        assert_eq!(email.as_str(), "ada@example.com");
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@.example.com",
            "ada@example..com",
            "a da@example.com",
            "ada@exa mple.com",
            "ada@@example.com",
        ] {
            assert_eq!(Email::parse(bad), Err(InputError::InvalidEmail), "{bad:?}");
        }
    }

    #[test]
    fn passwords_follow_the_length_policy() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("        ").is_err());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        assert!(Password::parse("correct horse").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("correct horse").ok()),
            "Some(Password(***))"
        );
    }

    #[test]
    fn timezones_must_be_iana_names() {
        assert_eq!(
            Timezone::parse("Europe/Paris").map(Timezone::name),
            Ok("Europe/Paris")
        );
        assert!(Timezone::parse("Mars/Olympus").is_err());
        assert!(Timezone::parse("").is_err());
    }

    #[test]
    fn preferences_must_be_a_small_object() {
        assert!(Preferences::parse(json!({"theme": "dark"})).is_ok());
        assert!(Preferences::parse(json!([1, 2])).is_err());
        assert!(Preferences::parse(json!({"blob": "x".repeat(20_000)})).is_err());
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse(" Ada ").map(|n| n.0), Ok("Ada".into()));
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"a".repeat(101)).is_err());
    }

    #[test]
    fn tiers_round_trip_their_database_spelling() {
        for tier in [Tier::Free, Tier::PremiumMonthly, Tier::PremiumYearly] {
            assert_eq!(tier.as_str().parse::<Tier>(), Ok(tier));
        }
        assert!("GOLD".parse::<Tier>().is_err());
    }
}
