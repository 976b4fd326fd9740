//! The repair of tool-call arguments sent by imperfect models.

use maigie_llm::repair_arguments;
use serde_json::{Value, json};

#[test]
fn arguments_are_repaired_into_objects_or_refused() {
    let cases: &[(&str, &str, Option<Value>)] = &[
        (
            "valid",
            r#"{"title": "Read ch. 3"}"#,
            Some(json!({"title": "Read ch. 3"})),
        ),
        ("fenced", "```json\n{\"a\": 1}\n```", Some(json!({"a": 1}))),
        ("fenced inline", "```{\"a\": 1}```", Some(json!({"a": 1}))),
        (
            "trailing commas",
            r#"{"a": [1, 2,], "b": 3,}"#,
            Some(json!({"a": [1, 2], "b": 3})),
        ),
        (
            "single quotes",
            "{'title': 'Don\\'t \"panic\"'}",
            Some(json!({"title": "Don't \"panic\""})),
        ),
        (
            "bare keys",
            r#"{title: "x", due_at: null, n: 2}"#,
            Some(json!({"title": "x", "due_at": null, "n": 2})),
        ),
        (
            "python literals",
            "{'done': True, 'note': None}",
            Some(json!({"done": true, "note": null})),
        ),
        (
            "missing final brace",
            r#"{"a": {"b": 1}"#,
            Some(json!({"a": {"b": 1}})),
        ),
        (
            "truncated string",
            r#"{"title": "Revise"#,
            Some(json!({"title": "Revise"})),
        ),
        (
            "prose around",
            r#"Sure! {"a": 1} Hope that helps."#,
            Some(json!({"a": 1})),
        ),
        ("double encoded", r#""{\"a\": 1}""#, Some(json!({"a": 1}))),
        ("empty", "  ", Some(json!({}))),
        (
            "colon inside a string kept",
            r#"{"t": "at 10:30", 'u': 'a,}'}"#,
            Some(json!({"t": "at 10:30", "u": "a,}"})),
        ),
        ("garbage", "not json at all", None),
        ("array", "[1, 2]", None),
        ("number", "42", None),
        ("string", r#""hello""#, None),
    ];
    for (name, raw, expected) in cases {
        let got = repair_arguments(raw).map(Value::Object);
        assert_eq!(&got, expected, "case {name}: {raw}");
    }
}
