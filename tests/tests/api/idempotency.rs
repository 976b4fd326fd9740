//! End-to-end tests for idempotency.
