//! A local OAuth 2.0 / OpenID Connect provider standing in for Google: a real HTTP
//! server that checks what Google checks (client credentials, single-use codes, the
//! PKCE S256 verifier), serves userinfo for the access tokens it issued, and
//! publishes its signing key as a JWKS (`/jwks`) for the ID tokens it signs.
//!
//! The keys are committed test keys (`tests/keys/`, generated once with
//! `openssl genrsa -traditional 2048`): `idp-signing.pem` is published, and
//! `idp-rogue.pem` is not, for tokens whose signature must not verify.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::Overrides;

pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "test-client-secret";
/// A mobile app's client id, accepted as an ID token audience besides [`CLIENT_ID`].
pub const MOBILE_CLIENT_ID: &str = "test-mobile-client";
/// The id of the published signing key.
pub const KEY_ID: &str = "test-key-1";
/// Client redirect URIs the overrides register (`OAUTH_REDIRECT_ALLOWLIST`).
pub const WEB_REDIRECT: &str = "http://127.0.0.1:4999/app/oauth/callback";
pub const MOBILE_REDIRECT: &str = "com.maigie.test:/oauth";

const SIGNING_KEY: &str = include_str!("../keys/idp-signing.pem");
const ROGUE_KEY: &str = include_str!("../keys/idp-rogue.pem");

/// A PKCS#1 PEM key as jsonwebtoken takes it (DER; its PEM parser is not built).
fn rsa_key(pem: &str) -> EncodingKey {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    EncodingKey::from_rsa_der(&STANDARD.decode(body).expect("base64 PEM body"))
}

/// The JWKS the provider publishes: the signing key alone.
fn published_keys() -> JwkSet {
    let mut jwk = Jwk::from_encoding_key(&rsa_key(SIGNING_KEY), Algorithm::RS256).expect("jwk");
    jwk.common.key_id = Some(KEY_ID.to_owned());
    JwkSet { keys: vec![jwk] }
}

#[derive(Default)]
struct Inner {
    /// code -> (PKCE challenge, identity)
    codes: HashMap<String, (String, Value)>,
    /// access token -> identity
    tokens: HashMap<String, Value>,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    jwks: Arc<Value>,
    jwks_fetches: Arc<AtomicUsize>,
}

#[derive(Clone)]
pub struct FakeIdp {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
    jwks_fetches: Arc<AtomicUsize>,
}

impl FakeIdp {
    pub async fn start() -> FakeIdp {
        let shared = Shared {
            inner: Arc::new(Mutex::new(Inner::default())),
            jwks: Arc::new(serde_json::to_value(published_keys()).expect("jwks json")),
            jwks_fetches: Arc::new(AtomicUsize::new(0)),
        };
        let app = Router::new()
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .route("/jwks", get(jwks))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeIdp {
            base,
            inner: shared.inner,
            jwks_fetches: shared.jwks_fetches,
        }
    }

    /// The configuration that points the app at this provider.
    pub fn overrides(&self) -> Overrides {
        vec![
            ("GOOGLE_CLIENT_ID", CLIENT_ID.into()),
            ("GOOGLE_CLIENT_SECRET", CLIENT_SECRET.into()),
            ("GOOGLE_AUTH_URL", format!("{}/authorize", self.base)),
            ("GOOGLE_TOKEN_URL", format!("{}/token", self.base)),
            ("GOOGLE_USERINFO_URL", format!("{}/userinfo", self.base)),
            ("GOOGLE_JWKS_URL", format!("{}/jwks", self.base)),
            ("GOOGLE_ISSUERS", self.issuer()),
            ("GOOGLE_ID_TOKEN_AUDIENCES", MOBILE_CLIENT_ID.into()),
            (
                "OAUTH_REDIRECT_ALLOWLIST",
                format!("{WEB_REDIRECT},{MOBILE_REDIRECT}"),
            ),
        ]
    }

    /// The `iss` of the ID tokens this provider signs.
    pub fn issuer(&self) -> String {
        self.base.clone()
    }

    /// How many times `/jwks` was fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.jwks_fetches.load(Ordering::SeqCst)
    }

    /// The claims of a valid ID token for `identity` (`{"sub","email",…}`), issued
    /// now for the mobile app with `nonce`; tests change them to make it invalid.
    pub fn id_token_claims(&self, identity: &Value, nonce: &str) -> Value {
        let now = chrono::Utc::now().timestamp();
        let mut claims = identity.clone();
        claims["iss"] = json!(self.issuer());
        claims["aud"] = json!(MOBILE_CLIENT_ID);
        claims["azp"] = json!(MOBILE_CLIENT_ID);
        claims["iat"] = json!(now);
        claims["exp"] = json!(now + 3600);
        claims["nonce"] = json!(nonce);
        claims
    }

    /// `claims` signed (RS256) with the published key.
    pub fn sign(&self, claims: &Value) -> String {
        sign_with(SIGNING_KEY, KEY_ID, claims)
    }

    /// `claims` signed with a key the provider never published, under the id `kid`
    /// (the published key's id makes the signature itself the only thing wrong).
    pub fn sign_with_rogue_key(&self, kid: &str, claims: &Value) -> String {
        sign_with(ROGUE_KEY, kid, claims)
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

fn sign_with(pem: &str, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &rsa_key(pem)).expect("sign")
}

/// Google answers its keys with a `max-age` of hours.
async fn jwks(State(shared): State<Shared>) -> ([(&'static str, &'static str); 1], Json<Value>) {
    shared.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    (
        [("cache-control", "public, max-age=3600, must-revalidate")],
        Json((*shared.jwks).clone()),
    )
}

async fn token(
    State(shared): State<Shared>,
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
    let mut inner = shared.inner.lock().expect("lock");
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

async fn userinfo(State(shared): State<Shared>, headers: HeaderMap) -> (StatusCode, Json<Value>) {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match shared.inner.lock().expect("lock").tokens.get(token) {
        Some(identity) => (StatusCode::OK, Json(identity.clone())),
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_token" })),
        ),
    }
}
