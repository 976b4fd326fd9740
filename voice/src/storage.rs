//! Where recordings and spoken answers are kept: one small interface, [`AudioStore`],
//! with a local directory ([`LocalAudioStore`], the default) behind it. Keys are ours
//! (`voice/<user>/<message>/<part>.<ext>`), checked so that no key can name a file
//! outside the store.

use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no audio at {0}")]
    NotFound(String),
    #[error("invalid audio key {0:?}")]
    InvalidKey(String),
    /// The store could not be read or written (disk, network): worth retrying.
    #[error("audio store: {0}")]
    Unavailable(String),
}

/// Keeps audio objects by key.
#[async_trait::async_trait]
pub trait AudioStore: Send + Sync {
    /// `local` or `s3`, for logs.
    fn kind(&self) -> &'static str;

    /// Stores `bytes` at `key`, replacing what was there (a retried write is harmless).
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StorageError>;

    /// The object at `key`.
    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError>;

    /// Deletes the object at `key`; one already gone is not an error.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;

    /// A URL that fetches the object directly for `ttl` (a presigned S3 URL), or `None`
    /// when the store has none and the API serves the object itself.
    async fn presigned_url(&self, key: &str, ttl: Duration)
    -> Result<Option<String>, StorageError>;
}

/// Checks that `key` is one of ours: relative, `/`-separated segments of
/// `[A-Za-z0-9._-]`, none empty or made of dots only.
pub fn check_key(key: &str) -> Result<(), StorageError> {
    let ok = !key.is_empty()
        && key.len() <= 300
        && key.split('/').all(|segment| {
            !segment.is_empty()
                && !segment.bytes().all(|b| b == b'.')
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        });
    if ok {
        Ok(())
    } else {
        Err(StorageError::InvalidKey(key.to_owned()))
    }
}

/// Audio in a directory of the local disk (`VOICE_STORAGE_DIR`). Writes go to a
/// temporary file renamed into place, so a reader never sees half an object.
#[derive(Debug, Clone)]
pub struct LocalAudioStore {
    root: PathBuf,
}

impl LocalAudioStore {
    #[must_use]
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }
}

fn io(err: &std::io::Error) -> StorageError {
    StorageError::Unavailable(err.to_string())
}

#[async_trait::async_trait]
impl AudioStore for LocalAudioStore {
    fn kind(&self) -> &'static str {
        "local"
    }

    async fn put(
        &self,
        key: &str,
        bytes: Vec<u8>,
        _content_type: &str,
    ) -> Result<(), StorageError> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(|e| io(&e))?;
        }
        let temp = path.with_extension(format!("part-{}", uuid::Uuid::new_v4().simple()));
        tokio::fs::write(&temp, bytes).await.map_err(|e| io(&e))?;
        if let Err(err) = tokio::fs::rename(&temp, &path).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(io(&err));
        }
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                Err(StorageError::NotFound(key.to_owned()))
            }
            Err(err) => Err(io(&err)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(io(&err)),
        }
        // Empty parent directories go too (up to the root), so a user's folder does
        // not outlive their audio; one still holding files stays.
        let mut dir = path.parent();
        while let Some(d) = dir {
            if d == self.root || tokio::fs::remove_dir(d).await.is_err() {
                break;
            }
            dir = d.parent();
        }
        Ok(())
    }

    async fn presigned_url(
        &self,
        _key: &str,
        _ttl: Duration,
    ) -> Result<Option<String>, StorageError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_store() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "voice/../../x",
            "voice//x",
            "voice/./x",
            "voice/x y",
            "voice\\x",
            "voice/…",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?} accepted");
        }
        check_key("voice/0b1e/3f2a/recording.wav").expect("ours");
    }

    #[tokio::test]
    async fn put_get_delete_round_trip_and_tidy_up() {
        let root = std::env::temp_dir().join(format!("maigie-audio-{}", uuid::Uuid::new_v4()));
        let store = LocalAudioStore::new(&root);
        store
            .put("voice/u/m/recording.wav", b"RIFF".to_vec(), "audio/wav")
            .await
            .expect("put");
        assert_eq!(
            store.get("voice/u/m/recording.wav").await.expect("get"),
            b"RIFF"
        );
        store
            .delete("voice/u/m/recording.wav")
            .await
            .expect("delete");
        store
            .delete("voice/u/m/recording.wav")
            .await
            .expect("twice");
        assert!(matches!(
            store.get("voice/u/m/recording.wav").await,
            Err(StorageError::NotFound(_))
        ));
        assert!(!root.join("voice").exists(), "empty folders removed");
        let _ = std::fs::remove_dir_all(&root);
    }
}
