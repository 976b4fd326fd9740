//! Stripe for Maigie, in its own crate because Stripe's bindings compile slowly.
//!
//! - [`signature`]: `Stripe-Signature` checks (HMAC-SHA256 over `t.payload`, timestamp
//!   tolerance), and signing for tests.
//! - [`event`]: a webhook payload read into the few facts the subscription lifecycle
//!   needs (we read Stripe's documented JSON shapes with serde rather than
//!   async-stripe's generated models, which require every field of every object).
//! - [`gateway`]: calls to Stripe through async-stripe's client (auth, API version,
//!   idempotency keys, retries, `STRIPE_API_BASE` for a local fake).

pub mod event;
pub mod gateway;
pub mod lifecycle;
pub mod signature;

pub use event::{Change, StripeEvent, SubscriptionStatus};
pub use gateway::{Gateway, GatewayError};
pub use signature::{SignatureError, sign, verify};
