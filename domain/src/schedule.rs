//! Domain rules for schedule (see issue 3).
