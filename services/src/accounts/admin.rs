//! Who becomes an administrator, and the record of it.
//!
//! The admin role comes from proof, never from a claim: an address typed at
//! registration proves nothing, so `ADMIN_EMAILS` promotes an account only once its
//! address is proven — an identity provider vouches for it in a sign-in, or its owner
//! uses the verification link we mailed ([`super::confirm_email`]); otherwise the
//! operator runs `maigie grant-admin`. Either way the
//! grant is one transaction with its `admin.granted` audit entry.

use maigie_domain::Role;
use maigie_store::PgPool;
use maigie_store::audit::{self, AuditEntry};
use maigie_store::users::{self, UserRow};
use serde_json::json;
use uuid::Uuid;

use crate::error::{ServiceError, ServiceResult};

/// A grant of the admin role to the account with `email`.
#[derive(Debug, Clone, Copy)]
pub struct AdminGrant<'a> {
    pub email: &'a str,
    /// How the grant was proven: `cli` (`maigie grant-admin`) or `verified_email`
    /// (a listed address an identity provider vouched for).
    pub via: &'static str,
    /// The provider that vouched for the address, if any.
    pub provider: Option<&'a str>,
    /// The request (or CLI run) the grant belongs to, kept in the audit entry.
    pub request_id: Option<&'a str>,
}

/// What a grant did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granted {
    /// The account is an admin now (audited).
    Promoted(Uuid),
    /// It already was; nothing changed, nothing audited.
    AlreadyAdmin(Uuid),
}

/// Gives the admin role to the account with `grant.email` and records
/// `admin.granted` (with the request id) in the same transaction; answers
/// [`ServiceError::NotFound`] when there is no such account.
///
/// It takes the pool rather than [`crate::Services`]: the CLI has no Redis or
/// Temporal, and a grant announces nothing and starts no workflow.
pub async fn grant_admin(db: &PgPool, grant: AdminGrant<'_>) -> ServiceResult<Granted> {
    let mut tx = db.begin().await?;
    let user = users::find_by_email(&mut *tx, grant.email)
        .await?
        .ok_or(ServiceError::NotFound)?;
    if user.role == Role::Admin.as_str() {
        return Ok(Granted::AlreadyAdmin(user.id));
    }
    users::set_role_by_email(&mut *tx, &user.email, Role::Admin.as_str()).await?;
    let entry = AuditEntry {
        actor_id: None,
        subject_id: Some(user.id),
        action: "admin.granted",
        details: json!({ "via": grant.via, "provider": grant.provider, "email": user.email }),
        request_id: grant.request_id,
    };
    audit::record(&mut *tx, entry).await?;
    tx.commit().await?;
    Ok(Granted::Promoted(user.id))
}

/// An identity provider's sign-in that vouched for an address.
#[derive(Debug, Clone, Copy)]
pub struct Vouched<'a> {
    /// The provider (`google`).
    pub provider: &'a str,
    /// The verified e-mail of this sign-in.
    pub email: &'a str,
    /// The request the sign-in belongs to, kept in the audit entry.
    pub request_id: Option<&'a str>,
}

/// Gives the admin role to `user` when `vouched` proves its address and that address
/// is one of `admin_emails` (`ADMIN_EMAILS`); `user` is updated to match. Nothing
/// happens for an unlisted address, an address that is not the account's, or an
/// account that is already an admin.
pub async fn promote_vouched(
    db: &PgPool,
    admin_emails: &[String],
    vouched: Vouched<'_>,
    user: &mut UserRow,
) -> ServiceResult<()> {
    let listed = admin_emails
        .iter()
        .any(|a| a.eq_ignore_ascii_case(vouched.email));
    if !listed
        || !vouched.email.eq_ignore_ascii_case(&user.email)
        || user.role == Role::Admin.as_str()
    {
        return Ok(());
    }
    let grant = AdminGrant {
        email: &user.email,
        via: "verified_email",
        provider: Some(vouched.provider),
        request_id: vouched.request_id,
    };
    grant_admin(db, grant).await?;
    user.role = Role::Admin.as_str().to_owned();
    Ok(())
}
