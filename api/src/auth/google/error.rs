//! What can go wrong in Google sign-in, as the client is told (mapped to HTTP in
//! `crate::error`). Messages say what is wrong without internals: no key ids, no
//! claim values, no provider answers.

/// A refused Google sign-in.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// `GOOGLE_CLIENT_ID`/`GOOGLE_CLIENT_SECRET` are not set (404).
    #[error("Google sign-in is not configured on this server.")]
    Disabled,
    /// The client asked to be sent somewhere not registered (400).
    #[error("This redirect_uri is not registered; use one of OAUTH_REDIRECT_ALLOWLIST exactly.")]
    RedirectNotAllowed,
    /// The user declined at the provider (400).
    #[error("The identity provider refused: {0}.")]
    Denied(String),
    /// Missing, unknown, expired or already used `state` (400).
    #[error("The sign-in attempt is unknown or expired; start again.")]
    InvalidState,
    /// The provider refused our code exchange (400).
    #[error("The identity provider rejected the sign-in.")]
    ExchangeFailed,
    /// No verified address to link or create an account with (400).
    #[error("The identity provider did not supply a verified e-mail address.")]
    EmailUnverified,
    /// Unknown, expired, used, or not matching the verifier or redirect URI (400).
    #[error("{0}")]
    InvalidCode(&'static str),
    /// The ID token failed a check; the reason names which (401).
    #[error("The ID token is not valid: {0}.")]
    InvalidIdToken(&'static str),
    /// The ID token's nonce was already used to sign in (401).
    #[error("This ID token's nonce was already used; sign in again with a fresh nonce.")]
    IdTokenReplayed,
}
