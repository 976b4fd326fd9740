//! Domain rules for courses (see issue 3).
