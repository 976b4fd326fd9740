//! Words of a message: each kept as written (for titles) and normalised (for
//! matching), plus the phrase helpers every recogniser uses.

/// One whitespace-separated word: `raw` as written, `key` lower-cased with the
/// surrounding punctuation removed, and where it starts in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word<'a> {
    pub raw: &'a str,
    pub key: String,
    pub start: usize,
}

impl Word<'_> {
    /// The key without a possessive `'s`, so "today's" and "week's" match as days.
    pub fn stem(&self) -> &str {
        self.key.strip_suffix("'s").unwrap_or(&self.key)
    }

    /// Byte offset just past the word in the message.
    pub fn end(&self) -> usize {
        self.start + self.raw.len()
    }
}

/// Punctuation that wraps a word without being part of it. `#` is kept (tags) and so
/// are `:`/`.` inside a word (times such as "5:30pm").
const OPENERS: &[char] = &['"', '\'', '(', '[', '“', '‘', '«', '*'];
pub(crate) const CLOSERS: &[char] = &[
    '.', ',', ';', ':', '!', '?', '"', '\'', ')', ']', '”', '’', '»', '*', '…',
];

/// Splits a message into words with byte offsets.
pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push(word(text, s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

fn word(text: &str, start: usize, end: usize) -> Word<'_> {
    let raw = &text[start..end];
    let lower = raw.to_lowercase().replace(['’', '‘'], "'");
    let key = lower
        .trim_start_matches(OPENERS)
        .trim_end_matches(CLOSERS)
        .to_owned();
    // "a.m."/"p.m." lose their final dot above; spell them the short way.
    let key = match key.as_str() {
        "a.m" => "am".to_owned(),
        "p.m" => "pm".to_owned(),
        _ => key,
    };
    Word { raw, key, start }
}

/// Whether the words at `at` spell `phrase` (space-separated keys).
pub(crate) fn phrase_at(words: &[Word], at: usize, phrase: &str) -> bool {
    phrase_len(words, at, phrase).is_some()
}

/// The number of words `phrase` covers when it is spelled at `at`. A possessive
/// matches its stem, so "this week's" spells "this week".
pub(crate) fn phrase_len(words: &[Word], at: usize, phrase: &str) -> Option<usize> {
    let mut n = 0;
    for part in phrase.split(' ') {
        let w = words.get(at + n)?;
        if w.key != part && w.stem() != part {
            return None;
        }
        n += 1;
    }
    Some(n)
}

/// Alternative phrases written as one string, `|` between them:
/// "add a task to|add a task". Where one begins another, list the longer first.
fn alternatives(list: &str) -> impl Iterator<Item = &str> {
    list.split('|').map(str::trim).filter(|p| !p.is_empty())
}

/// The number of words the first of the alternatives spelled at `at` covers.
pub(crate) fn any_len(words: &[Word], at: usize, list: &str) -> Option<usize> {
    alternatives(list).find_map(|p| phrase_len(words, at, p))
}

/// The words after the first alternative in `list` that begins `words`.
pub(crate) fn after_prefix<'w, 'a>(words: &'w [Word<'a>], list: &str) -> Option<&'w [Word<'a>]> {
    any_len(words, 0, list).map(|n| &words[n..])
}

/// The words before the first alternative in `list` that ends `words`.
pub(crate) fn before_suffix<'w, 'a>(words: &'w [Word<'a>], list: &str) -> Option<&'w [Word<'a>]> {
    alternatives(list).find_map(|p| {
        let at = words.len().checked_sub(p.split(' ').count())?;
        phrase_at(words, at, p).then(|| &words[..at])
    })
}

/// Positions where `phrase` starts, from the left.
pub(crate) fn positions(words: &[Word], phrase: &str) -> Vec<usize> {
    (0..words.len())
        .filter(|&i| phrase_at(words, i, phrase))
        .collect()
}

/// Words that lead into a date, time or priority and mean nothing once it is taken
/// out: "call mom *on* Friday" is titled "call mom".
const CONNECTORS: &[&str] = &[
    "on", "by", "at", "due", "before", "until", "till", "starting", "from", "is", "it's", "as",
    "with", "and", "-", "",
];

/// Removes `words[start..end]` and the connectors just before it.
pub(crate) fn cut(words: &mut Vec<Word>, start: usize, end: usize) {
    let mut from = start;
    while from > 0 && CONNECTORS.contains(&words[from - 1].key.as_str()) {
        from -= 1;
    }
    words.drain(from..end);
}

/// Politeness that carries no request ("could you please …", "… thanks").
const POLITE_LEADS: &str = "could you please|can you please|would you please|will you please|\
    could you|can you|would you|will you|can u|pls|plz|please|kindly|hey maigie|hi maigie|\
    maigie|hey|hi|hello|ok|okay|i'd like you to|i want you to|go ahead and|just";
const POLITE_TAILS: &str = "thank you|thanks|thx|please|pls|plz|for me";

/// Drops politeness before and after the request so the recognisers see its core.
/// A pure greeting ("hello") leaves nothing, so it stays unrecognised.
pub(crate) fn trim_politeness<'w, 'a>(mut words: &'w [Word<'a>]) -> &'w [Word<'a>] {
    while let Some(rest) = after_prefix(words, POLITE_LEADS) {
        words = rest;
    }
    loop {
        match words.split_last() {
            // Lone punctuation ("?") goes, but not "!": it marks a task important.
            Some((last, rest)) if last.key.is_empty() && !last.raw.starts_with('!') => words = rest,
            _ => match before_suffix(words, POLITE_TAILS) {
                Some(rest) => words = rest,
                None => return words,
            },
        }
    }
}

/// Connector and article words that mean nothing at either end of a title.
const EDGE_WORDS: &[&str] = &[
    "on", "by", "at", "due", "before", "until", "till", "starting", "from", "and", "to", "for",
    "with", "is", "it's", "as", "-", "",
];

/// The title the remaining words spell, as written: dangling connectors and edge
/// punctuation removed, inner spacing collapsed. Empty when nothing is left.
pub(crate) fn title(words: &[Word]) -> String {
    let mut w = words;
    while let Some((first, rest)) = w.split_first() {
        if !EDGE_WORDS.contains(&first.key.as_str()) {
            break;
        }
        w = rest;
    }
    while let Some((last, rest)) = w.split_last() {
        if !EDGE_WORDS.contains(&last.key.as_str()) {
            break;
        }
        w = rest;
    }
    let joined: Vec<&str> = w.iter().map(|x| x.raw).collect();
    let text = joined.join(" ");
    // A title in quotes ("mark "essay draft" as done") is the title inside them.
    let text = match text
        .strip_prefix(['"', '“'])
        .and_then(|t| t.strip_suffix(['"', '”']))
    {
        Some(inner) => inner.to_owned(),
        None => text,
    };
    text.trim_matches(|c: char| ",;:-–—.!?".contains(c) || c.is_whitespace())
        .to_owned()
}

/// `title` without a leading article or possessive ("the report" → "report").
pub(crate) fn object(words: &[Word]) -> String {
    let w = after_prefix(words, "the|my|a|an|our|this").unwrap_or(words);
    title(w)
}

/// A small count: digits, a number word up to twelve, or "a"/"an" for one.
pub(crate) fn count(key: &str) -> Option<u32> {
    const WORDS: &[&str] = &[
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve",
    ];
    match key {
        "a" | "an" => Some(1),
        k if k.len() <= 4 && !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) => {
            k.parse().ok()
        }
        k => WORDS
            .iter()
            .position(|w| *w == k)
            .and_then(|i| u32::try_from(i + 1).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_offsets_and_normalise_keys() {
        let w = words("  Call MOM, at 5 P.M. «now»");
        let keys: Vec<&str> = w.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(keys, ["call", "mom", "at", "5", "pm", "now"]);
        assert_eq!(w[1].raw, "MOM,");
        assert_eq!(w[0].start, 2);
    }

    #[test]
    fn title_drops_dangling_connectors_and_punctuation() {
        let w = words("on Call mom - by");
        assert_eq!(title(&w), "Call mom");
        assert_eq!(title(&words("to -")), "");
    }
}
