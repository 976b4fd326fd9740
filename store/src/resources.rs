//! SQL for resources (see issue 3).
