use super::*;

#[test]
fn every_event_kind_is_a_message_of_the_socket_and_chat_kinds_of_the_stream() {
    let doc = document();
    let ws = doc["channels"][WS_CHANNEL]["messages"]
        .as_object()
        .expect("messages");
    let sse = doc["channels"][SSE_CHANNEL]["messages"]
        .as_object()
        .expect("messages");
    for kind in EventKind::ALL {
        assert!(ws.contains_key(kind.as_str()), "{kind} missing on /ws");
        assert_eq!(
            sse.contains_key(kind.as_str()),
            kind.is_chat(),
            "{kind} on the chat stream"
        );
        let message = &doc["components"]["messages"][kind.as_str()];
        assert_eq!(
            message["payload"]["properties"]["type"]["const"],
            kind.as_str()
        );
    }
    assert!(sse.contains_key(CHAT_STARTED));
    for extra in [RESYNC, PING, PONG] {
        assert!(ws.contains_key(extra), "{extra}");
    }
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    let text = serde_json::to_string(doc).expect("json");
    let mut rest = text.as_str();
    while let Some(at) = rest.find("\"$ref\":\"#/") {
        rest = &rest[at + "\"$ref\":\"#/".len()..];
        let end = rest.find('"').expect("end of ref");
        let pointer = format!("/{}", &rest[..end]);
        assert!(
            doc.pointer(&pointer).is_some(),
            "{pointer} does not resolve"
        );
    }
}

#[test]
fn the_close_codes_are_listed() {
    let codes: Vec<u64> = document()["channels"][WS_CHANNEL]["x-close-codes"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(|c| c["code"].as_u64())
        .collect();
    for code in [1001, 1011, 4001, 4003, 4008, 4009] {
        assert!(codes.contains(&code), "{code}");
    }
}

/// `docs/asyncapi.json` is the document; `UPDATE_ASYNCAPI=1` rewrites it.
#[test]
fn the_repositorys_copy_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/asyncapi.json");
    let expected = document_text();
    if std::env::var("UPDATE_ASYNCAPI").is_ok_and(|v| v == "1") {
        std::fs::write(path, &expected).expect("write docs/asyncapi.json");
    }
    let copy = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        copy == expected,
        "docs/asyncapi.json is stale: run `UPDATE_ASYNCAPI=1 cargo test -p maigie-api asyncapi`"
    );
}

#[test]
fn the_page_lists_every_message() {
    let page = render(document());
    for kind in EventKind::ALL {
        assert!(page.contains(&format!("id=\"message-{kind}\"")), "{kind}");
    }
    assert!(!page.contains("<script"), "no script");
    assert!(!page.contains("src=\"http"), "no external asset");
    assert!(!page.contains("href=\"http"), "no external link");
}
