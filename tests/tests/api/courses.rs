//! End-to-end tests for courses.
