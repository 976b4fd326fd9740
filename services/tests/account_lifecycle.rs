//! Recovery and addresses below HTTP: what each use-case records (workflow starts,
//! audit entries, spent tokens) with an in-memory workflow starter.

mod common;

use common::{Plain, World};
use maigie_domain::{Email, Tier};
use maigie_services::accounts::{
    self, AddressToken, AdminPolicy, ChangeEmail, NewAccount, ResetPassword,
};
use maigie_services::{Ctx, ServiceError, Source};
use maigie_store::account_tokens::{self, NewAccountToken, Purpose};
use maigie_store::users;
use serde_json::Value;

const NO_ADMINS: AdminPolicy<'static> = AdminPolicy {
    admin_emails: &[],
    request_id: None,
};

async fn register(w: &World) -> (Ctx, String) {
    let email =
        Email::parse(&format!("{}@maigie.test", uuid::Uuid::new_v4().simple())).expect("email");
    let account = NewAccount {
        email: &email,
        password_hash: Some("plain:old secret"),
        name: Some("Ada"),
        role: "user",
        email_verified: false,
    };
    let row = accounts::register(&w.svc, account).await.expect("register");
    (Ctx::new(row.id, Tier::Free, Source::Rest), row.email)
}

/// Stores a token the way the mail activity does.
async fn token(w: &World, ctx: &Ctx, purpose: Purpose, email: &str, ttl_secs: i64) -> String {
    let token = uuid::Uuid::new_v4().simple().to_string();
    let row = NewAccountToken {
        token: &token,
        user_id: ctx.user_id,
        purpose,
        email,
        request_key: &format!("test-{token}"),
        ttl_secs,
    };
    account_tokens::insert(&w.db, row).await.expect("insert");
    token
}

async fn account_mails(w: &World) -> Vec<Value> {
    w.started()
        .await
        .into_iter()
        .filter(|s| s.workflow_type == "account_mail")
        .map(|s| s.input["mail"].clone())
        .collect()
}

#[tokio::test]
async fn asking_for_a_reset_records_one_mail_whether_or_not_the_address_has_an_account() {
    let w = World::new().await;
    let (_, known) = register(&w).await;
    for email in [known.as_str(), "nobody@maigie.test"] {
        let parsed = Email::parse(email).expect("email");
        accounts::request_password_reset(&w.svc, &parsed)
            .await
            .expect("recorded");
    }
    let mails = account_mails(&w).await;
    assert_eq!(mails.len(), 2);
    assert!(mails.iter().all(|m| m["kind"] == "password_reset"));
    // One for each address (workflows of different ids start in no set order).
    let mut to: Vec<&str> = mails.iter().filter_map(|m| m["email"].as_str()).collect();
    to.sort_unstable();
    let mut expected = vec![known.as_str(), "nobody@maigie.test"];
    expected.sort_unstable();
    assert_eq!(to, expected);
}

#[tokio::test]
async fn a_reset_spends_the_token_ends_sessions_and_mails_a_notice() {
    let w = World::new().await;
    let (ctx, email) = register(&w).await;
    let live = token(&w, &ctx, Purpose::PasswordReset, &email, 600).await;
    let other = token(&w, &ctx, Purpose::PasswordReset, &email, 600).await;
    let expired = token(&w, &ctx, Purpose::PasswordReset, &email, -1).await;
    let reset = |token: &str| ResetPassword {
        token: token.to_owned(),
        new_password: "a new long passphrase".into(),
    };

    let refused = accounts::reset_password(&w.svc, &Plain, reset(&expired)).await;
    assert!(matches!(
        refused,
        Err(accounts::AccountError::Service(ServiceError::BadRequest {
            code: "invalid_token",
            ..
        }))
    ));
    accounts::reset_password(&w.svc, &Plain, reset(&live))
        .await
        .expect("reset");

    let row = users::find_by_id(&w.db, ctx.user_id)
        .await
        .expect("db")
        .expect("user");
    assert_eq!(
        row.password_hash.as_deref(),
        Some("plain:a new long passphrase")
    );
    assert!(row.session_epoch > 0, "every session ended");
    assert!(row.email_verified, "the link reached the mailbox");
    for spent in [&live, &other] {
        let again = accounts::reset_password(&w.svc, &Plain, reset(spent)).await;
        assert!(again.is_err(), "every reset link is spent");
    }
    assert!(
        account_mails(&w)
            .await
            .iter()
            .any(|m| m["kind"] == "password_reset_done")
    );
}

#[tokio::test]
async fn a_change_of_address_moves_only_on_confirmation_and_tells_the_old_one() {
    let w = World::new().await;
    let (ctx, old) = register(&w).await;
    let new = format!("{}@maigie.test", uuid::Uuid::new_v4().simple());
    let body = ChangeEmail {
        new_email: new.clone(),
        password: Some("old secret".into()),
    };
    let pending = accounts::request_email_change(&w.svc, &ctx, &Plain, body, false)
        .await
        .expect("asked");
    assert_eq!(pending.pending_email, new);
    let row = users::find_by_id(&w.db, ctx.user_id)
        .await
        .expect("db")
        .expect("user");
    assert_eq!(row.email, old, "nothing changes yet");
    assert!(
        account_mails(&w)
            .await
            .iter()
            .any(|m| m["kind"] == "confirm_email_change" && m["new_email"] == new.as_str())
    );

    let link = token(&w, &ctx, Purpose::EmailChange, &new, 600).await;
    let done = accounts::confirm_email(&w.svc, AddressToken { token: link }, NO_ADMINS)
        .await
        .expect("confirmed");
    assert!(done.changed && done.email_verified);
    assert_eq!(done.email, new);
    let told = account_mails(&w).await;
    let notice = told
        .iter()
        .find(|m| m["kind"] == "email_changed")
        .expect("old address told");
    assert_eq!(
        (notice["old_email"].as_str(), notice["new_email"].as_str()),
        (Some(old.as_str()), Some(new.as_str()))
    );
}
