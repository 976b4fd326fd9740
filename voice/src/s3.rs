//! The audio store on any S3-compatible service (AWS S3, MinIO, R2, Ceph…), through the
//! `object_store` crate: objects under an optional key prefix of one bucket, and
//! presigned GET URLs so clients fetch audio straight from the store.

use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path;
use object_store::signer::Signer;
use object_store::{
    Attribute, Attributes, ClientOptions, ObjectStore, ObjectStoreExt, PutOptions, PutPayload,
    RetryConfig,
};

use crate::storage::{AudioStore, StorageError, check_key};

/// Where the bucket is and how to reach it (`VOICE_S3_*`).
#[derive(Debug, Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// Empty for AWS itself; the service's URL for any other (`http://127.0.0.1:9000`).
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Prepended to every key (`maigie/` → `maigie/voice/…`); may be empty.
    pub prefix: String,
    /// Bucket in the host name (AWS) rather than the path (most self-hosted services).
    pub virtual_hosted: bool,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// Audio in an S3 bucket.
#[derive(Debug)]
pub struct S3AudioStore {
    store: AmazonS3,
    prefix: String,
}

fn unavailable(err: &object_store::Error) -> StorageError {
    StorageError::Unavailable(err.to_string())
}

impl S3AudioStore {
    /// Builds the client (reaches nothing yet).
    pub fn new(settings: &S3Settings) -> Result<Self, StorageError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_virtual_hosted_style_request(settings.virtual_hosted)
            // One object per delete: plain `DELETE /key`, which every S3-compatible
            // service has (not all have the bulk `POST /?delete`).
            .with_config(AmazonS3ConfigKey::DisableBulkDelete, "true")
            .with_client_options(ClientOptions::new().with_timeout(settings.timeout))
            .with_retry(RetryConfig {
                max_retries: 2,
                retry_timeout: settings.timeout * 2,
                ..RetryConfig::default()
            });
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let store = builder
            .build()
            .map_err(|e| StorageError::Unavailable(format!("S3 configuration: {e}")))?;
        let prefix = settings.prefix.trim_matches('/');
        Ok(Self {
            store,
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}/")
            },
        })
    }

    fn path(&self, key: &str) -> Result<Path, StorageError> {
        check_key(key)?;
        Path::parse(format!("{}{key}", self.prefix))
            .map_err(|_| StorageError::InvalidKey(key.to_owned()))
    }
}

#[async_trait::async_trait]
impl AudioStore for S3AudioStore {
    fn kind(&self) -> &'static str {
        "s3"
    }

    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), StorageError> {
        let path = self.path(key)?;
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, content_type.to_owned().into());
        self.store
            .put_opts(&path, PutPayload::from(bytes), PutOptions::from(attributes))
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let path = self.path(key)?;
        match self.store.get(&path).await {
            Ok(result) => Ok(result.bytes().await.map_err(|e| unavailable(&e))?.to_vec()),
            Err(object_store::Error::NotFound { .. }) => {
                Err(StorageError::NotFound(key.to_owned()))
            }
            Err(err) => Err(unavailable(&err)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path(key)?;
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(unavailable(&err)),
        }
    }

    async fn presigned_url(
        &self,
        key: &str,
        ttl: Duration,
    ) -> Result<Option<String>, StorageError> {
        let path = self.path(key)?;
        let url = self
            .store
            .signed_url(object_store::signer::Method::GET, &path, ttl)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(Some(url.to_string()))
    }
}
