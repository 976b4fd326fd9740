//! SQL for schedule (see issue 3).
