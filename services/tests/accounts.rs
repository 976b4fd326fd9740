//! The account rules, below HTTP: registration, the profile, the password, the
//! deletion of an account and grants of the admin role.

mod common;

use chrono::{TimeDelta, Utc};
use common::{Plain, World};
use maigie_domain::{Email, Tier};
use maigie_services::accounts::{
    self, AccountError, AdminGrant, ChangePassword, DeleteAccount, Granted, NewAccount,
    UpdateProfile,
};
use maigie_services::{Ctx, ServiceError, Source};
use maigie_store::goals::{self, GoalFields};

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
    let started = w.started().await;
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
        accounts::delete(&w.svc, &me, &Plain, wrong, Utc::now()).await,
        Err(AccountError::Service(ServiceError::Invalid(_)))
    ));
    assert_eq!(audited(&w, "user.deleted").await, 0, "nothing on a refusal");

    let right = DeleteAccount {
        password: Some("secret".into()),
    };
    accounts::delete(&w.svc, &me, &Plain, right, Utc::now())
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

#[tokio::test]
async fn deleting_an_account_without_a_password_needs_a_sign_in_under_ten_minutes_old() {
    let w = World::new().await;
    let google_only = register(&w, None).await;
    let stale = Utc::now() - TimeDelta::minutes(11);

    let refused = accounts::delete(
        &w.svc,
        &google_only,
        &Plain,
        DeleteAccount::default(),
        stale,
    )
    .await;

    assert!(
        matches!(refused, Err(AccountError::ReauthenticationRequired)),
        "{refused:?}"
    );
    assert!(
        accounts::profile(&w.svc, &google_only).await.is_ok(),
        "kept"
    );
    let fresh = Utc::now() - TimeDelta::minutes(9);
    accounts::delete(
        &w.svc,
        &google_only,
        &Plain,
        DeleteAccount::default(),
        fresh,
    )
    .await
    .expect("a recent sign-in deletes");
    assert_eq!(audited(&w, "user.deleted").await, 1);
    w.finish().await;
}

#[tokio::test]
async fn granting_admin_is_audited_with_its_request_id_once() {
    let w = World::new().await;
    let me = register(&w, Some("secret")).await;
    let email: String = sqlx::query_scalar("SELECT email::text FROM users WHERE id = $1")
        .bind(me.user_id)
        .fetch_one(&w.db)
        .await
        .expect("email");
    let grant = AdminGrant {
        email: &email.to_uppercase(),
        via: "cli",
        provider: None,
        request_id: Some("cli-req-1"),
    };

    let first = accounts::grant_admin(&w.db, grant).await.expect("grant");
    let again = accounts::grant_admin(&w.db, grant).await.expect("grant");

    assert_eq!(first, Granted::Promoted(me.user_id));
    assert_eq!(again, Granted::AlreadyAdmin(me.user_id));
    let rows: Vec<(Option<String>, serde_json::Value)> = sqlx::query_as(
        "SELECT request_id, details FROM audit_log WHERE action = 'admin.granted' AND subject_id = $1",
    )
    .bind(me.user_id)
    .fetch_all(&w.db)
    .await
    .expect("audit");
    assert_eq!(rows.len(), 1, "audited once: {rows:?}");
    assert_eq!(rows[0].0.as_deref(), Some("cli-req-1"));
    assert_eq!(rows[0].1["via"], "cli");
    let missing = AdminGrant {
        email: "nobody@maigie.test",
        ..grant
    };
    assert!(matches!(
        accounts::grant_admin(&w.db, missing).await,
        Err(ServiceError::NotFound)
    ));
    w.finish().await;
}
