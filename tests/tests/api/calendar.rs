//! End-to-end tests for calendar.
