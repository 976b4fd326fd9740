//! Domain rules for resources (see issue 3).
