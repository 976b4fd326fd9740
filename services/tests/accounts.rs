//! The account rules, below HTTP: registration, the profile, the password and the
//! deletion of an account.

mod common;

use async_trait::async_trait;
use common::World;
use maigie_domain::{Email, Tier};
use maigie_services::accounts::{
    self, AccountError, ChangePassword, DeleteAccount, NewAccount, PasswordHasher, UpdateProfile,
};
use maigie_services::{Ctx, ServiceError, ServiceResult, Source};
use maigie_store::goals::{self, GoalFields};

/// A hasher without the cost of argon2 (tests only).
struct Plain;

#[async_trait]
impl PasswordHasher for Plain {
    async fn hash(&self, password: String) -> ServiceResult<String> {
        Ok(format!("plain:{password}"))
    }
    async fn verify(&self, password: String, stored: Option<String>) -> ServiceResult<bool> {
        Ok(stored.is_some_and(|s| s == format!("plain:{password}")))
    }
}

async fn register(w: &World, password: Option<&str>) -> Ctx {
    let email =
        Email::parse(&format!("{}@maigie.test", uuid::Uuid::new_v4().simple())).expect("email");
    let hash = password.map(|p| format!("plain:{p}"));
    let account = NewAccount {
        email: &email,
        password_hash: hash.as_deref(),
        name: Some("Ada"),
        role: "user",
        email_verified: false,
    };
    let row = accounts::register(&w.svc, account).await.expect("register");
    Ctx::new(row.id, Tier::Free, Source::Rest)
}

async fn audited(w: &World, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&w.db)
        .await
        .expect("audit")
}

#[tokio::test]
async fn registering_records_the_onboarding_start_and_the_audit_entry_and_refuses_a_taken_address()
{
    let w = World::new().await;
    let email = Email::parse("ada@maigie.test").expect("email");
    let account = NewAccount {
        email: &email,
        password_hash: Some("plain:secret"),
        name: None,
        role: "user",
        email_verified: false,
    };
    let row = accounts::register(&w.svc, account).await.expect("register");
    let again = accounts::register(&w.svc, account).await;

    assert!(
        matches!(
            again,
            Err(ServiceError::Conflict {
                code: "email_taken",
                ..
            })
        ),
        "{again:?}"
    );
    let started = w.starter.started();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].workflow_type, "user_onboarding");
    assert_eq!(started[0].input["user_id"], row.id.to_string());
    assert_eq!(audited(&w, "user.registered").await, 1);
    w.finish().await;
}

#[tokio::test]
async fn a_profile_update_is_announced_and_a_bad_field_changes_nothing() {
    let w = World::new().await;
    let me = register(&w, Some("secret")).await;
    let bad = UpdateProfile {
        timezone: Some("Mars/Olympus".into()),
        ..UpdateProfile::default()
    };
    assert!(matches!(
        accounts::update_profile(&w.svc, &me, bad).await,
        Err(AccountError::Service(ServiceError::Invalid(_)))
    ));
    let good = UpdateProfile {
        timezone: Some("Europe/Paris".into()),
        ..UpdateProfile::default()
    };
    let view = accounts::update_profile(&w.svc, &me, good)
        .await
        .expect("update");

    assert_eq!(view.timezone, "Europe/Paris");
    assert_eq!(w.event_kinds(), vec!["user.updated"]);
    w.finish().await;
}

#[tokio::test]
async fn a_first_password_needs_a_recent_sign_in_and_a_change_ends_every_session() {
    let w = World::new().await;
    let google_only = register(&w, None).await;
    let body = || ChangePassword {
        current_password: None,
        new_password: "correct horse battery".into(),
    };
    let refused = accounts::change_password(&w.svc, &google_only, &Plain, body(), false).await;
    assert!(
        matches!(refused, Err(AccountError::ReauthenticationRequired)),
        "{refused:?}"
    );

    let row = accounts::change_password(&w.svc, &google_only, &Plain, body(), true)
        .await
        .expect("first password");

    assert_eq!(
        row.password_hash.as_deref(),
        Some("plain:correct horse battery")
    );
    assert_eq!(audited(&w, "user.password_changed").await, 1);
    w.finish().await;
}

#[tokio::test]
async fn deleting_an_account_removes_its_data_and_writes_the_audit_entry() {
    let w = World::new().await;
    let me = register(&w, Some("secret")).await;
    let fields = GoalFields {
        title: Some("Pass the exam".into()),
        ..GoalFields::default()
    };
    goals::create(&w.db, me.user_id, &fields)
        .await
        .expect("goal");
    let wrong = DeleteAccount {
        password: Some("guess".into()),
    };
    assert!(matches!(
        accounts::delete(&w.svc, &me, &Plain, wrong).await,
        Err(AccountError::Service(ServiceError::Invalid(_)))
    ));
    assert_eq!(audited(&w, "user.deleted").await, 0, "nothing on a refusal");

    let right = DeleteAccount {
        password: Some("secret".into()),
    };
    accounts::delete(&w.svc, &me, &Plain, right)
        .await
        .expect("delete");

    let goals_left: i64 = sqlx::query_scalar("SELECT count(*) FROM goals WHERE user_id = $1")
        .bind(me.user_id)
        .fetch_one(&w.db)
        .await
        .expect("goals");
    assert_eq!(goals_left, 0);
    let details: serde_json::Value =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'user.deleted'")
            .fetch_one(&w.db)
            .await
            .expect("audit entry");
    assert_eq!(details["user_id"], me.user_id.to_string());
    assert!(matches!(
        accounts::profile(&w.svc, &me).await,
        Err(AccountError::Gone)
    ));
    w.finish().await;
}
