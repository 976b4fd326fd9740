//! Planner tests: worked examples with exact expected blocks, and properties checked
//! over 50 generated scenarios against brute-force, minute-by-minute oracles.

mod examples;
mod local_time;
mod properties;
mod scenario;
mod support;
