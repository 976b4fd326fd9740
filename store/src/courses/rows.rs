//! What the course tables hold, and the validated fields a write takes.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// A course with its roll-ups.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CourseRow {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub difficulty: Option<String>,
    pub estimated_hours: Option<f32>,
    pub target_date: Option<NaiveDate>,
    pub progress: f32,
    pub is_ai_generated: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub module_count: i64,
    pub topic_count: i64,
    pub completed_topic_count: i64,
    /// Sum of the topics' estimates.
    pub total_hours: f32,
    /// Sum of the open topics' estimates.
    pub remaining_hours: f32,
}

/// A module with the hour roll-ups of its topics.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModuleRow {
    pub id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub position: i32,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub progress: f32,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub total_hours: f32,
    pub remaining_hours: f32,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopicRow {
    pub id: Uuid,
    pub module_id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub content: Option<String>,
    pub estimated_hours: Option<f32>,
    pub position: i32,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A course with its modules and topics, each list in position order (topics grouped
/// by module, modules in order).
#[derive(Debug, Clone)]
pub struct CourseTree {
    pub course: CourseRow,
    pub modules: Vec<ModuleRow>,
    pub topics: Vec<TopicRow>,
}

/// A module with its topics in order.
#[derive(Debug, Clone)]
pub struct ModuleTree {
    pub module: ModuleRow,
    pub topics: Vec<TopicRow>,
}

/// Fields of a new course (already validated).
#[derive(Debug, Clone, Default)]
pub struct NewCourse {
    pub title: String,
    pub description: Option<String>,
    pub difficulty: Option<&'static str>,
    pub estimated_hours: Option<f32>,
    pub target_date: Option<NaiveDate>,
}

/// Changes to a course; `None` keeps a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct CourseChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub difficulty: Option<Option<&'static str>>,
    pub estimated_hours: Option<Option<f32>>,
    pub target_date: Option<Option<NaiveDate>>,
}

#[derive(Debug, Clone, Default)]
pub struct NewModule {
    pub title: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ModuleChanges {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub completed: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct NewTopic {
    pub title: String,
    pub content: Option<String>,
    pub estimated_hours: Option<f32>,
}

#[derive(Debug, Clone, Default)]
pub struct TopicChanges {
    pub title: Option<String>,
    pub content: Option<Option<String>>,
    pub estimated_hours: Option<Option<f32>>,
    pub completed: Option<bool>,
}
