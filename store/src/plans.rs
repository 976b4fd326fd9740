//! SQL for plans (see issue 3).
