//! Recognising paraphrases of the requests the offline assistant supports: the
//! message's nearest example phrasing (`maigie_domain::intent::EXAMPLES`, by cosine of
//! sentence embeddings) names its kind of request, and the domain's loose readers
//! (`understand_as`) read its slots. The strict parser stays first: what it reads,
//! it reads exactly; the embeddings only handle what it leaves.
//!
//! The examples are embedded once per process and model (on first use, ~100 short
//! sentences: about 2 s with the local model), then one message costs one embedding
//! and a hundred dot products. The same text and model give the same calls.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maigie_domain::intent::{self, EXAMPLES, Intent, ToolCall};
use maigie_embed::{EmbedError, Embedder, cosine};
use tokio::sync::Mutex;

/// The least score (mean cosine of a request's two nearest examples) for a message to
/// count as that request. Chosen on the paraphrase table (agent/tests): requests
/// score about 0.3–0.9, small talk and nonsense below this or nearest to the
/// [`Intent::Other`] examples. Low, because a loose reader still needs the words of
/// its request (an opening, a done-word, a time) before it makes a call.
pub const MIN_SIMILARITY: f32 = 0.3;

/// Longest message, in bytes, recognised by meaning.
const MAX_REQUEST: usize = 400;

/// The request a message is nearest to, with its nearest example.
#[derive(Debug, Clone, PartialEq)]
pub struct Nearest {
    pub intent: Intent,
    pub example: &'static str,
    pub similarity: f32,
}

/// The examples' vectors for one model.
struct Table {
    model: String,
    vectors: Arc<Vec<Vec<f32>>>,
}

/// One table per process (rebuilt only if the model changes).
static TABLE: Mutex<Option<Table>> = Mutex::const_new(None);

async fn example_vectors(embedder: &dyn Embedder) -> Result<Arc<Vec<Vec<f32>>>, EmbedError> {
    let mut table = TABLE.lock().await;
    if let Some(t) = table.as_ref().filter(|t| t.model == embedder.model()) {
        return Ok(t.vectors.clone());
    }
    let texts: Vec<String> = EXAMPLES.iter().map(|(_, t)| (*t).to_owned()).collect();
    let vectors = Arc::new(embedder.embed(&texts).await?);
    *table = Some(Table {
        model: embedder.model().to_owned(),
        vectors: vectors.clone(),
    });
    Ok(vectors)
}

/// The requests by how near their examples are to `text`, nearest first: each
/// request scores the mean of its two nearest examples, so one example that shares
/// the message's topic ("the dentist", "the library") does not outweigh the way the
/// message asks.
pub async fn ranked(embedder: &dyn Embedder, text: &str) -> Result<Vec<Nearest>, EmbedError> {
    let examples = example_vectors(embedder).await?;
    let query = embedder.embed(&[text.to_lowercase()]).await?;
    let Some(query) = query.first() else {
        return Ok(Vec::new());
    };
    // Per intent, in the table's order: its best example and its two best scores.
    let mut best: Vec<(Intent, &'static str, f32, f32)> = Vec::new();
    for (v, (intent, example)) in examples.iter().zip(EXAMPLES) {
        let s = cosine(query, v);
        match best.iter_mut().find(|b| b.0 == *intent) {
            Some(b) if s > b.2 => *b = (*intent, *example, s, b.2),
            Some(b) => b.3 = b.3.max(s),
            None => best.push((*intent, *example, s, f32::NEG_INFINITY)),
        }
    }
    let mut out: Vec<Nearest> = best
        .into_iter()
        .map(|(intent, example, first, second)| Nearest {
            intent,
            example,
            similarity: if second.is_finite() {
                f32::midpoint(first, second)
            } else {
                first
            },
        })
        .collect();
    // Stable: equal scores keep the table's order, so the answer is deterministic.
    out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    Ok(out)
}

/// The request nearest to `text` (whatever the similarity).
pub async fn nearest(embedder: &dyn Embedder, text: &str) -> Result<Option<Nearest>, EmbedError> {
    Ok(ranked(embedder, text).await?.into_iter().next())
}

/// The requests `text` may be, nearest first: those scoring at least
/// [`MIN_SIMILARITY`] and nearer than the small-talk examples.
pub async fn recognise(embedder: &dyn Embedder, text: &str) -> Result<Vec<Intent>, EmbedError> {
    Ok(ranked(embedder, text)
        .await?
        .into_iter()
        .take_while(|n| n.similarity >= MIN_SIMILARITY && n.intent != Intent::Other)
        .map(|n| n.intent)
        .collect())
}

/// The calls `text` asks for: the strict parser's, else those of the request it is
/// recognised as. `None`: not a request (the caller answers with the help text). An
/// embedder that fails leaves only the strict parser (logged).
pub async fn understand(
    embedder: &dyn Embedder,
    text: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Option<Vec<ToolCall>> {
    if let Some(calls) = intent::understand(text, now, tz) {
        return Some(calls);
    }
    // A request is a sentence; a long text is something else (and costs more to embed).
    if text.trim().is_empty() || text.len() > MAX_REQUEST {
        return None;
    }
    // The nearest request whose slots can be read: "make sure I call the dentist"
    // may sit nearest to an example about deleting the dentist task, but nothing in
    // it reads as a deletion, so the next request (a new task) is the one meant.
    match recognise(embedder, text).await {
        Ok(found) => found
            .into_iter()
            .find_map(|i| intent::understand_as(i, text, now, tz)),
        Err(err) => {
            tracing::warn!(error = %err, "paraphrases not recognised: the embedder failed");
            None
        }
    }
}
