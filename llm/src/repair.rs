//! Making tool-call arguments from imperfect models into a JSON object.

use serde_json::{Map, Value};

/// Tool-call arguments as the model sent them, made into a JSON object if possible.
///
/// Trims whitespace and Markdown code fences (`` ```json ``); an empty text gives `{}`. Valid
/// JSON is taken as it is (a JSON string holding an object is unwrapped once). Otherwise, in
/// one pass outside string literals: single-quoted strings become double-quoted, bare keys are
/// quoted, Python's `True`/`False`/`None` become JSON's, trailing commas before `}` or `]` are
/// dropped, and unclosed strings, arrays and objects are closed. As a last resort the text from
/// the first `{` to the last `}` is tried, for objects wrapped in prose.
///
/// Returns `None` when the text still does not parse, or is not an object.
pub fn repair_arguments(raw: &str) -> Option<Map<String, Value>> {
    let text = strip_fences(raw.trim());
    if text.is_empty() {
        return Some(Map::new());
    }
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return match value {
            Value::Object(map) => Some(map),
            Value::String(inner) => serde_json::from_str::<Map<String, Value>>(inner.trim()).ok(),
            _ => None,
        };
    }
    if let Ok(map) = serde_json::from_str::<Map<String, Value>>(&normalize(text)) {
        return Some(map);
    }
    let (start, end) = (text.find('{')?, text.rfind('}')?);
    let inner = text
        .get(start..=end)
        .filter(|inner| inner.len() < text.len())?;
    serde_json::from_str::<Map<String, Value>>(&normalize(inner)).ok()
}

/// The text inside a Markdown code fence, if it is fenced.
fn strip_fences(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("```") else {
        return text;
    };
    // Drop the info string (`json`, `JSON`…) up to the end of the first line.
    let body = match rest.find(['\n', '{', '[']) {
        Some(i) if rest[..i].chars().all(|c| c.is_ascii_alphanumeric()) => &rest[i..],
        _ => rest,
    };
    body.trim().strip_suffix("```").unwrap_or(body).trim()
}

/// One pass over almost-JSON text, outside string literals, fixing what models get wrong.
fn normalize(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut closers: Vec<char> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' => i = copy_string(&chars, i, &mut out),
            '{' | '[' => {
                closers.push(if c == '{' { '}' } else { ']' });
                out.push(c);
                i += 1;
            }
            '}' | ']' => {
                drop_trailing_comma(&mut out);
                if closers.last() == Some(&c) {
                    closers.pop();
                }
                out.push(c);
                i += 1;
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => i = copy_word(&chars, i, &mut out),
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    drop_trailing_comma(&mut out);
    out.extend(closers.iter().rev());
    out
}

/// Copies the string literal starting at `start` (either quote) as a double-quoted JSON
/// string, closing it if the text ends first; returns the index after it.
fn copy_string(chars: &[char], start: usize, out: &mut String) -> usize {
    let quote = chars[start];
    out.push('"');
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                Some('\'') => out.push('\''),
                Some(&next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => {}
            }
            i += 2;
            continue;
        }
        if c == quote {
            out.push('"');
            return i + 1;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
        i += 1;
    }
    out.push('"');
    i
}

/// Copies a bare word: quoted when it is an object key, mapped when it is a Python literal.
fn copy_word(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut end = start;
    while end < chars.len()
        && (chars[end].is_alphanumeric() || matches!(chars[end], '_' | '$' | '-'))
    {
        end += 1;
    }
    let word: String = chars[start..end].iter().collect();
    let next = chars[end..].iter().find(|c| !c.is_whitespace());
    let after = out.trim_end().chars().last();
    if next == Some(&':') && matches!(after, Some('{' | ',')) {
        out.push('"');
        out.push_str(&word);
        out.push('"');
    } else {
        out.push_str(match word.as_str() {
            "True" => "true",
            "False" => "false",
            "None" => "null",
            other => other,
        });
    }
    end
}

fn drop_trailing_comma(out: &mut String) {
    let trimmed = out.trim_end().len();
    if out[..trimmed].ends_with(',') {
        out.truncate(trimmed - 1);
    }
}
