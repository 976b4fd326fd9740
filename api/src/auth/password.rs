//! Password hashing with argon2id (OWASP parameters), off the async runtime, at most
//! `PASSWORD_HASH_CONCURRENCY` computations at a time in the process.
//!
//! Why a cap: each computation holds 19 MiB and a core for tens of milliseconds, so
//! an unbounded burst of logins (an attacker needs no account) grows memory with the
//! burst and starves every other request of CPU. Requests over the cap wait up to
//! `PASSWORD_HASH_WAIT_MS` for a turn, then get 503 `password_hashing_busy` with
//! `Retry-After`.
//!
//! Why our own memory: see [`memory`]. In short, argon2's per-call 19 MiB
//! allocations stay resident under glibc; ours are reused during a burst and
//! unmapped after it.

mod memory;

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use maigie_services::{ServiceError, ServiceResult};
use memory::{Memory, blocks};
use rand::RngCore;
use tokio::sync::Semaphore;

use crate::settings::PasswordHashSettings;

/// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
fn params() -> ServiceResult<Params> {
    Params::new(19 * 1024, 2, 1, None).map_err(|e| internal(&e))
}

fn internal(e: &dyn std::fmt::Display) -> ServiceError {
    ServiceError::Internal(e.to_string().into())
}

/// The process's password hasher: cheap to clone (every clone shares the cap and the
/// buffers). Also the use-cases' [`maigie_services::accounts::PasswordHasher`].
#[derive(Clone)]
pub struct PasswordHashing {
    permits: Arc<Semaphore>,
    memory: Arc<Memory>,
    wait: Duration,
}

impl std::fmt::Debug for PasswordHashing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHashing")
            .field("available", &self.permits.available_permits())
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

impl PasswordHashing {
    #[must_use]
    pub fn new(settings: PasswordHashSettings) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(settings.concurrency.max(1))),
            memory: Arc::new(Memory::default()),
            wait: settings.wait,
        }
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: String) -> ServiceResult<String> {
        self.run(move |memory| hash_with(&password, memory)).await
    }

    /// Checks a password against a stored PHC string. With no stored hash it still
    /// does the work of a verification, so response time does not reveal whether an
    /// account exists.
    pub async fn verify(&self, password: String, stored: Option<String>) -> ServiceResult<bool> {
        self.run(move |memory| match stored {
            Some(stored) => verify_with(&password, &stored, memory),
            None => hash_with(&password, memory).map(|_| false),
        })
        .await
    }

    /// Runs `work` on the blocking pool once a permit is free (waiting at most
    /// `wait`), with a block buffer (one an earlier run left for a waiter, or a fresh
    /// one). The permit and the buffer move into the blocking task: a client that
    /// hangs up does not free its turn before the computation it started finished.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> ServiceResult<T> + Send + 'static,
    ) -> ServiceResult<T> {
        let waiting = self.memory.waiting();
        let acquired = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await;
        drop(waiting);
        let permit = match acquired {
            Ok(permit) => permit.map_err(|e| internal(&e))?,
            Err(_) => {
                tracing::warn!(wait_ms = self.wait.as_millis(), "password hashing busy");
                return Err(busy(self.wait));
            }
        };
        let shared = Arc::clone(&self.memory);
        tokio::task::spawn_blocking(move || {
            let mut memory = shared.take();
            let result = work(&mut memory);
            shared.give_back(memory);
            drop(permit);
            result
        })
        .await
        .map_err(ServiceError::internal)?
    }
}

fn busy(wait: Duration) -> ServiceError {
    ServiceError::Busy {
        code: "password_hashing_busy",
        message: "Too many sign-ins are being checked right now; try again in a moment.".into(),
        retry_after_secs: wait.as_secs().max(1),
    }
}

/// argon2id with our parameters and a fresh 16-byte salt, as a PHC string.
fn hash_with(password: &str, memory: &mut Vec<Block>) -> ServiceResult<String> {
    let params = params()?;
    let mut salt = [0u8; Salt::RECOMMENDED_LENGTH];
    rand::rng().fill_bytes(&mut salt);
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon2
        .hash_password_into_with_memory(
            password.as_bytes(),
            &salt,
            &mut out,
            blocks(memory, params.block_count()),
        )
        .map_err(|e| internal(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| internal(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| internal(&e))?),
        hash: Some(Output::new(&out).map_err(|e| internal(&e))?),
    };
    Ok(phc.to_string())
}

/// Recomputes `stored`'s hash with its own algorithm, version and parameters (so
/// hashes made with other parameters still verify) and compares in constant time.
fn verify_with(password: &str, stored: &str, memory: &mut Vec<Block>) -> ServiceResult<bool> {
    let parsed = PasswordHash::new(stored).map_err(|e| internal(&e))?;
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Err(internal(&"stored password hash has no salt or output"));
    };
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).map_err(|e| internal(&e))?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| internal(&e))?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(|e| internal(&e))?;
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            &mut out,
            blocks(memory, params.block_count()),
        )
        .map_err(|e| internal(&e))?;
    // `Output`'s equality is constant-time.
    Ok(Output::new(&out).map_err(|e| internal(&e))? == *expected)
}

#[async_trait::async_trait]
impl maigie_services::accounts::PasswordHasher for PasswordHashing {
    async fn hash(&self, password: String) -> ServiceResult<String> {
        PasswordHashing::hash(self, password).await
    }

    async fn verify(&self, password: String, stored: Option<String>) -> ServiceResult<bool> {
        PasswordHashing::verify(self, password, stored).await
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    fn settings(concurrency: usize) -> PasswordHashSettings {
        PasswordHashSettings {
            concurrency,
            wait: Duration::from_millis(50),
        }
    }

    #[tokio::test]
    async fn our_hashes_verify_with_the_stock_argon2_and_back() {
        let hasher = PasswordHashing::new(settings(2));
        let ours = hasher.hash("correct horse".into()).await.expect("hash");
        let parsed = PasswordHash::new(&ours).expect("phc");
        let stock = Argon2::default();
        assert!(stock.verify_password(b"correct horse", &parsed).is_ok());
        assert!(stock.verify_password(b"wrong horse", &parsed).is_err());

        let theirs = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            params().expect("params"),
        )
        .hash_password(b"battery staple")
        .expect("stock hash")
        .to_string();
        let check = |p: &str, s: &str| hasher.verify(p.into(), Some(s.into()));
        assert!(check("battery staple", &theirs).await.expect("verify"));
        assert!(!check("battery stapler", &theirs).await.expect("verify"));
        assert!(check("correct horse", &ours).await.expect("verify"));
    }

    #[tokio::test]
    async fn hashes_made_with_other_parameters_still_verify() {
        let small = Params::new(8 * 1024, 1, 1, Some(16)).expect("params");
        let stored = Argon2::new(Algorithm::Argon2id, Version::V0x13, small)
            .hash_password(b"old password")
            .expect("hash")
            .to_string();
        let hasher = PasswordHashing::new(settings(1));
        let verdict = hasher.verify("old password".into(), Some(stored)).await;
        assert!(verdict.expect("verify"));
    }

    #[tokio::test]
    async fn no_stored_hash_is_a_mismatch_after_the_same_work() {
        let hasher = PasswordHashing::new(settings(1));
        assert!(
            !hasher
                .verify("anything".into(), None)
                .await
                .expect("verify")
        );
    }

    #[tokio::test]
    async fn a_request_over_the_cap_waits_then_is_refused_as_busy() {
        let hasher = PasswordHashing::new(settings(1));
        let held = hasher
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("permit");
        let refused = hasher.hash("over the cap".into()).await;
        assert!(
            matches!(
                refused,
                Err(ServiceError::Busy {
                    code: "password_hashing_busy",
                    retry_after_secs: 1,
                    ..
                })
            ),
            "{refused:?}"
        );
        drop(held);
        assert!(hasher.hash("my turn".into()).await.is_ok());
    }

    #[tokio::test]
    async fn buffers_serve_a_burst_and_are_released_once_nobody_waits() {
        let hasher = PasswordHashing::new(PasswordHashSettings {
            concurrency: 2,
            wait: Duration::from_secs(30),
        });
        let runs = (0..6).map(|i| hasher.hash(format!("password {i}")));
        for result in futures::future::join_all(runs).await {
            result.expect("hash");
        }
        assert_eq!(
            hasher.memory.idle_buffers(),
            0,
            "nothing kept after the burst"
        );
    }
}
