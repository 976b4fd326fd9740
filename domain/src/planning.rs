//! Values shared by the planning entities (courses, goals, tasks, schedule, notes).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::validation::InputError;

/// Whether text holds a control character other than tab and line breaks (NUL and
/// friends cannot be stored or displayed sensibly).
#[must_use]
pub fn has_control_chars(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

/// A title: trimmed, not blank, at most `max` characters (200 unless stated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Title(String);

impl Title {
    pub const MAX: usize = 200;

    pub fn parse(raw: &str) -> Result<Self, InputError> {
        Self::parse_max(raw, Self::MAX)
    }

    pub fn parse_max(raw: &str, max: usize) -> Result<Self, InputError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(InputError::Blank);
        }
        if s.chars().count() > max {
            return Err(InputError::TooLong { max });
        }
        if has_control_chars(s) {
            return Err(InputError::ControlCharacters);
        }
        Ok(Self(s.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Title {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Free text (descriptions, notes) of at most `max` characters; blank becomes `None`.
pub fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, InputError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().count() > max => Err(InputError::TooLong { max }),
        Some(s) if has_control_chars(s) => Err(InputError::ControlCharacters),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

/// Tags: at most 20, each trimmed, 1–50 characters; duplicates (ignoring case) are
/// dropped, the first spelling kept.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(transparent)]
pub struct Tags(Vec<String>);

impl Tags {
    pub const MAX_TAGS: usize = 20;
    pub const MAX_LEN: usize = 50;

    pub fn parse(raw: &[String]) -> Result<Self, InputError> {
        let mut tags: Vec<String> = Vec::with_capacity(raw.len());
        for tag in raw {
            let t = tag.trim();
            if t.is_empty() {
                return Err(InputError::Blank);
            }
            if t.chars().count() > Self::MAX_LEN {
                return Err(InputError::TooLong { max: Self::MAX_LEN });
            }
            if has_control_chars(t) {
                return Err(InputError::ControlCharacters);
            }
            if !tags.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                tags.push(t.to_owned());
            }
        }
        if tags.len() > Self::MAX_TAGS {
            return Err(InputError::TooMany {
                max: Self::MAX_TAGS,
            });
        }
        Ok(Self(tags))
    }

    #[must_use]
    pub fn into_vec(self) -> Vec<String> {
        self.0
    }
}

/// How urgent something is; also its sort order (urgent first when descending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Priority {
    Low,
    Medium,
    High,
    Urgent,
}

text_enum!(Priority { Low => "low", Medium => "medium", High => "high", Urgent => "urgent" });

impl Priority {
    /// Rank for sorting (low = 1 … urgent = 4).
    #[must_use]
    pub fn rank(self) -> i16 {
        match self {
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 3,
            Self::Urgent => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_non_blank_and_bounded() {
        assert_eq!(
            Title::parse("  Read ch. 3 ").map(Title::into_string),
            Ok("Read ch. 3".into())
        );
        assert_eq!(Title::parse("   "), Err(InputError::Blank));
        assert!(Title::parse(&"a".repeat(200)).is_ok());
        assert_eq!(
            Title::parse(&"a".repeat(201)),
            Err(InputError::TooLong { max: 200 })
        );
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_bounded() {
        let raw = vec![" exam ".to_owned(), "Exam".to_owned(), "math".to_owned()];
        assert_eq!(
            Tags::parse(&raw).map(Tags::into_vec),
            Ok(vec!["exam".into(), "math".into()])
        );
        assert_eq!(Tags::parse(&[" ".to_owned()]), Err(InputError::Blank));
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert_eq!(Tags::parse(&many), Err(InputError::TooMany { max: 20 }));
    }

    #[test]
    fn priorities_parse_and_rank() {
        assert_eq!("urgent".parse::<Priority>(), Ok(Priority::Urgent));
        assert!("critical".parse::<Priority>().is_err());
        assert!(Priority::Urgent.rank() > Priority::Low.rank());
    }

    #[test]
    fn optional_text_drops_blank_and_bounds_length() {
        assert_eq!(optional_text(Some("  "), 10), Ok(None));
        assert_eq!(optional_text(Some(" hi "), 10), Ok(Some("hi".into())));
        assert!(optional_text(Some(&"x".repeat(11)), 10).is_err());
    }
}
