//! The use-cases' [`BillingProvider`] with Stripe's client (`maigie_billing`), as
//! configured by the settings.

use async_trait::async_trait;
use maigie_billing::gateway::CheckoutRequest as StripeCheckout;
use maigie_billing::{Gateway, GatewayError};
use maigie_domain::Tier;
use maigie_services::billing::{BillingProvider, CheckoutRequest, ProviderError};

use crate::settings::BillingSettings;
use crate::state::AppState;

/// Stripe as configured: a client (or why there is none), the prices, our URL.
pub struct Stripe<'a> {
    gateway: Result<Gateway, GatewayError>,
    settings: &'a BillingSettings,
    public_base_url: &'a str,
}

impl<'a> Stripe<'a> {
    /// Stripe as the state's settings configure it.
    pub fn of(state: &'a AppState) -> Self {
        let b = &state.settings.billing;
        Self {
            gateway: Gateway::new(&b.stripe_secret_key, &b.stripe_api_base),
            settings: b,
            public_base_url: state.settings.public_base_url.as_str(),
        }
    }

    fn gateway(&self) -> Result<&Gateway, ProviderError> {
        self.gateway.as_ref().map_err(|e| match e {
            GatewayError::NotConfigured => ProviderError::NotConfigured,
            other => ProviderError::Failed(other.to_string()),
        })
    }
}

fn failed(err: GatewayError) -> ProviderError {
    ProviderError::Failed(err.to_string())
}

#[async_trait]
impl BillingProvider for Stripe<'_> {
    fn ready(&self) -> Result<(), ProviderError> {
        self.gateway().map(|_| ())
    }

    fn price_of(&self, plan: Tier) -> Option<&str> {
        self.settings.price_of(plan)
    }

    fn public_base_url(&self) -> &str {
        self.public_base_url
    }

    async fn create_customer(&self, email: &str, user_ref: &str) -> Result<String, ProviderError> {
        self.gateway()?
            .create_customer(email, user_ref)
            .await
            .map_err(failed)
    }

    async fn checkout_session(&self, r: &CheckoutRequest<'_>) -> Result<String, ProviderError> {
        let request = StripeCheckout {
            customer: r.customer,
            price: r.price,
            plan: r.plan,
            user_ref: r.user_ref,
            success_url: r.success_url,
            cancel_url: r.cancel_url,
        };
        self.gateway()?
            .checkout_session(&request)
            .await
            .map_err(failed)
    }

    async fn portal_session(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<String, ProviderError> {
        self.gateway()?
            .portal_session(customer, return_url)
            .await
            .map_err(failed)
    }

    async fn set_cancel_at_period_end(
        &self,
        subscription: &str,
        cancel: bool,
    ) -> Result<(), ProviderError> {
        self.gateway()?
            .set_cancel_at_period_end(subscription, cancel)
            .await
            .map_err(failed)
    }
}
