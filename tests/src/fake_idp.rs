//! A local OAuth 2.0 / OpenID Connect provider standing in for Google: a real HTTP
//! server that checks what Google checks (client credentials, single-use codes, the
//! PKCE S256 verifier) and serves userinfo for the access tokens it issued.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::Overrides;

pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "test-client-secret";

#[derive(Default)]
struct Inner {
    /// code -> (PKCE challenge, identity)
    codes: HashMap<String, (String, Value)>,
    /// access token -> identity
    tokens: HashMap<String, Value>,
}

#[derive(Clone)]
pub struct FakeIdp {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeIdp {
    pub async fn start() -> FakeIdp {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeIdp { base, inner }
    }

    /// The configuration that points the app at this provider.
    pub fn overrides(&self) -> Overrides {
        vec![
            ("GOOGLE_CLIENT_ID", CLIENT_ID.into()),
            ("GOOGLE_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("GOOGLE_AUTH_URL", format!("{}/authorize", self.base)),
            ("GOOGLE_TOKEN_URL", format!("{}/token", self.base)),
            ("GOOGLE_USERINFO_URL", format!("{}/userinfo", self.base)),
        ]
    }

    /// What the provider does when the user consents: a code bound to the PKCE
    /// challenge the app sent, for `identity` (`{"sub","email","email_verified","name"}`).
    pub fn consent(&self, challenge: &str, identity: Value) -> String {
        let code = Uuid::new_v4().to_string();
        self.inner
            .lock()
            .expect("lock")
            .codes
            .insert(code.clone(), (challenge.to_owned(), identity));
        code
    }
}

async fn token(
    State(inner): State<Arc<Mutex<Inner>>>,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let bad = |e: &str| (StatusCode::BAD_REQUEST, Json(json!({ "error": e })));
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return bad("unsupported_grant_type");
    }
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
    {
        return bad("invalid_client");
    }
    let mut inner = inner.lock().expect("lock");
    let Some((challenge, identity)) = form.get("code").and_then(|c| inner.codes.remove(c)) else {
        return bad("invalid_grant");
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != challenge {
        return bad("invalid_grant");
    }
    let access = Uuid::new_v4().to_string();
    inner.tokens.insert(access.clone(), identity);
    (
        StatusCode::OK,
        Json(json!({ "access_token": access, "token_type": "Bearer", "expires_in": 3600 })),
    )
}

async fn userinfo(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match inner.lock().expect("lock").tokens.get(token) {
        Some(identity) => (StatusCode::OK, Json(identity.clone())),
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_token" })),
        ),
    }
}
