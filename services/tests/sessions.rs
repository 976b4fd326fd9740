//! Ending sessions, below HTTP: what one transaction ends together (epoch, refresh
//! and MCP tokens, the calendar secret), what is announced after commit, and that a
//! refused change ends nothing.

mod common;

use chrono::{Duration, Utc};
use common::{Plain, World};
use maigie_services::accounts::{self, ChangePassword, sessions};
use maigie_services::{Ctx, EndedSessions, ServiceError};
use maigie_store::tokens::{self, NewRefreshToken};
use uuid::Uuid;

/// Signs `ctx`'s user in once more: a new refresh-token family; answers its id.
async fn sign_in(w: &World, ctx: &Ctx, agent: &str) -> Uuid {
    let family_id = Uuid::new_v4();
    tokens::insert(
        &w.db,
        NewRefreshToken {
            user_id: ctx.user_id,
            family_id,
            token: &Uuid::new_v4().to_string(),
            expires_at: Utc::now() + Duration::days(30),
            user_agent: Some(agent),
            ip: Some("203.0.113.7".parse().expect("ip")),
        },
    )
    .await
    .expect("refresh token");
    family_id
}

async fn with_password(w: &World, ctx: &Ctx) {
    sqlx::query("UPDATE users SET password_hash = 'plain:old secret', calendar_token = md5(id::text) WHERE id = $1")
        .bind(ctx.user_id)
        .execute(&w.db)
        .await
        .expect("password");
    sqlx::query(
        "INSERT INTO mcp_tokens (user_id, name, token_hash, scopes) VALUES ($1, 'agent', $2, '{read}')",
    )
    .bind(ctx.user_id)
    .bind(Uuid::new_v4().as_bytes().to_vec())
    .execute(&w.db)
    .await
    .expect("mcp token");
}

/// (epoch, live refresh tokens, live MCP tokens, calendar secret set).
async fn state(w: &World, ctx: &Ctx) -> (i64, i64, i64, bool) {
    sqlx::query_as(
        "SELECT u.session_epoch,
                (SELECT count(*) FROM refresh_tokens WHERE user_id = u.id AND revoked_at IS NULL),
                (SELECT count(*) FROM mcp_tokens WHERE user_id = u.id AND revoked_at IS NULL),
                u.calendar_token IS NOT NULL
         FROM users u WHERE u.id = $1",
    )
    .bind(ctx.user_id)
    .fetch_one(&w.db)
    .await
    .expect("state")
}

#[tokio::test]
async fn a_password_change_ends_everything_in_its_transaction_and_announces_it_after() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    with_password(&w, &me).await;
    sign_in(&w, &me, "laptop").await;
    sign_in(&w, &me, "phone").await;
    assert_eq!(state(&w, &me).await, (0, 2, 1, true));

    let wrong = ChangePassword {
        current_password: Some("guess".into()),
        new_password: "a brand new secret".into(),
    };
    let refused = accounts::change_password(&w.svc, &me, &Plain, wrong, true).await;
    assert!(refused.is_err());
    assert_eq!(
        state(&w, &me).await,
        (0, 2, 1, true),
        "a refusal ends nothing"
    );
    assert!(w.events.ended_sessions().is_empty());

    let right = ChangePassword {
        current_password: Some("old secret".into()),
        new_password: "a brand new secret".into(),
    };
    let row = accounts::change_password(&w.svc, &me, &Plain, right, true)
        .await
        .expect("change");

    assert_eq!(row.session_epoch, 1, "the answer carries the new epoch");
    assert_eq!(state(&w, &me).await, (1, 0, 0, false));
    assert_eq!(
        w.events.ended_sessions(),
        vec![EndedSessions::Before {
            user_id: me.user_id,
            epoch: 1
        }]
    );
    w.finish().await;
}

#[tokio::test]
async fn sessions_are_listed_newest_first_and_one_ends_alone() {
    let w = World::new().await;
    let me = w.user("UTC").await;
    let laptop = sign_in(&w, &me, "laptop").await;
    let phone = sign_in(&w, &me, "phone").await;
    let other = w.user("UTC").await;
    sign_in(&w, &other, "theirs").await;

    let list = sessions::list(&w.svc, &me, Some(laptop))
        .await
        .expect("list");
    let agents: Vec<_> = list.iter().map(|s| s.user_agent.as_deref()).collect();
    assert_eq!(agents, [Some("phone"), Some("laptop")]);
    assert_eq!(list.iter().filter(|s| s.current).count(), 1);
    assert!(list[1].current);
    assert_eq!(list[0].ip.as_deref(), Some("203.0.113.7"));

    // Someone else's session, or an unknown one, is not found and ends nothing.
    let theirs = sessions::end(&w.svc, &other, phone).await;
    assert!(matches!(theirs, Err(ServiceError::NotFound)), "{theirs:?}");
    assert!(w.events.ended_sessions().is_empty());

    sessions::end(&w.svc, &me, phone).await.expect("end");
    let list = sessions::list(&w.svc, &me, None).await.expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, laptop);
    assert_eq!(
        state(&w, &me).await.0,
        0,
        "the epoch stays: one session ended"
    );
    assert_eq!(
        w.events.ended_sessions(),
        vec![EndedSessions::One {
            user_id: me.user_id,
            session_id: phone
        }]
    );
    let again = sessions::end(&w.svc, &me, phone).await;
    assert!(matches!(again, Err(ServiceError::NotFound)));
    w.finish().await;
}

#[tokio::test]
async fn logging_out_everywhere_is_audited_with_the_request_id() {
    let w = World::new().await;
    let me = w
        .user("UTC")
        .await
        .with_request_id(Some("req-logout-all".into()));
    with_password(&w, &me).await;
    sign_in(&w, &me, "laptop").await;

    sessions::end_all(&w.svc, &me).await.expect("end all");

    assert_eq!(state(&w, &me).await, (1, 0, 0, false));
    let request_id: Option<String> = sqlx::query_scalar(
        "SELECT request_id FROM audit_log WHERE action = 'auth.sessions_ended' AND subject_id = $1",
    )
    .bind(me.user_id)
    .fetch_one(&w.db)
    .await
    .expect("audit");
    assert_eq!(request_id.as_deref(), Some("req-logout-all"));
    w.finish().await;
}
