//! Domain rules for tasks.
