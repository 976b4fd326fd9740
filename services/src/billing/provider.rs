//! The payment provider (Stripe) as the use-cases see it: the few calls they make,
//! and the configuration those calls need. The adapter implements it with Stripe's
//! client; tests with a double.

use async_trait::async_trait;
use maigie_domain::Tier;

use super::error::BillingError;

/// Why a call to the payment provider failed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No provider is configured (no secret key).
    #[error("the payment provider is not configured")]
    NotConfigured,
    /// The call failed; the message says how (logged, never shown).
    #[error("{0}")]
    Failed(String),
}

impl From<ProviderError> for BillingError {
    fn from(err: ProviderError) -> Self {
        match err {
            ProviderError::NotConfigured => Self::NotConfigured,
            ProviderError::Failed(message) => Self::Provider(message),
        }
    }
}

/// A Checkout Session for a subscription.
#[derive(Debug, Clone)]
pub struct CheckoutRequest<'a> {
    pub customer: &'a str,
    /// The provider's price of the plan.
    pub price: &'a str,
    /// Our plan name, echoed back in the completed session's metadata.
    pub plan: &'a str,
    /// Our user id, echoed back as the session's reference.
    pub user_ref: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

/// The payment provider's calls and configuration.
#[async_trait]
pub trait BillingProvider: Send + Sync {
    /// `Ok` when calls can be made (a client is configured).
    fn ready(&self) -> Result<(), ProviderError>;

    /// The provider's price of one of our plans (`None`: not sold here).
    fn price_of(&self, plan: Tier) -> Option<&str>;

    /// Our public base URL, where the provider sends the user back.
    fn public_base_url(&self) -> &str;

    /// Creates the customer for one of our users (idempotent per user).
    async fn create_customer(&self, email: &str, user_ref: &str) -> Result<String, ProviderError>;

    /// A Checkout Session URL.
    async fn checkout_session(
        &self,
        request: &CheckoutRequest<'_>,
    ) -> Result<String, ProviderError>;

    /// A customer-portal session URL.
    async fn portal_session(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<String, ProviderError>;

    /// Cancels the subscription at the end of its period (`true`) or undoes that.
    async fn set_cancel_at_period_end(
        &self,
        subscription: &str,
        cancel: bool,
    ) -> Result<(), ProviderError>;
}
