//! The OpenAI-compatible provider against a fake `/v1/embeddings` server: a real HTTP server on
//! port 0 that our real client talks to, scripted per test.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use maigie_embed::{EmbedError, Embedder, OpenAiConfig, OpenAiEmbedder};
use serde_json::{Value, json};

/// What the fake answers.
#[derive(Clone)]
enum Reply {
    /// One vector per input, listed in reverse order (clients must sort by `index`).
    Vectors,
    /// This status with this body.
    Fail(u16, &'static str),
    /// Vectors of the wrong length.
    WrongDimension,
    /// One vector fewer than inputs.
    Missing,
    /// Waits this long before answering.
    Hang(Duration),
}

struct Fake {
    reply: Reply,
    /// Each request's body and `Authorization` header.
    requests: Vec<(Value, Option<String>)>,
}

type Shared = Arc<Mutex<Fake>>;

fn lock(fake: &Shared) -> MutexGuard<'_, Fake> {
    fake.lock().expect("fake state")
}

const DIMENSION: usize = 4;

/// A recognisable, unnormalised vector for `text`: `[chars, 1, 0, 0]`.
fn vector_for(text: &str) -> Vec<f32> {
    vec![text.chars().count() as f32, 1.0, 0.0, 0.0]
}

async fn embeddings(
    State(fake): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let reply = {
        let mut fake = lock(&fake);
        fake.requests.push((body.clone(), auth));
        fake.reply.clone()
    };
    let inputs: Vec<String> = body["input"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(
            |(i, text)| json!({ "object": "embedding", "index": i, "embedding": vector_for(text) }),
        )
        .collect();
    match reply {
        Reply::Fail(status, text) => {
            let status = StatusCode::from_u16(status).expect("a status code");
            return (status, text).into_response();
        }
        Reply::Hang(delay) => tokio::time::sleep(delay).await,
        Reply::WrongDimension => data
            .iter_mut()
            .for_each(|d| d["embedding"] = json!([1.0, 2.0])),
        Reply::Missing => {
            data.pop();
        }
        Reply::Vectors => {}
    }
    data.reverse();
    Json(json!({
        "object": "list",
        "model": body["model"],
        "data": data,
        "usage": { "prompt_tokens": 1, "total_tokens": 1 },
    }))
    .into_response()
}

/// Starts the fake (its listener bound before the client exists: no waiting needed).
async fn start(reply: Reply) -> (Shared, String) {
    let fake = Arc::new(Mutex::new(Fake {
        reply,
        requests: Vec::new(),
    }));
    let app = Router::new()
        .route("/v1/embeddings", post(embeddings))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (fake, format!("http://{addr}/v1"))
}

fn config(api_base: String) -> OpenAiConfig {
    OpenAiConfig {
        api_base,
        api_key: Some("sk-fake".into()),
        model: "fake-embed".into(),
        dimensions: Some(DIMENSION),
        timeout: Duration::from_secs(5),
        batch_size: 3,
        max_input_tokens: 100,
    }
}

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_string()).collect()
}

async fn failure(reply: Reply) -> EmbedError {
    let (_, base) = start(reply).await;
    let embedder = OpenAiEmbedder::new(config(base)).expect("client");
    embedder
        .embed(&texts(&["a"]))
        .await
        .expect_err("the fake fails")
}

#[tokio::test]
async fn inputs_go_in_batches_and_vectors_come_back_normalised_in_input_order() {
    let (fake, base) = start(Reply::Vectors).await;
    let embedder = OpenAiEmbedder::new(config(base)).expect("client");
    let items = texts(&["a", "bb", "ccc", "dddd", "eeeee", "", "ggggggg"]);
    let vectors = embedder.embed(&items).await.expect("vectors");

    assert_eq!(vectors.len(), items.len());
    for (text, vector) in items.iter().zip(&vectors) {
        // An empty input is sent as one space: OpenAI refuses empty strings.
        let mut expected = vector_for(if text.is_empty() { " " } else { text });
        let norm = expected.iter().map(|x| x * x).sum::<f32>().sqrt();
        expected.iter_mut().for_each(|x| *x /= norm);
        assert_eq!(vector, &expected, "{text:?}");
    }
    let requests = &lock(&fake).requests;
    let sizes: Vec<usize> = requests
        .iter()
        .map(|(b, _)| b["input"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, vec![3, 3, 1]);
    let (body, auth) = &requests[0];
    assert_eq!(body["model"], "fake-embed");
    assert_eq!(body["dimensions"], DIMENSION);
    assert_eq!(auth.as_deref(), Some("Bearer sk-fake"));
    assert_eq!(embedder.model(), "openai/fake-embed");
    assert_eq!(embedder.dimension(), DIMENSION);
}

#[tokio::test]
async fn dimensions_are_not_asked_when_not_configured() {
    let (fake, base) = start(Reply::Vectors).await;
    let embedder = OpenAiEmbedder::new(OpenAiConfig {
        model: "all-minilm".into(),
        dimensions: None,
        ..config(base)
    })
    .expect("client");
    // all-minilm is known as 384-dimensional, so the fake's 4-dimensional vectors are refused.
    let err = embedder
        .embed(&texts(&["a"]))
        .await
        .expect_err("wrong size");
    assert!(matches!(err, EmbedError::InvalidResponse(_)), "{err:?}");
    assert!(lock(&fake).requests[0].0.get("dimensions").is_none());
}

#[tokio::test]
async fn long_inputs_are_cut_to_the_token_limit_before_sending() {
    let (fake, base) = start(Reply::Vectors).await;
    let embedder = OpenAiEmbedder::new(config(base)).expect("client");
    embedder.embed(&["x".repeat(1000)]).await.expect("vectors");
    let sent = lock(&fake).requests[0].0["input"][0].as_str().map(str::len);
    // 100 estimated tokens of three ASCII characters each.
    assert_eq!(sent, Some(300));
    assert_eq!(embedder.count_tokens(&"x".repeat(1000)), 334);
}

#[tokio::test]
async fn no_texts_send_no_request() {
    let (fake, base) = start(Reply::Vectors).await;
    let embedder = OpenAiEmbedder::new(config(base)).expect("client");
    assert!(embedder.embed(&[]).await.expect("nothing").is_empty());
    assert!(lock(&fake).requests.is_empty());
}

#[tokio::test]
async fn a_server_error_is_retryable() {
    let err = failure(Reply::Fail(500, "internal error")).await;
    assert!(
        matches!(err, EmbedError::Status { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_rate_limit_with_a_plain_text_body_is_retryable() {
    let err = failure(Reply::Fail(429, "<html>Too Many Requests</html>")).await;
    assert!(
        matches!(err, EmbedError::Status { status: 429, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_bad_request_is_permanent_and_keeps_the_provider_message() {
    let body = r#"{"error":{"message":"input is too long","type":"invalid_request_error"}}"#;
    let err = failure(Reply::Fail(400, body)).await;
    match &err {
        EmbedError::Status { status, message } => {
            assert_eq!(*status, 400);
            assert_eq!(message, "input is too long");
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_slow_provider_times_out_and_is_retryable() {
    let (_, base) = start(Reply::Hang(Duration::from_secs(10))).await;
    let embedder = OpenAiEmbedder::new(OpenAiConfig {
        timeout: Duration::from_millis(300),
        ..config(base)
    })
    .expect("client");
    let started = std::time::Instant::now();
    let err = embedder.embed(&texts(&["a"])).await.expect_err("too slow");
    assert!(matches!(err, EmbedError::Timeout(_)), "{err:?}");
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn an_unreachable_provider_is_retryable() {
    // Bind a port, then free it: nothing listens there any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    let embedder = OpenAiEmbedder::new(config(format!("http://{addr}/v1"))).expect("client");
    let err = embedder
        .embed(&texts(&["a"]))
        .await
        .expect_err("nobody there");
    assert!(matches!(err, EmbedError::Unavailable(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn vectors_of_the_wrong_size_or_count_are_permanent_errors() {
    for reply in [Reply::WrongDimension, Reply::Missing] {
        let err = failure(reply).await;
        assert!(matches!(err, EmbedError::InvalidResponse(_)), "{err:?}");
        assert!(!err.is_retryable());
    }
}
