//! The few HTML pages of the API: the landing page at `/` (where the welcome e-mail's
//! link leads), the pages account mails link to by default ([`links`]) and the
//! layout the AsyncAPI page shares. No script and no external asset: one inline
//! stylesheet, allowed by its hash in the pages' CSP.

pub mod links;

use std::fmt::Write as _;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::Html;
use axum::routing::get;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use url::{Host, Url};

use crate::asyncapi;
use crate::state::AppState;

/// The landing page.
pub const HOME_PATH: &str = "/";

/// The port `scripts/dev` and `docker compose` serve the Temporal UI on.
const TEMPORAL_UI_PORT: u16 = 8233;

const STYLE: &str = "\
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;\
max-width:60rem;padding:1.5rem;color:#1d232a;background:#fff}\
h1{font-size:1.8rem;margin:.2rem 0}h2{margin-top:2rem;border-bottom:1px solid #dde2e7}\
a{color:#0b5cad}code,pre{font:14px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;\
background:#f3f5f7;border-radius:4px}code{padding:0 .25rem}pre{padding:.75rem;overflow-x:auto}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;\
padding:.35rem .5rem;border-bottom:1px solid #e6e9ec}.meta{color:#5b6670}\
ul.links li{margin:.3rem 0}article{margin-bottom:1.5rem}\
@media (prefers-color-scheme:dark){body{background:#15191d;color:#e4e8eb}\
a{color:#7db7ff}code,pre{background:#232a31}h2,th,td{border-color:#2f3740}.meta{color:#9aa5ae}}";

/// The pages' Content-Security-Policy: nothing but their own stylesheet, and forms
/// posting to `form_action`.
fn policy(form_action: &str) -> HeaderValue {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; \
         frame-ancestors 'none'; base-uri 'none'; form-action {form_action}"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

static CSP: LazyLock<HeaderValue> = LazyLock::new(|| policy("'none'"));
/// The link pages post their form to themselves.
static FORM_CSP: LazyLock<HeaderValue> = LazyLock::new(|| policy("'self'"));

/// The CSP of `path` if it is one of these pages.
#[must_use]
pub fn csp_for(path: &str) -> Option<HeaderValue> {
    if [links::RESET_PATH, links::VERIFY_PATH, links::REVERT_PATH].contains(&path) {
        return Some(FORM_CSP.clone());
    }
    (path == HOME_PATH || path == asyncapi::PAGE_PATH).then(|| CSP.clone())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(HOME_PATH, get(home))
        .merge(links::router())
}

pub use maigie_domain::html::escape;

/// `code` and **bold** in escaped text.
fn inline(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in escape(text).split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            for (j, piece) in part.split("**").enumerate() {
                if j % 2 == 1 {
                    let _ = write!(out, "<strong>{piece}</strong>");
                } else {
                    out.push_str(piece);
                }
            }
        }
    }
    out
}

/// The little Markdown the documents use: paragraphs, tables, `code`, **bold**.
#[must_use]
pub fn markdown(text: &str) -> String {
    let mut out = String::new();
    for block in text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        if block.starts_with('|') {
            out.push_str("<table>");
            for (i, line) in block.lines().enumerate() {
                if i == 1 {
                    continue; // |---|---|
                }
                let cell = if i == 0 { "th" } else { "td" };
                out.push_str("<tr>");
                for c in line.trim().trim_matches('|').split(" | ") {
                    let _ = write!(out, "<{cell}>{}</{cell}>", inline(c.trim()));
                }
                out.push_str("</tr>");
            }
            out.push_str("</table>");
        } else {
            let _ = write!(out, "<p>{}</p>", inline(&block.replace('\n', " ")));
        }
    }
    out
}

/// A whole page around `body`.
#[must_use]
pub fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{}</title>\
         <style>{STYLE}</style></head><body>{body}</body></html>",
        escape(title)
    )
}

/// The host of `url` when it is this machine: the API runs for development.
fn local_host(url: &Url) -> Option<String> {
    let local = match url.host()? {
        Host::Domain(d) => d == "localhost" || d.ends_with(".localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    };
    local.then(|| url.host_str().map(str::to_owned)).flatten()
}

fn home_page(public_base_url: &Url) -> String {
    let temporal = local_host(public_base_url).map_or_else(String::new, |host| {
        let url = format!("http://{host}:{TEMPORAL_UI_PORT}/");
        format!(
            "<li><a href=\"{0}\">Temporal UI</a> ({0}) — the workflows behind the API \
             (onboarding, reminders, the assistant's actions…); development only, as \
             <code>scripts/dev</code> and <code>docker compose</code> start it</li>",
            escape(&url)
        )
    });
    let body = format!(
        "<h1>Maigie API</h1>\
         <p class=\"meta\">version {version}</p>\
         <p>This is the backend of <strong>Maigie</strong>, an AI study and productivity \
         assistant: people plan courses, goals, tasks and weekly schedules, keep notes and \
         resources, and talk to an AI assistant that acts on their data. It answers web and \
         mobile apps over a REST API, pushes live events over a WebSocket, and lets external \
         agents in through MCP. There is no web app here — only the API and its \
         documentation.</p>\
         <h2>Documentation</h2><ul class=\"links\">\
         <li><a href=\"/docs\">REST API</a> — interactive documentation (Swagger UI); the \
         OpenAPI document is <a href=\"/openapi.json\">/openapi.json</a></li>\
         <li><a href=\"{asyncapi_page}\">Real-time API</a> — the WebSocket stream \
         (<code>GET /ws</code>) and the chat answer's Server-Sent Events; the AsyncAPI \
         document is <a href=\"{asyncapi_json}\">{asyncapi_json}</a></li>\
         </ul><h2>Operations</h2><ul class=\"links\">\
         <li><a href=\"/health\">/health</a> — the process is alive</li>\
         <li><a href=\"/ready\">/ready</a> — PostgreSQL, Redis and Temporal are reachable</li>\
         {temporal}</ul>\
         <h2>Try it</h2>\
         <pre>curl -s {base}/api/auth/register -H 'content-type: application/json' \\\n  \
         -d '{{\"email\":\"ada@example.com\",\"password\":\"correct horse\",\"name\":\"Ada\"}}'</pre>\
         <p>The answer carries an <code>access_token</code>: send it as \
         <code>Authorization: Bearer &lt;token&gt;</code>, or as \
         <code>?access_token=</code> when opening <code>/ws</code>.</p>",
        version = env!("CARGO_PKG_VERSION"),
        asyncapi_page = asyncapi::PAGE_PATH,
        asyncapi_json = asyncapi::JSON_PATH,
        base = escape(public_base_url.as_str().trim_end_matches('/')),
    );
    layout("Maigie API", &body)
}

async fn home(State(state): State<AppState>) -> Html<String> {
    Html(home_page(&state.settings.public_base_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn the_temporal_ui_is_linked_only_on_a_local_machine() {
        let dev = home_page(&url("http://127.0.0.1:8080"));
        assert!(dev.contains("href=\"http://127.0.0.1:8233/\""));
        let compose = home_page(&url("http://localhost:8080/"));
        assert!(compose.contains("href=\"http://localhost:8233/\""));
        let production = home_page(&url("https://api.maigie.com"));
        assert!(!production.contains("Temporal UI"));
        assert!(production.contains("curl -s https://api.maigie.com/api/auth/register"));
    }

    #[test]
    fn markdown_makes_paragraphs_code_and_tables() {
        let html = markdown("A `x` and **y** <z>.\n\n| a | b |\n|---|---|\n| 1 | `2` |");
        assert_eq!(
            html,
            "<p>A <code>x</code> and <strong>y</strong> &lt;z&gt;.</p>\
             <table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td><code>2</code></td></tr></table>"
        );
    }

    #[test]
    fn the_policy_allows_exactly_the_stylesheet() {
        let csp = csp_for("/").expect("a page");
        let text = csp.to_str().expect("ascii");
        assert!(text.starts_with("default-src 'none'; style-src 'sha256-"));
        assert!(!text.contains("unsafe"));
        assert!(csp_for("/api/tasks").is_none());
    }
}
