//! `maigie`: one binary, several processes.

use clap::{Parser, Subcommand};
use maigie::{Config, Mode, telemetry};
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
    /// Run the Temporal worker.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// API and worker in one process, for development.
    Dev,
    /// Give an existing account the admin role (audited as `admin.granted`, with a
    /// request id of its own that it prints).
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
async fn main() -> anyhow::Result<()> {
    // A missing .env is normal (production sets real environment variables).
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        println!(
            "{}",
            serde_json::to_string_pretty(&maigie_api::openapi_spec())?
        );
        return Ok(());
    }
    let config = match cli.command {
        Command::Worker => Config::worker_from_env(),
        _ => Config::from_env(),
    };
    let config = match config {
        Ok(config) => config,
        Err(err) => {
            eprintln!("maigie: configuration error: {err}");
            std::process::exit(2);
        }
    };
    telemetry::init(config.log_format);
    match cli.command {
        Command::Serve | Command::Dev => {
            let mode = if matches!(cli.command, Command::Dev) {
                Mode::ApiAndWorker
            } else {
                Mode::Api
            };
            let listener = TcpListener::bind((config.bind, config.port))
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "cannot listen on {}:{} (BIND/PORT): {e}",
                        config.bind,
                        config.port
                    )
                })?;
            maigie::start(config, listener, mode)
                .await?
                .run_until_signal()
                .await
        }
        Command::Worker => maigie::run_worker_until_signal(config).await,
        Command::Migrate => {
            let db = maigie_store::connect(&config.database_url, 2).await?;
            maigie_store::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::GrantAdmin { email } => grant_admin(&config, email.trim()).await,
        Command::WorkflowHistory {
            workflow_id,
            run_id,
        } => {
            let json =
                maigie::temporal::history_json(&config, &workflow_id, run_id.as_deref()).await?;
            println!("{}", String::from_utf8_lossy(&json));
            Ok(())
        }
        Command::Openapi => Ok(()),
    }
}

/// `maigie grant-admin`: the one way to an admin besides a listed address that Google
/// vouched for. The run gets a request id (`cli-<uuid>`), kept in the audit entry.
async fn grant_admin(config: &Config, email: &str) -> anyhow::Result<()> {
    use maigie_services::accounts::{self, AdminGrant, Granted};
    let db = maigie_store::connect(&config.database_url, 2).await?;
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
            anyhow::bail!("no account with e-mail {email}")
        }
        Err(err) => Err(err.into()),
    }
}
