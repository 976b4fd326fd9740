//! The newcomer's path: the landing page at `/` (where the welcome e-mail leads) and
//! its links, and the settings a newcomer reads in three places agreeing.

use std::path::PathBuf;
use std::time::Duration;

use maigie_tests::{TestApp, wait_for_mail};
use reqwest::header::HeaderMap;

fn repo_text(path: &str) -> String {
    let file = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn assert_page_headers(headers: &HeaderMap) {
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-") && !csp.contains("unsafe"),
        "{csp}"
    );
}

/// The `href`s of a page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_landing_page_says_what_this_is_and_every_link_answers() {
    let app = TestApp::spawn().await;

    let res = app.http.get(app.url("/")).send().await.expect("request");

    assert_eq!(res.status(), 200);
    assert_page_headers(res.headers());
    let html = res.text().await.expect("text");
    assert!(html.contains("Maigie API"));
    assert!(!html.contains("<script"), "no script");
    let links = links(&html);
    for expected in [
        "/docs",
        "/openapi.json",
        "/asyncapi",
        "/asyncapi.json",
        "/health",
        "/ready",
    ] {
        assert!(
            links.iter().any(|l| l == expected),
            "links to {expected}: {links:?}"
        );
    }
    // The test app's PUBLIC_BASE_URL is this machine: a development set-up.
    assert!(
        links.iter().any(|l| l == "http://127.0.0.1:8233/"),
        "links to the Temporal UI: {links:?}"
    );
    for link in links.iter().filter(|l| l.starts_with('/')) {
        let mut url = app.url(link);
        let mut res = app.http.get(&url).send().await.expect("request");
        // `/docs` redirects to Swagger UI's page.
        for _ in 0..3 {
            let Some(location) = res.headers().get("location") else {
                break;
            };
            let location = location.to_str().expect("ascii").to_owned();
            url = if location.starts_with('/') {
                app.url(&location)
            } else if location.starts_with("http") {
                location
            } else {
                format!("{}/{location}", url.trim_end_matches('/'))
            };
            res = app.http.get(&url).send().await.expect("request");
        }
        assert_eq!(res.status(), 200, "{link} ({url})");
    }
    app.shutdown().await;
}

#[tokio::test]
async fn the_welcome_mails_link_leads_to_a_page() {
    let app = TestApp::spawn().await;
    let (email, _, _) = app.register().await;

    // Onboarding mails the welcome first, then the link that verifies the address; the
    // second may have arrived too by the time the first is read.
    let mails: Vec<String> = wait_for_mail(&email, 1, Duration::from_secs(30))
        .await
        .iter()
        .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
        .filter(|m| m.contains("Get started: "))
        .collect();

    assert_eq!(mails.len(), 1, "the welcome mail");
    let mail = mails[0].clone();
    let link = mail
        .split("Get started: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("a link in the mail:\n{mail}"))
        .to_owned();
    let url = url::Url::parse(&link).expect("an absolute URL");
    // The link is built on PUBLIC_BASE_URL; the test app listens on another port.
    let res = app
        .http
        .get(app.url(url.path()))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200, "{link}");
    assert_page_headers(res.headers());
    assert!(res.text().await.expect("text").contains("Maigie API"));
    app.shutdown().await;
}

/// The value of `KEY=` on its own line of an env file.
fn env_value(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{key} is set"))
        .to_owned()
}

#[test]
fn mail_from_has_one_default_everywhere() {
    let config = maigie::Config::from_lookup(|name| match name {
        "DATABASE_URL" => Some("postgres://localhost/x".into()),
        "JWT_SECRET" => Some("x".repeat(32)),
        _ => None,
    })
    .expect("config");
    let default = config.mail_from;

    assert_eq!(env_value(&repo_text(".env.example"), "MAIL_FROM"), default);
    assert!(
        repo_text("README.md").contains(&format!("| `MAIL_FROM` | `{default}` |")),
        "README's configuration table"
    );
    assert!(
        repo_text("docker-compose.yml").contains(&format!("MAIL_FROM: ${{MAIL_FROM:-{default}}}")),
        "docker-compose.yml"
    );
    assert!(
        repo_text("scripts/dev").contains(&format!("export_default MAIL_FROM \"{default}\"")),
        "scripts/dev"
    );
}

#[test]
fn compose_images_are_pinned_to_releases() {
    let compose = repo_text("docker-compose.yml");
    let images: Vec<&str> = compose
        .lines()
        .filter_map(|l| l.trim().strip_prefix("image: "))
        .filter(|i| !i.contains("MAIGIE_IMAGE"))
        .collect();
    assert!(images.len() >= 4, "{images:?}");
    for image in images {
        // `name:${VAR:-tag}` pins `tag` unless VAR is set.
        let tag = image
            .rsplit_once(":-")
            .map(|(_, t)| t.trim_end_matches('}'))
            .or_else(|| image.rsplit_once(':').map(|(_, t)| t))
            .unwrap_or_else(|| panic!("{image} has a tag"));
        assert!(
            tag != "latest" && tag.contains('.') && tag.chars().any(|c| c.is_ascii_digit()),
            "{image}: pin a release (major.minor.patch), not {tag:?}"
        );
    }
}
