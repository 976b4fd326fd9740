//! schemathesis against the running app: thousands of generated requests, valid and
//! invalid, on every operation; any 5xx, any status the document does not declare for
//! that operation, or any answer off its schema fails the test. A fixed seed makes a
//! failure reproducible with the same command (printed on failure).

use std::process::Command;

use maigie_tests::fake_idp::FakeIdp;
use maigie_tests::fake_stripe::FakeStripe;
use maigie_tests::{TestApp, token};

use super::{TempDir, output, served_document, venv_bin};

/// At least this many generated cases (the floor).
const MIN_CASES: u64 = 5_000;

/// Operations that end the fuzzer's own session by design (tested elsewhere): signing
/// out, and ending a listed session (schemathesis feeds ids from one answer into the
/// next request, so it finds its own). Nothing else is excluded.
const EXCLUDED: [&str; 2] = ["auth_logout", "users_me_sessions_delete"];

/// schemathesis's configuration: the run uses the account the test registered (its
/// own sign-up would test as a user we do not check afterwards).
const CONFIG: &str = "[auth]\nauto-signup = false\n";

#[tokio::test]
async fn schemathesis_finds_no_server_error_undocumented_status_or_off_schema_answer() {
    // Fully configured, as in production: Stripe and Google (local fakes speaking
    // their protocols), so no route answers "not configured".
    let stripe = FakeStripe::start().await;
    let google = FakeIdp::start().await;
    let mut config = vec![
        ("RATE_LIMIT_FREE_PER_MINUTE", "1000000".into()),
        ("RATE_LIMIT_ANONYMOUS_PER_MINUTE", "1000000".into()),
        ("RATE_LIMIT_AUTH_PER_MINUTE", "1000000".into()),
        // One token serves the whole run, however long a busy machine makes it.
        ("JWT_ACCESS_TTL_SECS", "7200".into()),
    ];
    config.extend(stripe.overrides());
    config.extend(google.overrides());
    let app = TestApp::spawn_with(config).await;
    let (_, _, body) = app.register().await;
    let access = token(&body);
    let bearer = format!("Authorization: Bearer {access}");
    let dir = TempDir::new();
    let (_, file) = served_document(&app, dir.path()).await;
    // Read from the working directory.
    std::fs::write(dir.path().join("schemathesis.toml"), CONFIG).expect("write config");
    let mut args: Vec<String> = vec![
        "run".into(),
        file.to_string_lossy().into_owned(),
        "--url".into(),
        app.base.clone(),
        "--checks".into(),
        "not_a_server_error,status_code_conformance,response_schema_conformance".into(),
        "--header".into(),
        bearer,
        "--max-examples".into(),
        "40".into(),
        "--seed".into(),
        "20261206".into(),
        "--workers".into(),
        "2".into(),
        "--phases".into(),
        "examples,coverage,fuzzing".into(),
        "--request-timeout".into(),
        "30".into(),
        "--suppress-health-check".into(),
        "all".into(),
        "--output-truncate".into(),
        "false".into(),
    ];
    for id in EXCLUDED {
        args.extend(["--exclude-operation-id".into(), id.into()]);
    }
    let mut command = Command::new(venv_bin("schemathesis"));
    command
        .args(&args)
        .env("NO_COLOR", "1")
        .current_dir(dir.path());
    let out = output(command)
        .await
        .expect("schemathesis runs (scripts/test installs it)");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis found failures (rerun: schemathesis {}):\n{text}",
        args.join(" ")
    );
    // The run tested past authentication: its session is still alive.
    let me = app.get_auth("/api/users/me", &access).await;
    let status = me.status();
    assert_eq!(
        status,
        200,
        "the fuzzer's session ended: {}\n{text}",
        me.text().await.unwrap_or_default()
    );
    let cases = generated_cases(&text);
    assert!(
        cases >= MIN_CASES,
        "only {cases} cases generated (want {MIN_CASES}):\n{text}"
    );
}

/// The "N generated" figure of schemathesis's summary.
fn generated_cases(summary: &str) -> u64 {
    summary
        .lines()
        .filter_map(|line| {
            let (number, rest) = line.trim().split_once(' ')?;
            rest.starts_with("generated")
                .then(|| number.parse::<u64>().ok())?
        })
        .sum()
}
