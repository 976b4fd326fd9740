//! Goals: status, time horizon, and the completion rule.

use serde::{Deserialize, Serialize};

/// Where a goal stands. `completed_at` is set exactly when the status is COMPLETED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GoalStatus {
    NotStarted,
    InProgress,
    Completed,
    Abandoned,
}

text_enum!(GoalStatus {
    NotStarted => "NOT_STARTED",
    InProgress => "IN_PROGRESS",
    Completed => "COMPLETED",
    Abandoned => "ABANDONED",
});

impl GoalStatus {
    /// Whether a goal in this status counts as finished.
    #[must_use]
    pub fn is_completed(self) -> bool {
        matches!(self, Self::Completed)
    }
}

/// How far away a goal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TimeHorizon {
    Short,
    Medium,
    Long,
}

text_enum!(TimeHorizon { Short => "short", Medium => "medium", Long => "long" });

/// Progress of a goal with tasks: the share of its tasks completed.
#[must_use]
pub fn progress_from_tasks(completed: i64, total: i64) -> Option<f32> {
    if total <= 0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let share = completed.clamp(0, total) as f32 / total as f32;
    Some(share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_use_their_api_spelling() {
        assert_eq!(
            "IN_PROGRESS".parse::<GoalStatus>(),
            Ok(GoalStatus::InProgress)
        );
        assert!("DONE".parse::<GoalStatus>().is_err());
        assert!(GoalStatus::Completed.is_completed());
    }

    #[test]
    fn progress_is_the_share_of_completed_tasks() {
        assert_eq!(progress_from_tasks(1, 4), Some(0.25));
        assert_eq!(progress_from_tasks(0, 0), None);
        assert_eq!(progress_from_tasks(5, 4), Some(1.0));
    }
}
