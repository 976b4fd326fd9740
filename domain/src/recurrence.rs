//! Domain rules for recurrence.
