//! A small S3-compatible server (S3 is a paid service we cannot reach from tests): PUT,
//! GET and DELETE of objects in path-style buckets, over real HTTP, so the app's real
//! S3 client (`object_store`) talks to it. Requests must carry AWS SigV4 (an
//! `Authorization` header, or the query of a presigned URL); the signature itself is
//! not recomputed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;

type Objects = Arc<Mutex<HashMap<String, (Bytes, String)>>>;

/// A running fake; `endpoint` is its base URL.
pub struct FakeS3 {
    pub endpoint: String,
    objects: Objects,
}

impl FakeS3 {
    pub async fn start() -> FakeS3 {
        let objects: Objects = Arc::default();
        let app = axum::Router::new()
            .route("/{bucket}/{*key}", axum::routing::any(object))
            .with_state(objects.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeS3 {
            endpoint: format!("http://{addr}"),
            objects,
        }
    }

    /// The keys stored (`bucket/key`).
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .objects
            .lock()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }

    /// The app's configuration for this store.
    pub fn overrides(&self, bucket: &str) -> Vec<(&'static str, String)> {
        vec![
            ("VOICE_STORAGE", "s3".into()),
            ("VOICE_S3_ENDPOINT", self.endpoint.clone()),
            ("VOICE_S3_BUCKET", bucket.into()),
            ("VOICE_S3_ACCESS_KEY_ID", "test-access-key".into()),
            ("VOICE_S3_SECRET_ACCESS_KEY", "test-secret-key".into()),
            ("VOICE_S3_PREFIX", "maigie".into()),
        ]
    }
}

fn signed(headers: &HeaderMap, query: Option<&str>) -> bool {
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256 "));
    let presigned = query.is_some_and(|q| {
        q.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256")
            && q.contains("X-Amz-Signature=")
            && q.contains("X-Amz-Expires=")
    });
    header || presigned
}

fn error(status: StatusCode, code: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{code}</Message></Error>"
    );
    (status, [("content-type", "application/xml")], body).into_response()
}

async fn object(
    State(objects): State<Objects>,
    Path((bucket, key)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !signed(&headers, query.as_deref()) {
        return error(StatusCode::FORBIDDEN, "AccessDenied");
    }
    let name = format!("{bucket}/{key}");
    let etag = format!("\"{:x}\"", body.len());
    match method {
        Method::PUT => {
            let kind = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream")
                .to_owned();
            if let Ok(mut o) = objects.lock() {
                o.insert(name, (body, kind));
            }
            (StatusCode::OK, [("etag", etag)]).into_response()
        }
        Method::GET | Method::HEAD => {
            let found = objects.lock().ok().and_then(|o| o.get(&name).cloned());
            let Some((bytes, kind)) = found else {
                return error(StatusCode::NOT_FOUND, "NoSuchKey");
            };
            let etag = format!("\"{:x}\"", bytes.len());
            let headers = [
                ("content-type", kind),
                ("etag", etag),
                ("last-modified", "Sun, 06 Dec 2026 12:00:00 GMT".to_owned()),
                ("content-length", bytes.len().to_string()),
            ];
            if method == Method::HEAD {
                (StatusCode::OK, headers).into_response()
            } else {
                (StatusCode::OK, headers, bytes).into_response()
            }
        }
        Method::DELETE => {
            if let Ok(mut o) = objects.lock() {
                o.remove(&name);
            }
            StatusCode::NO_CONTENT.into_response()
        }
        _ => error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"),
    }
}
