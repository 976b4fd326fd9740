//! SQL for courses → modules → topics.
//!
//! Locking rule: every write inside a course's tree first locks the course row
//! (`FOR UPDATE`), then the module row when a topic changes. Writes to one course are
//! therefore serial, which keeps positions dense (`0..n-1`) under concurrent creates,
//! moves and deletes, and the order course → module → topic is the same one the
//! progress roll-up triggers (migration 0002) lock in, so no two writers deadlock.
//!
//! Progress (`modules.progress`, `courses.progress`) is maintained by those triggers;
//! this module keeps the completion flags consistent with it (see
//! `maigie_domain::courses`).
//!
//! Writes take the caller's connection (a transaction), so a use-case can read the
//! changed tree, and announce it, before it commits.

/// Course columns plus the roll-ups computed from its modules and topics.
macro_rules! course_columns {
    () => {
        "c.id, c.title, c.description, c.difficulty, c.estimated_hours, c.target_date, \
         c.progress, c.is_ai_generated, c.completed_at, c.archived_at, c.created_at, \
         c.updated_at, \
         (SELECT count(*) FROM modules m WHERE m.course_id = c.id) AS module_count, \
         h.topic_count, h.completed_topic_count, h.total_hours, h.remaining_hours \
         FROM courses c CROSS JOIN LATERAL ( \
             SELECT count(t.id) AS topic_count, \
                    count(t.id) FILTER (WHERE t.completed) AS completed_topic_count, \
                    coalesce(sum(t.estimated_hours), 0)::real AS total_hours, \
                    coalesce(sum(t.estimated_hours) FILTER (WHERE NOT t.completed), 0)::real \
                        AS remaining_hours \
               FROM modules m JOIN topics t ON t.module_id = m.id \
              WHERE m.course_id = c.id) h"
    };
}

macro_rules! module_columns {
    () => {
        "m.id, m.course_id, m.title, m.description, m.position, m.completed, m.completed_at, \
         m.progress, m.is_ai_generated, m.created_at, m.updated_at, \
         coalesce((SELECT sum(t.estimated_hours) FROM topics t WHERE t.module_id = m.id), 0)::real \
             AS total_hours, \
         coalesce((SELECT sum(t.estimated_hours) FROM topics t \
                    WHERE t.module_id = m.id AND NOT t.completed), 0)::real AS remaining_hours \
         FROM modules m"
    };
}

macro_rules! topic_columns {
    () => {
        "t.id, t.module_id, m.course_id, t.title, t.content, t.estimated_hours, t.position, \
         t.completed, t.completed_at, t.is_ai_generated, t.created_at, t.updated_at \
         FROM topics t JOIN modules m ON m.id = t.module_id"
    };
}

mod completion;
mod course;
mod modules;
mod positions;
mod read;
mod rows;
mod topics;

use uuid::Uuid;

pub use course::{create_course, delete_course, set_archived, update_course};
pub use modules::{create_module, delete_module, update_module};
pub use positions::{MoveOutcome, Slot, move_item};
pub use read::{
    CourseCursor, course_tree, find_course, find_module, find_topic, list_courses, read_course,
    read_module, read_tree,
};
pub use rows::{
    CourseChanges, CourseRow, CourseTree, ModuleChanges, ModuleRow, ModuleTree, NewCourse,
    NewModule, NewTopic, TopicChanges, TopicRow,
};
pub use topics::{create_topic, delete_topic, update_topic};

/// Where a topic lives: the path ids must agree with each other and the owner.
#[derive(Debug, Clone, Copy)]
pub struct TopicPath {
    pub course_id: Uuid,
    pub module_id: Uuid,
    pub topic_id: Uuid,
}

/// `Some(v)` → (true, v); `None` → (false, default): the "set this field?" flag pair.
fn split<T: Default>(change: Option<T>) -> (bool, T) {
    change.map_or_else(|| (false, T::default()), |v| (true, v))
}
