//! Notification channels and the user's choices about them.
//!
//! Preferences live in `users.preferences.notifications`:
//! `{"email": bool, "websocket": bool, "<kind>": {"email": bool, "websocket": bool}}`,
//! every switch on by default; a kind's switch overrides the global one.

use serde_json::Value;

/// Where a notification can go.
pub const CHANNELS: [&str; 2] = ["email", "websocket"];

/// Whether `channel` is on for notifications of `kind` under `preferences` (the whole
/// `users.preferences` object).
#[must_use]
pub fn channel_enabled(preferences: &Value, kind: &str, channel: &str) -> bool {
    let settings = &preferences["notifications"];
    settings[kind][channel]
        .as_bool()
        .or_else(|| settings[channel].as_bool())
        .unwrap_or(true)
}

/// The channels on, and the channels off, for a notification of `kind`.
#[must_use]
pub fn split_channels(preferences: &Value, kind: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    CHANNELS
        .iter()
        .partition(|c| channel_enabled(preferences, kind, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_channel_is_on_by_default() {
        assert_eq!(
            split_channels(&json!({}), "reminder"),
            (vec!["email", "websocket"], vec![])
        );
    }

    #[test]
    fn a_kind_switch_overrides_the_global_one() {
        let prefs = json!({ "notifications": { "email": false, "reminder": { "email": true, "websocket": false } } });
        assert_eq!(
            split_channels(&prefs, "reminder"),
            (vec!["email"], vec!["websocket"])
        );
        assert_eq!(
            split_channels(&prefs, "billing"),
            (vec!["websocket"], vec!["email"])
        );
    }

    #[test]
    fn non_boolean_values_are_ignored() {
        let prefs = json!({ "notifications": { "email": "no" } });
        assert!(channel_enabled(&prefs, "reminder", "email"));
    }
}
