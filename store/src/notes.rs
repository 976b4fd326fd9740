//! SQL for notes (see issue 3).
