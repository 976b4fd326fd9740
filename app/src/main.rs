//! `maigie`: one binary, several processes.
//!
//! An expected failure (a missing or invalid variable, a service that cannot be
//! reached) prints one line on stderr and exits non-zero (2 for configuration, 1
//! otherwise), whatever `RUST_BACKTRACE` says; an unexpected error prints its whole
//! chain (and backtrace, if enabled).

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use maigie::{Config, ConfigError, Mode, StartupError, telemetry};
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(
    name = "maigie",
    version,
    about = "Maigie backend: API, Temporal worker, migrations"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP/WebSocket API (migrates first).
    Serve,
    /// Run the Temporal worker (with `/health` and `/metrics` on WORKER_HTTP_ADDR).
    Worker,
    /// Apply database migrations and exit (needs only DATABASE_URL).
    Migrate,
    /// API and worker in one process, for development.
    Dev,
    /// Exit 0 if a health endpoint answers 2xx (default: the worker's, on
    /// WORKER_HTTP_ADDR), else 1: for container health checks.
    Healthcheck {
        /// The URL to probe (http only), e.g. http://127.0.0.1:8080/ready.
        #[arg(long)]
        url: Option<String>,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
    /// Give an existing account the admin role (audited as `admin.granted`, with a
    /// request id of its own that it prints). Needs only DATABASE_URL.
    GrantAdmin {
        /// The account's e-mail address.
        email: String,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Print a workflow's event history as JSON, in the form the replay tests read
    /// (`workflows/histories/`).
    WorkflowHistory {
        /// The workflow id, e.g. `user-onboarding-<user id>`.
        workflow_id: String,
        /// One run of it (a workflow that continued as new has several); default: the latest.
        #[arg(long)]
        run_id: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    // A missing .env is normal (production sets real environment variables).
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => report(&err),
    }
}

/// Prints the error (one line when expected) and picks the exit code.
fn report(err: &anyhow::Error) -> ExitCode {
    if let Some(config) = err.downcast_ref::<ConfigError>() {
        eprintln!("maigie: configuration error: {config}");
        return ExitCode::from(2);
    }
    if err.downcast_ref::<StartupError>().is_some() {
        tracing::error!(error = %format!("{err:#}"), "cannot start");
        eprintln!("maigie: {err:#}");
    } else {
        tracing::error!(error = %format!("{err:#}"), "stopped on an error");
        eprintln!("maigie: {err:?}");
    }
    ExitCode::FAILURE
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(&maigie_api::openapi_spec())?
            );
            Ok(())
        }
        Command::Healthcheck { url, timeout } => healthcheck(url, timeout).await,
        Command::Migrate => {
            let config = Config::database_from_env()?;
            telemetry::init(config.log_format);
            let db = connect_db(&config.database_url).await?;
            maigie_store::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::GrantAdmin { email } => {
            let config = Config::database_from_env()?;
            telemetry::init(config.log_format);
            grant_admin(&config.database_url, email.trim()).await
        }
        Command::Worker => {
            let config = Config::worker_from_env()?;
            telemetry::init(config.log_format);
            maigie::run_worker_until_signal(config).await
        }
        Command::WorkflowHistory {
            workflow_id,
            run_id,
        } => {
            let config = Config::worker_from_env()?;
            telemetry::init(config.log_format);
            let json =
                maigie::temporal::history_json(&config, &workflow_id, run_id.as_deref()).await?;
            println!("{}", String::from_utf8_lossy(&json));
            Ok(())
        }
        Command::Serve | Command::Dev => {
            let config = Config::from_env()?;
            telemetry::init(config.log_format);
            let mode = if matches!(command, Command::Dev) {
                Mode::ApiAndWorker
            } else {
                Mode::Api
            };
            let listener = TcpListener::bind((config.bind, config.port))
                .await
                .map_err(|e| {
                    StartupError(format!(
                        "cannot listen on {}:{} (BIND/PORT): {e}",
                        config.bind, config.port
                    ))
                })?;
            maigie::start(config, listener, mode)
                .await?
                .run_until_signal()
                .await
        }
    }
}

async fn connect_db(database_url: &str) -> anyhow::Result<maigie_store::PgPool> {
    Ok(maigie_store::connect(database_url, 2)
        .await
        .map_err(|e| StartupError(format!("cannot reach PostgreSQL at DATABASE_URL: {e}")))?)
}

/// `maigie healthcheck`: no configuration beyond `WORKER_HTTP_ADDR` (when no URL is
/// given); prints one line either way.
async fn healthcheck(url: Option<String>, timeout: u64) -> anyhow::Result<()> {
    let url = match url {
        Some(url) => url,
        None => {
            let raw = std::env::var("WORKER_HTTP_ADDR").unwrap_or_default();
            if raw.trim().is_empty() {
                return Err(ConfigError::Missing("WORKER_HTTP_ADDR").into());
            }
            let addr = raw.trim().parse().map_err(|e| ConfigError::Invalid {
                name: "WORKER_HTTP_ADDR",
                reason: format!("{raw:?}: {e} (use host:port)"),
            })?;
            maigie::worker_http::health_url(addr)
        }
    };
    match maigie::worker_http::probe(&url, Duration::from_secs(timeout.max(1))).await {
        Ok(line) => {
            println!("{line}");
            Ok(())
        }
        Err(line) => Err(StartupError(format!("unhealthy: {line}")).into()),
    }
}

/// `maigie grant-admin`: the one way to an admin besides a listed address that Google
/// vouched for. The run gets a request id (`cli-<uuid>`), kept in the audit entry.
async fn grant_admin(database_url: &str, email: &str) -> anyhow::Result<()> {
    use maigie_services::accounts::{self, AdminGrant, Granted};
    let db = connect_db(database_url).await?;
    let request_id = format!("cli-{}", uuid::Uuid::new_v4());
    let grant = AdminGrant {
        email,
        via: "cli",
        provider: None,
        request_id: Some(&request_id),
    };
    match accounts::grant_admin(&db, grant).await {
        Ok(Granted::Promoted(id)) => {
            println!("{email} (user {id}) is now an admin; audited with request id {request_id}");
            Ok(())
        }
        Ok(Granted::AlreadyAdmin(id)) => {
            println!("{email} (user {id}) is already an admin");
            Ok(())
        }
        Err(maigie_services::ServiceError::NotFound) => {
            Err(StartupError(format!("no account with e-mail {email}")).into())
        }
        Err(err) => Err(err.into()),
    }
}
