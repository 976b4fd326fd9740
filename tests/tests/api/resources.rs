//! End-to-end tests for resources.
