use super::*;
use std::collections::HashMap;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Config::from_lookup(|k| map.get(k).cloned())
}

const BASE: [(&str, &str); 2] = [
    ("DATABASE_URL", "postgres://postgres@127.0.0.1/maigie"),
    ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
];

#[test]
fn defaults_work_with_the_required_variables() {
    let c = config(&BASE).expect("config");
    assert_eq!(c.port, 8080);
    assert_eq!(c.bind.to_string(), "127.0.0.1");
    assert_eq!(c.temporal_namespace, "default");
    assert!(c.api.google.is_none());
}

#[test]
fn errors_name_the_bad_variable() {
    let err = config(&BASE[..1]).expect_err("missing secret");
    assert!(err.to_string().contains("JWT_SECRET"));
    let mut vars = BASE.to_vec();
    vars.push(("PORT", "eighty"));
    assert!(
        config(&vars)
            .expect_err("bad port")
            .to_string()
            .contains("PORT")
    );
    let mut vars = BASE.to_vec();
    vars.push(("TEMPORAL_ADDRESS", "127.0.0.1:7233"));
    assert_eq!(
        config(&vars).expect("config").temporal_address.as_str(),
        "http://127.0.0.1:7233/"
    );
}

#[test]
fn the_worker_needs_no_jwt_secret() {
    let lookup = |k: &str| (k == BASE[0].0).then(|| BASE[0].1.to_owned());
    let c = Config::read(lookup, false).expect("worker config");
    assert!(c.api.jwt_secret.is_empty());
    assert!(Config::read(lookup, true).is_err(), "serve still needs it");
}

#[test]
fn google_is_enabled_by_its_credentials() {
    let mut vars = BASE.to_vec();
    vars.extend([
        ("GOOGLE_CLIENT_ID", "id"),
        ("GOOGLE_CLIENT_SECRET", "secret"),
    ]);
    let g = config(&vars).expect("config").api.google.expect("google");
    assert_eq!(
        g.redirect_url.as_str(),
        "http://127.0.0.1:8080/api/auth/oauth/google/callback"
    );
}

#[test]
fn google_client_apps_default_to_google_and_bad_redirect_entries_are_named() {
    let google = |extra: &[(&'static str, &'static str)]| {
        let mut vars = BASE.to_vec();
        vars.extend([
            ("GOOGLE_CLIENT_ID", "web-id"),
            ("GOOGLE_CLIENT_SECRET", "secret"),
        ]);
        vars.extend_from_slice(extra);
        config(&vars).map(|c| c.api.google.expect("google"))
    };
    let g = google(&[]).expect("defaults");
    assert!(g.redirect_allowlist.is_empty());
    assert_eq!(g.code_ttl.as_secs(), 60);
    assert_eq!(
        g.jwks_url.as_str(),
        "https://www.googleapis.com/oauth2/v3/certs"
    );
    assert_eq!(g.id_token_audiences, ["web-id"]);
    assert_eq!(
        g.issuers,
        ["https://accounts.google.com", "accounts.google.com"]
    );
    let g = google(&[
        ("GOOGLE_ID_TOKEN_AUDIENCES", "ios-id, android-id"),
        (
            "OAUTH_REDIRECT_ALLOWLIST",
            "https://app.example/cb, com.example.app:/oauth",
        ),
    ])
    .expect("client apps");
    assert_eq!(g.id_token_audiences, ["web-id", "ios-id", "android-id"]);
    assert!(
        g.redirect_allowlist
            .find("com.example.app:/oauth")
            .is_some()
    );
    for (name, value) in [
        ("OAUTH_REDIRECT_ALLOWLIST", "https://*.example/cb"),
        ("OAUTH_REDIRECT_ALLOWLIST", "https://app.example/cb?x=1"),
        ("OAUTH_CODE_TTL_SECS", "0"),
        ("OAUTH_CODE_TTL_SECS", "3600"),
    ] {
        let err = google(&[(name, value)]).expect_err(value);
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn proxy_hops_default_to_none_and_trust_proxy_is_one_hop() {
    let hops = |extra: &[(&'static str, &'static str)]| {
        let mut vars = BASE.to_vec();
        vars.extend_from_slice(extra);
        config(&vars).map(|c| c.api.trust_proxy_hops)
    };
    assert_eq!(hops(&[]).expect("default"), 0);
    assert_eq!(hops(&[("TRUST_PROXY", "true")]).expect("legacy"), 1);
    assert_eq!(
        hops(&[("TRUST_PROXY", "true"), ("TRUST_PROXY_HOPS", "2")]).expect("hops win"),
        2
    );
    let err = hops(&[("TRUST_PROXY_HOPS", "-1")]).expect_err("negative");
    assert!(err.to_string().contains("TRUST_PROXY_HOPS"));
}

#[test]
fn metrics_are_closed_unless_an_address_or_token_is_set() {
    let c = config(&BASE).expect("config");
    assert!(c.api.metrics.addr.is_none() && c.api.metrics.token.is_none());
    let mut vars = BASE.to_vec();
    vars.extend([("METRICS_ADDR", "127.0.0.1:9100"), ("METRICS_TOKEN", "t0k")]);
    let m = config(&vars).expect("config").api.metrics;
    assert_eq!(
        m.addr.map(|a| a.to_string()).as_deref(),
        Some("127.0.0.1:9100")
    );
    assert_eq!(m.token.as_deref(), Some("t0k"));
    assert!(!format!("{m:?}").contains("t0k"), "the token is redacted");
    let mut vars = BASE.to_vec();
    vars.push(("METRICS_ADDR", "9100"));
    let err = config(&vars).expect_err("not a socket address");
    assert!(err.to_string().contains("METRICS_ADDR"));
}

#[test]
fn migrate_needs_only_the_database_url() {
    let only_db = |k: &str| (k == "DATABASE_URL").then(|| BASE[0].1.to_owned());
    let c = Config::database_from_lookup(only_db).expect("database config");
    assert_eq!(c.database_url, BASE[0].1);
    assert_eq!(c.log_format, LogFormat::Json);
    let err = Config::database_from_lookup(|_| None).expect_err("no database");
    assert_eq!(
        err.to_string(),
        "DATABASE_URL is required but not set (see .env.example)"
    );
    let bad = |k: &str| (k == "DATABASE_URL").then(|| "mysql://x".to_owned());
    assert!(
        Config::database_from_lookup(bad)
            .expect_err("not postgres")
            .to_string()
            .contains("DATABASE_URL")
    );
}

#[test]
fn a_bad_llm_configuration_is_a_configuration_error() {
    let mut vars = BASE.to_vec();
    vars.extend([
        ("LLM_BASE_URL", "http://a.test/v1,http://b.test/v1"),
        ("LLM_MODEL", "m1,m2,m3"),
    ]);
    let err = config(&vars).expect_err("three models for two URLs");
    assert!(
        err.to_string()
            .starts_with("LLM_BASE_URL / LLM_API_KEY / LLM_MODEL is invalid")
    );
    let mut vars = BASE.to_vec();
    vars.push(("LLM_BASE_URL", "not a url"));
    assert!(config(&vars).is_err());
    let c = config(&BASE).expect("config");
    assert!(c.llm.check_at_start);
    assert!(c.worker_http_addr.is_none());
}

#[test]
fn the_worker_listener_address_is_a_socket_address() {
    let mut vars = BASE.to_vec();
    vars.push(("WORKER_HTTP_ADDR", "127.0.0.1:8081"));
    assert_eq!(
        config(&vars).expect("config").worker_http_addr,
        Some("127.0.0.1:8081".parse().expect("addr"))
    );
    let mut vars = BASE.to_vec();
    vars.push(("WORKER_HTTP_ADDR", "8081"));
    assert!(
        config(&vars)
            .expect_err("a port alone")
            .to_string()
            .contains("WORKER_HTTP_ADDR")
    );
}

#[test]
fn vector_engine_is_auto_unless_asked_and_a_typo_names_the_variable() {
    use maigie_store::vector_index::setup::EngineChoice;
    assert_eq!(
        config(&BASE).expect("config").vector_engine,
        EngineChoice::Auto
    );
    for (raw, want) in [
        ("pgvector", EngineChoice::PgVector),
        ("ARRAY", EngineChoice::Array),
    ] {
        let mut vars = BASE.to_vec();
        vars.push(("VECTOR_ENGINE", raw));
        assert_eq!(config(&vars).expect("config").vector_engine, want);
    }
    let mut vars = BASE.to_vec();
    vars.push(("VECTOR_ENGINE", "pgvectr"));
    let err = config(&vars).expect_err("unknown engine").to_string();
    assert!(
        err.contains("VECTOR_ENGINE") && err.contains("pgvectr"),
        "{err}"
    );
}

#[test]
fn vector_cache_is_256_mb_unless_set_and_zero_turns_it_off() {
    assert_eq!(
        config(&BASE).expect("config").vector_cache_bytes,
        256 * 1024 * 1024
    );
    for (raw, want) in [("0", 0), ("16", 16 * 1024 * 1024)] {
        let mut vars = BASE.to_vec();
        vars.push(("VECTOR_CACHE_MB", raw));
        assert_eq!(config(&vars).expect("config").vector_cache_bytes, want);
    }
    let mut vars = BASE.to_vec();
    vars.push(("VECTOR_CACHE_MB", "-1"));
    let err = config(&vars).expect_err("negative").to_string();
    assert!(err.contains("VECTOR_CACHE_MB"), "{err}");
}
