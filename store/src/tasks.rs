//! SQL for tasks.
