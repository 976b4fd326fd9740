//! End-to-end tests: the running app, driven over HTTP and WebSocket as a client
//! would, against real PostgreSQL, Redis, Temporal and SMTP.

mod access_log;
mod analytics;
mod asyncapi;
mod auth;
mod billing;
mod block_reminders;
mod calendar;
mod chat;
mod contract;
mod conventions;
mod courses;
mod cross_user;
mod durability;
mod export;
mod goals;
mod idempotency;
mod landing;
mod mcp;
mod metrics;
mod notes;
mod oauth;
mod operability;
mod plans;
mod rate_limit;
mod ready;
mod reminders;
mod resources;
mod schedule;
mod schedule_generation;
mod sessions;
mod skeleton;
mod tasks;
mod users;
mod visibility;
mod websocket;
