//! Domain rules for notes (see issue 3).
