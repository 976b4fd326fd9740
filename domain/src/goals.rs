//! Domain rules for goals.
