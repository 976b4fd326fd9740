//! End-to-end tests: the running app, driven over HTTP and WebSocket as a client
//! would, against real PostgreSQL, Redis, Temporal and SMTP.

mod skeleton;
