//! End-to-end tests for schedule.
