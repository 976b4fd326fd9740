//! The resource catalogue and a user's saved resources: kinds, difficulty, and the
//! bounded numbers (minutes, progress, rating).
//!
//! Visibility: a resource a user adds is private to them; public resources (seeded
//! or published by an operator) are visible to everyone. Another user's private
//! resource does not exist as far as the API is concerned (404).

use serde::{Deserialize, Serialize};

use crate::validation::InputError;

/// Longest resource title.
pub const TITLE_MAX: usize = 300;
/// Longest `source` (e.g. "YouTube", "MIT OpenCourseWare").
pub const SOURCE_MAX: usize = 200;
/// Longest description or saved-resource note.
pub const TEXT_MAX: usize = 10_000;
/// Longest URL, in characters.
pub const URL_MAX: usize = 2048;

/// What kind of thing a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ResourceType {
    Article,
    Video,
    Course,
    Book,
    Podcast,
    Exercise,
    Documentation,
    Other,
}

text_enum!(ResourceType {
    Article => "article",
    Video => "video",
    Course => "course",
    Book => "book",
    Podcast => "podcast",
    Exercise => "exercise",
    Documentation => "documentation",
    Other => "other",
});

/// How hard a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ResourceDifficulty))]
pub enum Difficulty {
    Beginner,
    Intermediate,
    Advanced,
}

text_enum!(Difficulty { Beginner => "beginner", Intermediate => "intermediate", Advanced => "advanced" });

fn out_of_range(min: impl ToString, max: impl ToString) -> InputError {
    InputError::OutOfRange {
        min: min.to_string(),
        max: max.to_string(),
    }
}

/// Length in minutes: 0–100,000.
pub fn duration_minutes(raw: i64) -> Result<i32, InputError> {
    i32::try_from(raw)
        .ok()
        .filter(|m| (0..=100_000).contains(m))
        .ok_or_else(|| out_of_range(0, 100_000))
}

/// How far through a resource the user is: a finite number in 0–1.
pub fn progress(raw: f64) -> Result<f32, InputError> {
    if raw.is_finite() && (0.0..=1.0).contains(&raw) {
        #[allow(clippy::cast_possible_truncation)] // in 0..=1, f32 is precise enough
        Ok(raw as f32)
    } else {
        Err(out_of_range(0, 1))
    }
}

/// A star rating: 1–5.
pub fn rating(raw: i64) -> Result<i32, InputError> {
    i32::try_from(raw)
        .ok()
        .filter(|r| (1..=5).contains(r))
        .ok_or_else(|| out_of_range(1, 5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(duration_minutes(90), Ok(90));
        assert!(duration_minutes(-1).is_err());
        assert!(duration_minutes(100_001).is_err());
        assert_eq!(progress(0.5), Ok(0.5));
        assert!(progress(1.01).is_err());
        assert!(progress(f64::NAN).is_err());
        assert_eq!(rating(5), Ok(5));
        assert!(rating(0).is_err());
        assert!(rating(6).is_err());
    }

    #[test]
    fn kinds_parse_from_their_spelling() {
        assert_eq!(
            "documentation".parse::<ResourceType>(),
            Ok(ResourceType::Documentation)
        );
        assert!("blog".parse::<ResourceType>().is_err());
        assert_eq!("advanced".parse::<Difficulty>(), Ok(Difficulty::Advanced));
    }
}
