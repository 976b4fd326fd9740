//! SQL for goals.
