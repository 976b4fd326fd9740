//! Password hashing with argon2id (OWASP parameters), off the async runtime.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::ApiError;

/// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Result<Argon2<'static>, ApiError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn internal(message: String) -> ApiError {
    ApiError::Internal(message.into())
}

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let hash = argon2()?
            .hash_password(password.as_bytes())
            .map_err(|e| internal(e.to_string()))?;
        Ok(hash.to_string())
    })
    .await
    .map_err(ApiError::internal)?
}

/// Checks a password against a stored PHC string. With no stored hash it still does
/// the work of a verification, so response time does not reveal whether an account
/// exists.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        let argon2 = argon2()?;
        let Some(stored) = stored else {
            let _ = argon2.hash_password(password.as_bytes());
            return Ok(false);
        };
        let parsed = PasswordHash::new(&stored).map_err(|e| internal(e.to_string()))?;
        Ok(argon2.verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(ApiError::internal)?
}

/// The use-cases' [`maigie_services::accounts::PasswordHasher`]: argon2id off the
/// async runtime.
#[derive(Debug, Clone, Copy, Default)]
pub struct Argon2Hasher;

#[async_trait::async_trait]
impl maigie_services::accounts::PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: String) -> maigie_services::ServiceResult<String> {
        hash(password)
            .await
            .map_err(maigie_services::ServiceError::internal)
    }

    async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> maigie_services::ServiceResult<bool> {
        verify(password, stored)
            .await
            .map_err(maigie_services::ServiceError::internal)
    }
}
