//! End-to-end tests for plans.
