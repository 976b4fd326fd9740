//! A local stand-in for Stripe's API: a real HTTP server speaking Stripe's
//! form-encoded requests and JSON answers for the calls we make (customers with
//! idempotency keys, Checkout Sessions, billing-portal sessions, subscription
//! updates), recording each call so tests can check what was asked. Also builds
//! webhook events in Stripe's documented shapes and signs them as Stripe does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{Overrides, TestApp};

pub const SECRET_KEY: &str = "sk_test_maigie";
pub const WEBHOOK_SECRET: &str = "whsec_maigie_test";
pub const PRICE_MONTHLY: &str = "price_monthly_test";
pub const PRICE_YEARLY: &str = "price_yearly_test";

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Call {
    pub path: String,
    pub form: HashMap<String, String>,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    /// Idempotency-Key -> customer id.
    customers: HashMap<String, String>,
}

type Shared = Arc<Mutex<Inner>>;

#[derive(Clone)]
pub struct FakeStripe {
    pub base: String,
    inner: Shared,
}

fn stripe_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "type": "invalid_request_error", "message": message } })),
    )
        .into_response()
}

fn authorised(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {SECRET_KEY}"))
}

fn record(inner: &Shared, path: &str, form: &HashMap<String, String>) {
    inner.lock().expect("lock").calls.push(Call {
        path: path.to_owned(),
        form: form.clone(),
    });
}

async fn customers(
    State(inner): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !authorised(&headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    }
    record(&inner, "/v1/customers", &form);
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let id = {
        let mut guard = inner.lock().expect("lock");
        match key {
            Some(k) => guard
                .customers
                .entry(k)
                .or_insert_with(|| format!("cus_{}", Uuid::new_v4().simple()))
                .clone(),
            None => format!("cus_{}", Uuid::new_v4().simple()),
        }
    };
    Json(json!({ "id": id, "object": "customer", "email": form.get("email") })).into_response()
}

async fn checkout_sessions(
    State(inner): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !authorised(&headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    }
    for required in [
        "mode",
        "customer",
        "line_items[0][price]",
        "success_url",
        "cancel_url",
    ] {
        if !form.contains_key(required) {
            return stripe_error(
                StatusCode::BAD_REQUEST,
                &format!("Missing required param: {required}."),
            );
        }
    }
    record(&inner, "/v1/checkout/sessions", &form);
    let id = format!("cs_test_{}", Uuid::new_v4().simple());
    Json(
        json!({ "id": id, "object": "checkout.session", "mode": form["mode"],
                 "url": format!("https://checkout.stripe.test/c/pay/{id}") }),
    )
    .into_response()
}

async fn portal_sessions(
    State(inner): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !authorised(&headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    }
    if !form.contains_key("customer") {
        return stripe_error(StatusCode::BAD_REQUEST, "Missing required param: customer.");
    }
    record(&inner, "/v1/billing_portal/sessions", &form);
    let id = format!("bps_{}", Uuid::new_v4().simple());
    Json(json!({ "id": id, "object": "billing_portal.session",
                 "url": format!("https://billing.stripe.test/p/session/{id}") }))
    .into_response()
}

async fn update_subscription(
    State(inner): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !authorised(&headers) {
        return stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    }
    record(&inner, &format!("/v1/subscriptions/{id}"), &form);
    Json(json!({ "id": id, "object": "subscription",
                 "cancel_at_period_end": form.get("cancel_at_period_end").is_some_and(|v| v == "true") }))
    .into_response()
}

impl FakeStripe {
    pub async fn start() -> FakeStripe {
        let inner: Shared = Arc::default();
        let app = Router::new()
            .route("/v1/customers", post(customers))
            .route("/v1/checkout/sessions", post(checkout_sessions))
            .route("/v1/billing_portal/sessions", post(portal_sessions))
            .route("/v1/subscriptions/{id}", post(update_subscription))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeStripe { base, inner }
    }

    /// The configuration that points the app at this fake.
    pub fn overrides(&self) -> Overrides {
        vec![
            ("STRIPE_SECRET_KEY", SECRET_KEY.into()),
            ("STRIPE_API_BASE", format!("{}/", self.base)),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
            ("STRIPE_PRICE_PREMIUM_MONTHLY", PRICE_MONTHLY.into()),
            ("STRIPE_PRICE_PREMIUM_YEARLY", PRICE_YEARLY.into()),
        ]
    }

    /// The calls made to `path`, in order.
    pub fn calls(&self, path: &str) -> Vec<Call> {
        self.inner
            .lock()
            .expect("lock")
            .calls
            .iter()
            .filter(|c| c.path == path)
            .cloned()
            .collect()
    }
}

/// An event in Stripe's shape.
pub fn event(kind: &str, created: i64, object: Value) -> Value {
    json!({
        "id": format!("evt_{}", Uuid::new_v4().simple()),
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": created,
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "type": kind,
        "data": { "object": object },
    })
}

/// A subscription object (`items.data[0]` carries the price and the period end, as in
/// current API versions).
pub fn subscription(
    id: &str,
    customer: &str,
    status: &str,
    price: &str,
    period_end: i64,
    cancel: bool,
) -> Value {
    json!({
        "id": id, "object": "subscription", "customer": customer, "status": status,
        "cancel_at_period_end": cancel,
        "items": { "object": "list", "data": [{
            "id": format!("si_{}", Uuid::new_v4().simple()), "object": "subscription_item",
            "price": { "id": price, "object": "price", "recurring": { "interval": "month" } },
            "current_period_end": period_end,
        }]},
    })
}

/// Posts `payload` to the webhook signed with `secret` at `timestamp`.
pub async fn deliver(
    app: &TestApp,
    payload: &Value,
    secret: &str,
    timestamp: i64,
) -> reqwest::Response {
    let body = payload.to_string();
    let header = maigie_billing::sign(body.as_bytes(), secret, timestamp);
    app.http
        .post(app.url("/api/webhooks/stripe"))
        .header("content-type", "application/json")
        .header("stripe-signature", header)
        .body(body)
        .send()
        .await
        .expect("webhook request")
}
