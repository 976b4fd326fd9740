//! End-to-end tests for notes.
