//! Calls to Stripe: customers, Checkout and billing-portal sessions, and cancelling
//! at period end. Requests go through async-stripe's client (secret key, pinned API
//! version, idempotency keys, `STRIPE_API_BASE`); answers are read for the one or two
//! fields we use.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError};
use stripe_client_core::{RequestBuilder, StripeMethod};

/// Why a Stripe call failed.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("Stripe is not configured (STRIPE_SECRET_KEY)")]
    NotConfigured,
    #[error("Stripe: {0}")]
    Stripe(String),
    #[error("unexpected answer from Stripe: {0}")]
    Answer(String),
}

impl From<StripeError> for GatewayError {
    fn from(e: StripeError) -> Self {
        Self::Stripe(e.to_string())
    }
}

/// A Checkout Session for a subscription.
#[derive(Debug, Clone)]
pub struct CheckoutRequest<'a> {
    pub customer: &'a str,
    pub price: &'a str,
    /// Our plan name, echoed back in `metadata.plan` of the completed session.
    pub plan: &'a str,
    /// Our user id, echoed back as `client_reference_id`.
    pub user_ref: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

#[derive(Serialize)]
struct LineItem<'a> {
    price: &'a str,
    quantity: u32,
}

#[derive(Serialize)]
struct CheckoutForm<'a> {
    mode: &'static str,
    customer: &'a str,
    client_reference_id: &'a str,
    success_url: &'a str,
    cancel_url: &'a str,
    line_items: Vec<LineItem<'a>>,
    metadata: BTreeMap<&'static str, &'a str>,
    subscription_data: SubscriptionData<'a>,
}

#[derive(Serialize)]
struct SubscriptionData<'a> {
    metadata: BTreeMap<&'static str, &'a str>,
}

#[derive(Clone)]
pub struct Gateway {
    client: Client,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Gateway")
    }
}

impl Gateway {
    /// A client for `api_base` (Stripe's `https://api.stripe.com/`, or a local fake).
    pub fn new(secret_key: &str, api_base: &str) -> Result<Self, GatewayError> {
        if secret_key.is_empty() {
            return Err(GatewayError::NotConfigured);
        }
        // Several TLS backends are linked into the binary, so rustls cannot pick one
        // by itself: use ring (a no-op once any provider is installed).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::new(secret_key)
            .url(api_base)
            .request_strategy(RequestStrategy::ExponentialBackoff(2))
            .build()?;
        Ok(Self { client })
    }

    async fn call(
        &self,
        method: StripeMethod,
        path: &str,
        form: Option<&impl Serialize>,
        idempotency: Option<String>,
    ) -> Result<Value, GatewayError> {
        let mut req = RequestBuilder::new(method, path);
        if let Some(form) = form {
            req = req.form(form);
        }
        let mut req = req.customize::<miniserde::json::Value>();
        if let Some(key) = idempotency {
            let key = IdempotencyKey::new(key).map_err(|e| GatewayError::Answer(e.to_string()))?;
            req = req.request_strategy(RequestStrategy::Idempotent(key));
        }
        let answer = req.send(&self.client).await?;
        serde_json::from_str(&miniserde::json::to_string(&answer))
            .map_err(|e| GatewayError::Answer(e.to_string()))
    }

    fn field(answer: &Value, name: &str) -> Result<String, GatewayError> {
        answer[name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| GatewayError::Answer(format!("no `{name}` in {answer}")))
    }

    /// Creates the customer for one of our users (once per user: the request's
    /// idempotency key is derived from the user id).
    pub async fn create_customer(
        &self,
        email: &str,
        user_ref: &str,
    ) -> Result<String, GatewayError> {
        let mut form = BTreeMap::new();
        form.insert("email", email);
        form.insert("metadata[user_id]", user_ref);
        let answer = self
            .call(
                StripeMethod::Post,
                "/customers",
                Some(&form),
                Some(format!("maigie-customer-{user_ref}")),
            )
            .await?;
        Self::field(&answer, "id")
    }

    /// A Checkout Session URL for a subscription.
    pub async fn checkout_session(&self, r: &CheckoutRequest<'_>) -> Result<String, GatewayError> {
        let metadata = BTreeMap::from([("plan", r.plan), ("user_id", r.user_ref)]);
        let form = CheckoutForm {
            mode: "subscription",
            customer: r.customer,
            client_reference_id: r.user_ref,
            success_url: r.success_url,
            cancel_url: r.cancel_url,
            line_items: vec![LineItem {
                price: r.price,
                quantity: 1,
            }],
            metadata: metadata.clone(),
            subscription_data: SubscriptionData { metadata },
        };
        let answer = self
            .call(StripeMethod::Post, "/checkout/sessions", Some(&form), None)
            .await?;
        Self::field(&answer, "url")
    }

    /// A customer-portal session URL.
    pub async fn portal_session(
        &self,
        customer: &str,
        return_url: &str,
    ) -> Result<String, GatewayError> {
        let form = BTreeMap::from([("customer", customer), ("return_url", return_url)]);
        let answer = self
            .call(
                StripeMethod::Post,
                "/billing_portal/sessions",
                Some(&form),
                None,
            )
            .await?;
        Self::field(&answer, "url")
    }

    /// Cancels the subscription at the end of its period (`true`) or undoes that.
    pub async fn set_cancel_at_period_end(
        &self,
        subscription: &str,
        cancel: bool,
    ) -> Result<(), GatewayError> {
        let form = BTreeMap::from([(
            "cancel_at_period_end",
            if cancel { "true" } else { "false" },
        )]);
        self.call(
            StripeMethod::Post,
            &format!("/subscriptions/{subscription}"),
            Some(&form),
            None,
        )
        .await?;
        Ok(())
    }
}
