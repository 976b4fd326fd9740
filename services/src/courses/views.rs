//! What clients see of courses, modules and topics.

use chrono::{DateTime, NaiveDate, Utc};
use maigie_store::courses::{CourseRow, CourseTree, ModuleRow, ModuleTree, TopicRow};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A course with its roll-ups (no modules: see [`CourseDetail`]).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourseView {
    pub id: Uuid,
    pub title: String,
    pub description: Option<String>,
    /// `beginner`, `intermediate` or `advanced`.
    #[schema(value_type = Option<maigie_domain::courses::Difficulty>, example = "beginner")]
    pub difficulty: Option<String>,
    /// The user's own estimate for the whole course, in hours.
    pub estimated_hours: Option<f32>,
    pub target_date: Option<NaiveDate>,
    /// 0–1: the average of its modules' progress (each the share of its topics
    /// completed), kept by the database on every change.
    #[schema(example = 0.5)]
    pub progress: f32,
    /// Sum of the topics' estimates, in hours.
    pub total_estimated_hours: f32,
    /// Sum of the estimates of topics not completed yet, in hours.
    pub remaining_estimated_hours: f32,
    pub module_count: i64,
    pub topic_count: i64,
    pub completed_topic_count: i64,
    /// Read-only: set when the AI agent created the course.
    pub is_ai_generated: bool,
    /// Set when the course has modules and its progress reached 1.
    pub completed_at: Option<DateTime<Utc>>,
    /// Set while the course is archived (hidden from the default list).
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A course with its modules and their topics, in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourseDetail {
    #[serde(flatten)]
    pub course: CourseView,
    pub modules: Vec<ModuleView>,
}

/// A module with its topics in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModuleView {
    pub id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    /// 0-based place in the course; positions are always `0..n-1`.
    pub position: i32,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    /// 0–1: share of its topics completed (0 or 1 from `completed` without topics).
    pub progress: f32,
    pub total_estimated_hours: f32,
    pub remaining_estimated_hours: f32,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub topics: Vec<TopicView>,
}

/// A topic of a module.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopicView {
    pub id: Uuid,
    pub module_id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    /// Markdown.
    pub content: Option<String>,
    pub estimated_hours: Option<f32>,
    /// 0-based place in the module; positions are always `0..n-1`.
    pub position: i32,
    pub completed: bool,
    pub completed_at: Option<DateTime<Utc>>,
    pub is_ai_generated: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A page of courses.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoursePage {
    pub items: Vec<CourseView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The data of `course.deleted`, `module.deleted` and `topic.deleted`: what is gone
/// and where it was (`course_id` for a module or topic, `module_id` for a topic).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CourseItemDeleted {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_id: Option<Uuid>,
}

impl From<CourseRow> for CourseView {
    fn from(r: CourseRow) -> Self {
        Self {
            id: r.id,
            title: r.title,
            description: r.description,
            difficulty: r.difficulty,
            estimated_hours: r.estimated_hours,
            target_date: r.target_date,
            progress: r.progress,
            total_estimated_hours: r.total_hours,
            remaining_estimated_hours: r.remaining_hours,
            module_count: r.module_count,
            topic_count: r.topic_count,
            completed_topic_count: r.completed_topic_count,
            is_ai_generated: r.is_ai_generated,
            completed_at: r.completed_at,
            archived_at: r.archived_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<TopicRow> for TopicView {
    fn from(r: TopicRow) -> Self {
        Self {
            id: r.id,
            module_id: r.module_id,
            course_id: r.course_id,
            title: r.title,
            content: r.content,
            estimated_hours: r.estimated_hours,
            position: r.position,
            completed: r.completed,
            completed_at: r.completed_at,
            is_ai_generated: r.is_ai_generated,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl ModuleView {
    fn new(r: ModuleRow, topics: Vec<TopicView>) -> Self {
        Self {
            id: r.id,
            course_id: r.course_id,
            title: r.title,
            description: r.description,
            position: r.position,
            completed: r.completed,
            completed_at: r.completed_at,
            progress: r.progress,
            total_estimated_hours: r.total_hours,
            remaining_estimated_hours: r.remaining_hours,
            is_ai_generated: r.is_ai_generated,
            created_at: r.created_at,
            updated_at: r.updated_at,
            topics,
        }
    }
}

impl From<ModuleTree> for ModuleView {
    fn from(tree: ModuleTree) -> Self {
        let topics = tree.topics.into_iter().map(TopicView::from).collect();
        Self::new(tree.module, topics)
    }
}

impl From<CourseTree> for CourseDetail {
    fn from(tree: CourseTree) -> Self {
        // Topics arrive ordered by (module position, topic position): hand each module
        // the run of topics that belongs to it.
        let mut topics = tree.topics.into_iter().peekable();
        let modules = tree
            .modules
            .into_iter()
            .map(|m| {
                let mut own = Vec::new();
                while let Some(t) = topics.next_if(|t| t.module_id == m.id) {
                    own.push(TopicView::from(t));
                }
                ModuleView::new(m, own)
            })
            .collect();
        Self {
            course: tree.course.into(),
            modules,
        }
    }
}
