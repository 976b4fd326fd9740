//! The document as a readable HTML page (no script, no external assets).

#[allow(clippy::wildcard_imports)]
use super::*;

/// The page: the document made readable (no script, no external asset).
pub(super) fn render(doc: &Value) -> String {
    let esc = pages::escape;
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>{}</h1><p class=\"meta\">AsyncAPI {} · version {} · \
         <a href=\"{JSON_PATH}\">asyncapi.json</a> · <a href=\"/docs\">REST API (OpenAPI)</a> · \
         <a href=\"/\">home</a></p>{}",
        esc(&text(&doc["info"]["title"])),
        esc(&text(&doc["asyncapi"])),
        esc(&text(&doc["info"]["version"])),
        pages::markdown(&text(&doc["info"]["description"])),
    );
    let channels = doc["channels"].as_object().cloned().unwrap_or_default();
    body.push_str("<nav><h2>Channels</h2><ul>");
    for (key, channel) in &channels {
        let _ = write!(
            body,
            "<li><a href=\"#channel-{key}\"><code>{}</code></a> — {}</li>",
            esc(&text(&channel["address"])),
            esc(&text(&channel["title"])),
        );
    }
    body.push_str("</ul></nav>");
    for (key, channel) in &channels {
        let _ = write!(
            body,
            "<section id=\"channel-{key}\"><h2><code>{}</code> — {}</h2>{}<h3>Messages</h3>",
            esc(&text(&channel["address"])),
            esc(&text(&channel["title"])),
            pages::markdown(&text(&channel["description"])),
        );
        body.push_str(
            "<table><thead><tr><th>message</th><th>what it means</th></tr></thead><tbody>",
        );
        let refs = channel["messages"].as_object().cloned().unwrap_or_default();
        for (name, r) in &refs {
            let target = text(&r["$ref"]);
            let id = target.rsplit('/').next().unwrap_or(name).to_owned();
            let message = &doc["components"]["messages"][&id];
            let _ = write!(
                body,
                "<tr><td><a href=\"#message-{}\"><code>{}</code></a></td><td>{}</td></tr>",
                esc(&id),
                esc(name),
                esc(&text(&message["summary"])),
            );
        }
        body.push_str("</tbody></table></section>");
    }
    body.push_str("<section><h2>Messages and their payloads</h2>");
    let messages = doc["components"]["messages"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (id, message) in &messages {
        let payload = serde_json::to_string_pretty(&message["payload"]).unwrap_or_default();
        let _ = write!(
            body,
            "<article id=\"message-{}\"><h3><code>{}</code></h3><p>{}</p><pre>{}</pre></article>",
            esc(id),
            esc(&text(&message["title"])),
            esc(&text(&message["summary"])),
            link_refs(&esc(&payload)),
        );
    }
    body.push_str("</section><section><h2>Schemas</h2>");
    let schemas = doc["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (name, schema) in &schemas {
        let pretty = serde_json::to_string_pretty(schema).unwrap_or_default();
        let _ = write!(
            body,
            "<article id=\"schema-{0}\"><h3><code>{0}</code></h3><pre>{1}</pre></article>",
            esc(name),
            link_refs(&esc(&pretty)),
        );
    }
    body.push_str("</section>");
    pages::layout("Maigie real-time API (AsyncAPI)", &body)
}

/// Turns `"#/components/schemas/X"` in escaped JSON into a link to X's section.
pub(super) fn link_refs(escaped: &str) -> String {
    const PREFIX: &str = "&quot;#/components/schemas/";
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at]);
        let after = &rest[at + PREFIX.len()..];
        let end = after.find("&quot;").unwrap_or(after.len());
        let name = &after[..end];
        let _ = write!(
            out,
            "&quot;<a href=\"#schema-{name}\">#/components/schemas/{name}</a>"
        );
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}
