//! The user's knowledge as search sees it: sources cut into overlapping,
//! token-bounded chunks, and rankings merged by reciprocal rank fusion.

use std::collections::HashMap;
use std::hash::Hash;

/// How sources are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkSpec {
    /// Tokens of text per chunk at most (the model's window minus room for the title).
    pub max_tokens: usize,
    /// Tokens a chunk repeats from the end of the one before, so a sentence cut in two
    /// is whole in one of them.
    pub overlap: usize,
}

impl Default for ChunkSpec {
    fn default() -> Self {
        // all-MiniLM-L6-v2 reads 256 word pieces; the title and special tokens need
        // some of them.
        Self {
            max_tokens: 200,
            overlap: 40,
        }
    }
}

/// Cuts `text` into chunks of at most `spec.max_tokens` tokens as `count` counts
/// them (per word: word-piece tokenizers split words independently), each starting
/// `spec.overlap` tokens before the previous one ended. A word longer than a whole
/// chunk is a chunk of its own (the model truncates it). Whitespace-only text has no
/// chunk.
pub fn chunk(text: &str, spec: ChunkSpec, count: impl Fn(&str) -> usize) -> Vec<String> {
    let words: Vec<(&str, usize)> = text
        .split_whitespace()
        .map(|w| (w, count(w).max(1)))
        .collect();
    let max = spec.max_tokens.max(1);
    let overlap = spec.overlap.min(max / 2);
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < words.len() {
        let mut end = start;
        let mut tokens = 0;
        while end < words.len() && (end == start || tokens + words[end].1 <= max) {
            tokens += words[end].1;
            end += 1;
        }
        chunks.push(
            words[start..end]
                .iter()
                .map(|(w, _)| *w)
                .collect::<Vec<_>>()
                .join(" "),
        );
        if end == words.len() {
            break;
        }
        // Step back over `overlap` tokens, but always move forward.
        let mut back = end;
        let mut kept = 0;
        while back > start + 1 && kept + words[back - 1].1 <= overlap {
            kept += words[back - 1].1;
            back -= 1;
        }
        // An overlap that leaves no room for the next word would only repeat text.
        start = if kept + words[end].1 <= max {
            back
        } else {
            end
        };
    }
    chunks
}

/// Reciprocal rank fusion: each ranking gives an item `1 / (k + rank)` (rank from 1),
/// summed over the rankings it appears in; answers the items best first (ties keep
/// the order of first appearance). `k = 60` is the usual constant: it keeps one
/// ranking's top item from drowning the others.
pub fn fuse<T: Clone + Eq + Hash>(rankings: &[Vec<T>], k: f64) -> Vec<(T, f64)> {
    let mut scores: HashMap<T, (f64, usize)> = HashMap::new();
    let mut order = 0;
    for ranking in rankings {
        for (i, item) in ranking.iter().enumerate() {
            let rank = i as f64 + 1.0;
            let entry = scores.entry(item.clone()).or_insert_with(|| {
                order += 1;
                (0.0, order)
            });
            entry.0 += 1.0 / (k + rank);
        }
    }
    let mut fused: Vec<(T, f64, usize)> = scores
        .into_iter()
        .map(|(item, (score, first))| (item, score, first))
        .collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    fused
        .into_iter()
        .map(|(item, score, _)| (item, score))
        .collect()
}

/// Cosine similarity of two vectors (0 when either is zero or they differ in length).
#[must_use]
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() || a.is_empty() {
        return 0.0;
    }
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: usize) -> String {
        (0..n)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn short_text_is_one_chunk_and_blank_text_none() {
        let spec = ChunkSpec::default();
        assert_eq!(
            chunk("  plants make food  ", spec, |_| 1),
            vec!["plants make food"]
        );
        assert!(chunk(" \n\t ", spec, |_| 1).is_empty());
    }

    #[test]
    fn long_text_is_cut_into_bounded_overlapping_chunks_covering_every_word() {
        let spec = ChunkSpec {
            max_tokens: 10,
            overlap: 3,
        };
        let chunks = chunk(&words(25), spec, |_| 1);
        assert!(chunks.iter().all(|c| c.split(' ').count() <= 10));
        assert_eq!(chunks[0], words(10));
        // The second starts three words before the first ended.
        assert!(chunks[1].starts_with("w7 w8 w9 w10"));
        assert!(chunks.last().expect("last").ends_with("w24"));
        let seen: std::collections::HashSet<&str> =
            chunks.iter().flat_map(|c| c.split(' ')).collect();
        assert_eq!(seen.len(), 25);
    }

    #[test]
    fn token_counts_not_words_bound_a_chunk_and_a_huge_word_still_moves_on() {
        let spec = ChunkSpec {
            max_tokens: 6,
            overlap: 2,
        };
        let text = "aaaa b c dddddddddddddddddddd e";
        let chunks = chunk(text, spec, |w| w.len());
        assert_eq!(chunks, vec!["aaaa b c", "dddddddddddddddddddd", "e"]);
    }

    #[test]
    fn fusion_rewards_items_ranked_well_in_both_lists() {
        let fused = fuse(&[vec!["a", "b", "c"], vec!["b", "d", "a"]], 60.0);
        let order: Vec<&str> = fused.iter().map(|(i, _)| *i).collect();
        assert_eq!(order, vec!["b", "a", "d", "c"]);
        assert!(fused[0].1 > fused[2].1);
    }

    #[test]
    fn cosine_is_one_for_the_same_direction_and_zero_for_orthogonal_or_mismatched() {
        assert!((cosine(&[1.0, 2.0], &[2.0, 4.0]) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 1.0]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), 0.0);
    }
}
