//! SQL for courses (see issue 3).
