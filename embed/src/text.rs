//! Vector and text helpers shared by the providers.

/// Cosine similarity of two vectors; for the normalised vectors of an [`crate::Embedder`] this
/// is their dot product. Vectors of different lengths, or a zero vector, give 0.
#[must_use]
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm_a = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let norm_b = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm_a == 0.0 || norm_b == 0.0 {
        return 0.0;
    }
    dot / (norm_a * norm_b)
}

/// Scales `v` to unit length in place. A zero vector stays zero (as in PyTorch's
/// `normalize`, which divides by `max(norm, 1e-12)`): it has no direction to keep.
pub(crate) fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    for x in v.iter_mut() {
        *x /= norm;
    }
}

/// ASCII characters per token assumed by the estimate. BPE tokenizers of OpenAI-style models
/// average about four characters of English prose per token, fewer for code and numbers:
/// three keeps the estimate above the real count for most texts, so chunks sized by it fit.
const ASCII_CHARS_PER_TOKEN: usize = 3;

/// Estimated tokens in `text` for a model whose tokenizer we do not have: one token per three
/// ASCII characters (rounded up) plus one per other character (accented letters, CJK, emoji
/// are rarely merged with their neighbours).
pub(crate) fn estimate_tokens(text: &str) -> usize {
    let ascii = text.bytes().filter(u8::is_ascii).count();
    let other = text.chars().filter(|c| !c.is_ascii()).count();
    ascii.div_ceil(ASCII_CHARS_PER_TOKEN) + other
}

/// The longest prefix of `text` whose [`estimate_tokens`] is at most `max_tokens`.
pub(crate) fn truncate_to_estimate(text: &str, max_tokens: usize) -> &str {
    let (mut ascii, mut other) = (0usize, 0usize);
    for (at, c) in text.char_indices() {
        if c.is_ascii() {
            ascii += 1;
        } else {
            other += 1;
        }
        if ascii.div_ceil(ASCII_CHARS_PER_TOKEN) + other > max_tokens {
            return &text[..at];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_vectors_have_unit_length_and_keep_their_direction() {
        let mut v = vec![3.0, 4.0];
        normalize(&mut v);
        assert!(
            (v[0] - 0.6).abs() < 1e-6 && (v[1] - 0.8).abs() < 1e-6,
            "{v:?}"
        );
        let mut zero = vec![0.0, 0.0];
        normalize(&mut zero);
        assert_eq!(zero, vec![0.0, 0.0]);
    }

    #[test]
    fn cosine_ignores_length_and_is_zero_for_mismatched_vectors() {
        assert!((cosine(&[1.0, 0.0], &[5.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 2.0]).abs() < 1e-6);
        assert!((cosine(&[1.0, 1.0], &[-1.0, -1.0]) + 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0], &[1.0, 0.0]).abs() < f32::EPSILON);
        assert!(cosine(&[0.0, 0.0], &[1.0, 0.0]).abs() < f32::EPSILON);
    }

    #[test]
    fn estimates_count_three_ascii_characters_or_one_other_character_per_token() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("abc"), 1);
        assert_eq!(estimate_tokens("abcd"), 2);
        assert_eq!(estimate_tokens("日本語"), 3);
        assert_eq!(estimate_tokens("café"), 2); // "caf" + "é"
    }

    #[test]
    fn truncation_keeps_the_longest_prefix_within_the_estimate() {
        assert_eq!(truncate_to_estimate("abcdefgh", 2), "abcdef");
        assert_eq!(truncate_to_estimate("abc", 5), "abc");
        assert_eq!(truncate_to_estimate("日本語", 2), "日本");
        assert_eq!(truncate_to_estimate("abc", 0), "");
        let long = "word ".repeat(1000);
        let cut = truncate_to_estimate(&long, 100);
        assert_eq!(estimate_tokens(cut), 100);
        assert!(long.starts_with(cut));
    }
}
