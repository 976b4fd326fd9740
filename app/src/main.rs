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
    /// Give an existing account the admin role.
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
        println!("{}", maigie_api::openapi_spec().to_pretty_json()?);
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
        Command::GrantAdmin { email } => {
            let db = maigie_store::connect(&config.database_url, 2).await?;
            if maigie_store::users::set_role_by_email(&db, &email.trim().to_lowercase(), "admin")
                .await?
            {
                println!("{email} is now an admin");
                Ok(())
            } else {
                anyhow::bail!("no account with e-mail {email}")
            }
        }
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
