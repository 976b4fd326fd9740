//! Notes: markdown content, search queries, and safe highlighted snippets.
//!
//! ## Snippets and HTML
//! Search results carry a `snippet` with the matched words wrapped in
//! `<mark>…</mark>`, meant to be inserted as HTML. The note text is the user's own
//! markdown and may contain anything, `<script>` included, so it must never reach
//! the snippet unescaped. PostgreSQL's `ts_headline` is therefore asked to mark
//! matches with two control characters ([`MARK_START`], [`MARK_END`]) that notes
//! cannot contain (they are stripped from the text before highlighting), and
//! [`render_snippet`] HTML-escapes the whole fragment before turning exactly those
//! two characters into `<mark>` and `</mark>`. The only markup in a snippet is ours.

use crate::validation::InputError;

/// Longest markdown body, in characters (the database checks the same bound).
pub const CONTENT_MAX: usize = 200_000;
/// Longest search query, in characters.
pub const QUERY_MAX: usize = 500;

/// Sentinel `ts_headline` puts before a match.
pub const MARK_START: char = '\u{2}';
/// Sentinel `ts_headline` puts after a match.
pub const MARK_END: char = '\u{3}';

/// Options for `ts_headline`: up to three fragments of about 10–30 words.
#[must_use]
pub fn headline_options() -> String {
    format!(
        "StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=3, MaxWords=30, \
         MinWords=10, FragmentDelimiter=\" … \""
    )
}

/// Markdown content: kept as typed (whitespace is meaningful in markdown), bounded.
pub fn content(raw: &str) -> Result<String, InputError> {
    if raw.chars().count() > CONTENT_MAX {
        return Err(InputError::TooLong { max: CONTENT_MAX });
    }
    Ok(raw.to_owned())
}

/// A search query in web-search syntax (`"exact phrase"`, `or`, `-exclude`);
/// blank means no search.
pub fn search_query(raw: Option<&str>) -> Result<Option<String>, InputError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(q) if q.chars().count() > QUERY_MAX => Err(InputError::TooLong { max: QUERY_MAX }),
        Some(q) => Ok(Some(q.to_owned())),
    }
}

/// Turns a `ts_headline` fragment (matches between [`MARK_START`] and
/// [`MARK_END`]) into safe HTML: everything is escaped, then the sentinels become
/// `<mark>` tags. An unbalanced sentinel is closed so the markup stays well formed.
#[must_use]
pub fn render_snippet(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 16);
    let mut open = false;
    for c in raw.chars() {
        match c {
            MARK_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            c => crate::html::push_escaped(&mut out, c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// An extractive summary: the note's first sentences (Markdown headings, list marks
/// and emphasis dropped) up to `max` characters, cut at a sentence or word boundary.
#[must_use]
pub fn extract_summary(content: &str, max: usize) -> String {
    let text: Vec<&str> = content
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['#', '-', '*', '>', ' '])
                .trim()
        })
        .filter(|l| !l.is_empty() && !l.starts_with("```"))
        .collect();
    let text = text.join(" ").replace(['*', '_', '`'], "");
    if text.chars().count() <= max {
        return text;
    }
    let cut: String = text.chars().take(max).collect();
    let at = cut
        .rfind(". ")
        .map(|i| i + 1)
        .filter(|i| *i > max / 3)
        .or_else(|| cut.rfind(' '))
        .unwrap_or(cut.len());
    let mut out = cut[..at].trim_end().to_owned();
    if !out.ends_with('.') {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_the_first_sentences_without_markup() {
        let note = "# Photosynthesis\n\n- Plants turn **light** into sugar. Chlorophyll absorbs red light.\n\nMore detail follows here.";
        assert_eq!(
            extract_summary(note, 200),
            "Photosynthesis Plants turn light into sugar. Chlorophyll absorbs red light. More detail follows here."
        );
        assert_eq!(
            extract_summary(note, 60),
            "Photosynthesis Plants turn light into sugar."
        );
        assert_eq!(
            extract_summary("word ".repeat(50).as_str(), 12),
            "word word…"
        );
    }

    #[test]
    fn snippets_escape_the_note_and_mark_only_matches() {
        let raw = "<script>alert('x')</script> & \u{2}photosynthesis\u{3} \"here\"";
        assert_eq!(
            render_snippet(raw),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; \
             <mark>photosynthesis</mark> &quot;here&quot;"
        );
    }

    #[test]
    fn stray_sentinels_never_leave_markup_open() {
        assert_eq!(render_snippet("\u{2}a"), "<mark>a</mark>");
        assert_eq!(render_snippet("a\u{3}b"), "ab");
        assert_eq!(render_snippet("\u{2}\u{2}a\u{3}"), "<mark>a</mark>");
    }

    #[test]
    fn content_is_bounded_but_kept_verbatim() {
        assert_eq!(content("  # Title\n"), Ok("  # Title\n".to_owned()));
        assert!(content(&"x".repeat(CONTENT_MAX)).is_ok());
        assert_eq!(
            content(&"x".repeat(CONTENT_MAX + 1)),
            Err(InputError::TooLong { max: CONTENT_MAX })
        );
    }

    #[test]
    fn blank_queries_mean_no_search() {
        assert_eq!(search_query(Some("  ")), Ok(None));
        assert_eq!(search_query(None), Ok(None));
        assert_eq!(search_query(Some(" cells ")), Ok(Some("cells".into())));
        assert!(search_query(Some(&"q".repeat(QUERY_MAX + 1))).is_err());
    }

    #[test]
    fn headline_options_use_the_sentinels() {
        let opts = headline_options();
        assert!(opts.contains("StartSel=\u{2}") && opts.contains("StopSel=\u{3}"));
    }
}
