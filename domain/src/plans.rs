//! Domain rules for plans (see issue 3).
