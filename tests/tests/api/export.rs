//! End-to-end tests for export.
