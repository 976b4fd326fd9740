//! Fast tests of the use-cases, below HTTP: each test gets its own freshly migrated
//! PostgreSQL database and [`Services`] whose workflow starter and event sink are
//! in memory (they record what the use-cases started and announced).
//!
//! The database server is the one `scripts/test` uses (`TEST_DATABASE_ADMIN_URL`,
//! default `postgres://postgres@127.0.0.1:5432/postgres`).

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use maigie_domain::Tier;
use maigie_services::{Ctx, RecordedEvents, RecordingStarter, Services, Source};
use maigie_store::PgPool;
use maigie_store::users::{self, NewUser};
use sqlx::Connection;
use uuid::Uuid;

/// A hasher without the cost of argon2 (tests only).
pub struct Plain;

#[async_trait::async_trait]
impl maigie_services::accounts::PasswordHasher for Plain {
    async fn hash(&self, password: String) -> maigie_services::ServiceResult<String> {
        Ok(format!("plain:{password}"))
    }
    async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> maigie_services::ServiceResult<bool> {
        Ok(stored.is_some_and(|s| s == format!("plain:{password}")))
    }
}

static SEQ: AtomicU32 = AtomicU32::new(0);

fn admin_url() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn url_for(db: &str) -> String {
    let mut url = url::Url::parse(&admin_url()).expect("TEST_DATABASE_ADMIN_URL is a URL");
    url.set_path(db);
    url.to_string()
}

/// Services over a database of their own, with recording doubles.
pub struct World {
    pub svc: Services,
    pub db: PgPool,
    pub starter: Arc<RecordingStarter>,
    pub events: Arc<RecordedEvents>,
    name: String,
}

/// Databases of test processes that are gone (killed runs), found by the pid in the
/// name `maigie_svc_<pid>_<n>`.
async fn drop_leftovers(admin: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'maigie\\_svc\\_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut *admin)
            .await;
        }
    }
}

impl World {
    pub async fn new() -> Self {
        let name = format!(
            "maigie_svc_{}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::SeqCst)
        );
        let mut admin = sqlx::PgConnection::connect(&admin_url())
            .await
            .expect("the test database server answers");
        drop_leftovers(&mut admin).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let db = maigie_store::connect(&url_for(&name), 8)
            .await
            .expect("connect");
        maigie_store::migrate(&db).await.expect("migrate");
        let starter = Arc::new(RecordingStarter::default());
        let events = Arc::new(RecordedEvents::default());
        let svc = Services::new(db.clone(), events.clone(), starter.clone());
        Self {
            svc,
            db,
            starter,
            events,
            name,
        }
    }

    /// A new user (in `zone`) and their context.
    pub async fn user(&self, zone: &str) -> Ctx {
        let email = format!("{}@maigie.test", Uuid::new_v4().simple());
        let row = users::create(
            &self.db,
            NewUser {
                email: &email,
                password_hash: None,
                name: None,
                role: "user",
                email_verified: false,
            },
        )
        .await
        .expect("user");
        sqlx::query("UPDATE users SET timezone = $2 WHERE id = $1")
            .bind(row.id)
            .bind(zone)
            .execute(&self.db)
            .await
            .expect("zone");
        Ctx::new(row.id, Tier::Free, Source::Rest)
    }

    /// The event kinds announced so far, in order.
    pub fn event_kinds(&self) -> Vec<String> {
        self.events
            .taken()
            .into_iter()
            .map(|e| e.kind.as_str().to_owned())
            .collect()
    }

    /// Checks every event announced so far against the schema of its kind's data
    /// (the one the AsyncAPI document publishes).
    pub fn check_events(&self) {
        for event in self.events.taken() {
            let schema = maigie_services::live::json_schema(event.kind);
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft7)
                .should_validate_formats(true)
                .build(&schema)
                .unwrap_or_else(|e| panic!("the schema of {} is invalid: {e}", event.kind));
            let errors: Vec<String> = validator
                .iter_errors(&event.data)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(
                errors.is_empty(),
                "the data of {} does not fit its schema: {errors:?}\n{}",
                event.kind,
                event.data
            );
        }
    }

    /// The workflow starts made so far (once every start queued has been tried).
    pub async fn started(&self) -> Vec<maigie_services::WorkflowStart> {
        self.svc.starts_settled().await;
        self.starter.started()
    }

    /// The starts made so far for one workflow id, in order (see [`Self::started`]).
    pub async fn started_for(&self, workflow_id: &str) -> Vec<maigie_services::WorkflowStart> {
        let mut started = self.started().await;
        started.retain(|s| s.workflow_id == workflow_id);
        started
    }

    /// Outbox rows for a workflow id: (started, input), once every start queued has
    /// been tried.
    pub async fn outbox(&self, workflow_id: &str) -> Vec<(bool, serde_json::Value)> {
        self.svc.starts_settled().await;
        sqlx::query_as(
            "SELECT started_at IS NOT NULL, input FROM workflow_outbox WHERE workflow_id = $1",
        )
        .bind(workflow_id)
        .fetch_all(&self.db)
        .await
        .expect("outbox")
    }

    /// Drops the database (call at the end of a passing test; a failing one leaves it
    /// for inspection until the next run clears it).
    pub async fn finish(self) {
        self.check_events();
        self.db.close().await;
        let mut admin = sqlx::PgConnection::connect(&admin_url())
            .await
            .expect("admin");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await
        .expect("drop the test database");
    }
}
