//! Notification channels and the user's choices about them.
//!
//! Preferences live in `users.preferences.notifications`:
//! `{"email": bool, "websocket": bool, "<kind>": {"email": bool, "websocket": bool},
//!   "quiet_hours": {"start": "22:00", "end": "07:00"}}`,
//! every switch on by default; a kind's switch overrides the global one. During quiet
//! hours (wall-clock times in the user's zone; a window may cross midnight) e-mail is
//! held until they end; in-app notifications still arrive.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use crate::validation::InputError;

/// Where a notification can go.
pub const CHANNELS: [&str; 2] = ["email", "websocket"];
/// Kinds of notification (the `notifications.kind` column).
pub const KINDS: [&str; 5] = ["reminder", "ai_action", "billing", "plan", "system"];

/// Checks a `notifications` settings document: only the channel switches, the kinds'
/// switches and `quiet_hours` (or `null`), each of the right type.
pub fn check_settings(settings: &Value) -> Result<(), InputError> {
    let bad = |m: String| Err(InputError::BadNotificationSettings(m));
    let Value::Object(map) = settings else {
        return bad("notifications must be an object".into());
    };
    let check_switches = |path: &str, v: &Value| -> Result<(), InputError> {
        let Value::Object(m) = v else {
            return bad(format!("{path} must be an object of channel switches"));
        };
        for (channel, on) in m {
            if !CHANNELS.contains(&channel.as_str()) {
                return bad(format!(
                    "{path}.{channel}: unknown channel (email, websocket)"
                ));
            }
            if !on.is_boolean() && !on.is_null() {
                return bad(format!("{path}.{channel} must be true or false"));
            }
        }
        Ok(())
    };
    for (key, value) in map {
        match key.as_str() {
            // `null` leaves a switch unset (on).
            "email" | "websocket" if value.is_boolean() || value.is_null() => {}
            "email" | "websocket" => return bad(format!("{key} must be true or false")),
            "quiet_hours" if value.is_null() => {}
            "quiet_hours" => {
                QuietHours::parse(value)?;
            }
            kind if KINDS.contains(&kind) => check_switches(kind, value)?,
            other => {
                return bad(format!(
                    "unknown key {other:?} (email, websocket, quiet_hours, or a kind: {})",
                    KINDS.join(", ")
                ));
            }
        }
    }
    Ok(())
}

/// A daily quiet window in the user's wall-clock time; `start > end` crosses midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    /// Parses `{"start": "HH:MM", "end": "HH:MM"}` (seconds allowed: `HH:MM:SS`;
    /// start and end differ).
    pub fn parse(value: &Value) -> Result<Self, InputError> {
        let bad = |m: &str| InputError::BadNotificationSettings(format!("quiet_hours: {m}"));
        let time = |field: &str| {
            value[field]
                .as_str()
                .and_then(|s| {
                    NaiveTime::parse_from_str(s, "%H:%M")
                        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
                        .ok()
                })
                .ok_or_else(|| bad(&format!("{field} must be a time such as \"22:00\"")))
        };
        let Value::Object(map) = value else {
            return Err(bad("must be an object {start, end} or null"));
        };
        if let Some(k) = map.keys().find(|k| *k != "start" && *k != "end") {
            return Err(bad(&format!("unknown key {k:?}")));
        }
        let (start, end) = (time("start")?, time("end")?);
        if start == end {
            return Err(bad("start and end must differ"));
        }
        Ok(Self { start, end })
    }

    /// The user's quiet hours, if they set valid ones (`preferences` is the whole
    /// `users.preferences` object).
    #[must_use]
    pub fn of(preferences: &Value) -> Option<Self> {
        Self::parse(&preferences["notifications"]["quiet_hours"]).ok()
    }

    /// When `at` falls inside quiet hours in `tz`, the instant they end; else `None`.
    #[must_use]
    pub fn holds_until(&self, at: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(&tz).naive_local();
        let (day, time) = (local.date(), local.time());
        let end_day = if self.start < self.end {
            (self.start <= time && time < self.end).then_some(day)?
        } else if time >= self.start {
            day + Duration::days(1)
        } else if time < self.end {
            day
        } else {
            return None;
        };
        let end = crate::schedule::resolve_local(tz, end_day.and_time(self.end));
        // A DST jump can put the resolved end at or before `at`: nothing to hold.
        (end > at).then_some(end)
    }
}

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

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test value")
            .with_timezone(&Utc)
    }

    #[test]
    fn quiet_hours_crossing_midnight_hold_until_the_morning() {
        let q = QuietHours::parse(&json!({"start": "22:00", "end": "07:00"})).expect("test value");
        let paris: Tz = "Europe/Paris".parse().expect("test value");
        // 23:30 Paris (winter, UTC+1) → 07:00 next day Paris.
        assert_eq!(
            q.holds_until(utc("2026-01-10T22:30:00Z"), paris),
            Some(utc("2026-01-11T06:00:00Z"))
        );
        // 05:00 Paris → 07:00 the same day.
        assert_eq!(
            q.holds_until(utc("2026-01-11T04:00:00Z"), paris),
            Some(utc("2026-01-11T06:00:00Z"))
        );
        // 07:00 sharp and midday are not quiet.
        assert_eq!(q.holds_until(utc("2026-01-11T06:00:00Z"), paris), None);
        assert_eq!(q.holds_until(utc("2026-01-11T11:00:00Z"), paris), None);
    }

    #[test]
    fn quiet_hours_within_a_day() {
        let q = QuietHours::parse(&json!({"start": "12:00", "end": "14:00"})).expect("test value");
        let tz: Tz = "UTC".parse().expect("test value");
        assert_eq!(
            q.holds_until(utc("2026-03-01T12:00:00Z"), tz),
            Some(utc("2026-03-01T14:00:00Z"))
        );
        assert_eq!(q.holds_until(utc("2026-03-01T11:59:59Z"), tz), None);
        assert_eq!(q.holds_until(utc("2026-03-01T14:00:00Z"), tz), None);
    }

    #[test]
    fn quiet_hours_ending_in_a_dst_gap_end_after_the_gap() {
        // 2026-03-29 02:00 does not exist in Paris: the end moves forward by the gap.
        let q = QuietHours::parse(&json!({"start": "01:00", "end": "02:30"})).expect("test value");
        let paris: Tz = "Europe/Paris".parse().expect("test value");
        assert_eq!(
            q.holds_until(utc("2026-03-29T00:30:00Z"), paris),
            Some(utc("2026-03-29T01:30:00Z"))
        );
    }

    #[test]
    fn settings_are_checked_strictly() {
        assert!(
            check_settings(&json!({"email": false, "reminder": {"websocket": true},
            "quiet_hours": {"start": "22:00", "end": "07:00"}}))
            .is_ok()
        );
        assert!(check_settings(&json!({"quiet_hours": null})).is_ok());
        for bad in [
            json!([]),
            json!({"email": "no"}),
            json!({"sms": true}),
            json!({"reminder": {"sms": true}}),
            json!({"reminder": true}),
            json!({"quiet_hours": {"start": "22:00"}}),
            json!({"quiet_hours": {"start": "25:00", "end": "07:00"}}),
            json!({"quiet_hours": {"start": "07:00", "end": "07:00"}}),
            json!({"quiet_hours": {"start": "22:00", "end": "07:00", "x": 1}}),
        ] {
            assert!(check_settings(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_boolean_values_are_ignored() {
        let prefs = json!({ "notifications": { "email": "no" } });
        assert!(channel_enabled(&prefs, "reminder", "email"));
    }
}
