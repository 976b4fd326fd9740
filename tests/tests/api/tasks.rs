//! End-to-end tests for tasks.
