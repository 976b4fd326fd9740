//! End-to-end tests: the running app, driven over HTTP and WebSocket as a client
//! would, against real PostgreSQL, Redis, Temporal and SMTP.

mod auth;
mod conventions;
mod oauth;
mod rate_limit;
mod ready;
mod skeleton;
mod users;
mod websocket;
