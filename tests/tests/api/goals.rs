//! End-to-end tests for goals.
