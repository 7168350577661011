//! Opening a store from a URL: `file://`, `memory://`, `s3://`, `gs://`, `az://`.

use std::path::PathBuf;
use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;

use crate::object::ObjectStorage;

/// A storage URL that cannot be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot open storage {url:?}: {message}")]
pub struct ConfigError {
    url: String,
    message: String,
}

impl ConfigError {
    fn new(url: &str, message: impl ToString) -> Self {
        Self { url: url.to_owned(), message: message.to_string() }
    }
}

/// Opens the store a URL names:
///
/// - `file://PATH` — a folder on the local filesystem, created if missing. `file://./data` and
///   `file://data` are relative to the working directory, `file:///var/lib/tfreg` is absolute.
/// - `memory://` — an in-memory store that is gone when the process ends (tests, demos).
/// - `s3://BUCKET[/PREFIX]` — Amazon S3 or an S3-compatible server, configured from the usual
///   `AWS_*` environment variables (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
///   `AWS_ALLOW_HTTP`, ...). Conditional writes use `If-Match`/`If-None-Match`.
/// - `gs://BUCKET[/PREFIX]` — Google Cloud Storage, from `GOOGLE_*` variables.
/// - `az://CONTAINER[/PREFIX]` — Azure Blob Storage, from `AZURE_*` variables
///   (`AZURE_STORAGE_USE_EMULATOR=true` and `AZURITE_BLOB_STORAGE_URL` for Azurite).
pub fn from_url(url: &str) -> Result<ObjectStorage, ConfigError> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        ConfigError::new(url, "expected a URL such as file://./tfreg-data or s3://bucket/prefix")
    })?;
    match scheme {
        "memory" => Ok(ObjectStorage::new(Arc::new(InMemory::new()), "")),
        "file" => {
            if rest.is_empty() {
                return Err(ConfigError::new(url, "name a folder, such as file://./tfreg-data"));
            }
            let root = PathBuf::from(rest);
            if !root.exists() {
                // The store holds secrets (link-signing key, token digests, the provider
                // signing key): keep a new data folder to its owner.
                std::fs::create_dir_all(&root).map_err(|e| ConfigError::new(url, e))?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let private = std::fs::Permissions::from_mode(0o700);
                    std::fs::set_permissions(&root, private).map_err(|e| ConfigError::new(url, e))?;
                }
            }
            let root = root.canonicalize().map_err(|e| ConfigError::new(url, e))?;
            let store = LocalFileSystem::new_with_prefix(&root)
                .map_err(|e| ConfigError::new(url, e))?
                // Deleting a folder's last object (an upload session's) removes the folder.
                .with_automatic_cleanup(true);
            Ok(ObjectStorage::new(Arc::new(store), "")
                .with_local_lock(root.join(".tfreg.lock"))
                .with_local_folder(root))
        }
        "s3" | "s3a" => cloud(url, rest, "aws"),
        "gs" => cloud(url, rest, "gcp"),
        "az" | "azure" | "abfs" | "abfss" => cloud(url, rest, "azure"),
        other => {
            Err(ConfigError::new(url, format!("unknown scheme {other:?}; use file, memory, s3, gs or az")))
        }
    }
}

/// The bucket URL (without the prefix) and the prefix of a cloud storage URL.
fn split_bucket(rest: &str) -> (&str, &str) {
    match rest.split_once('/') {
        Some((bucket, prefix)) => (bucket, prefix.trim_matches('/')),
        None => (rest, ""),
    }
}

#[allow(unused_variables)]
fn cloud(url: &str, rest: &str, kind: &str) -> Result<ObjectStorage, ConfigError> {
    let (bucket, prefix) = split_bucket(rest);
    if bucket.is_empty() {
        return Err(ConfigError::new(url, "name a bucket"));
    }
    let scheme = &url[..url.find("://").unwrap_or(0)];
    let bucket_url = format!("{scheme}://{bucket}");
    #[cfg(feature = "cloud")]
    {
        // The cloud clients' TLS uses the process's rustls provider; install ring's unless
        // the application installed one already (then this changes nothing).
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
    match kind {
        #[cfg(feature = "aws")]
        "aws" => {
            use object_store::aws::{AmazonS3Builder, S3ConditionalPut};
            let store = AmazonS3Builder::from_env()
                .with_url(bucket_url)
                .with_conditional_put(S3ConditionalPut::ETagMatch)
                .build()
                .map_err(|e| ConfigError::new(url, e))?;
            let store = Arc::new(store);
            Ok(ObjectStorage::new(store.clone(), prefix).with_signer(store))
        }
        #[cfg(feature = "gcp")]
        "gcp" => {
            let store = object_store::gcp::GoogleCloudStorageBuilder::from_env()
                .with_url(bucket_url)
                .build()
                .map_err(|e| ConfigError::new(url, e))?;
            let store = Arc::new(store);
            Ok(ObjectStorage::new(store.clone(), prefix).with_signer(store))
        }
        #[cfg(feature = "azure")]
        "azure" => {
            let store = object_store::azure::MicrosoftAzureBuilder::from_env()
                .with_url(bucket_url)
                .build()
                .map_err(|e| ConfigError::new(url, e))?;
            let store = Arc::new(store);
            Ok(ObjectStorage::new(store.clone(), prefix)
                .with_signer(store)
                .with_presigned_put_headers(&[("x-ms-blob-type", "BlockBlob")]))
        }
        _ => Err(ConfigError::new(url, format!("this build has no {kind} support (cargo feature {kind:?})"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_the_embedded_defaults() {
        assert!(from_url("memory://").is_ok());
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}/nested/data", dir.path().display());
        assert!(from_url(&url).is_ok());
        assert!(dir.path().join("nested/data").is_dir());
    }

    #[test]
    fn refuses_what_it_cannot_open() {
        for bad in ["", "tfreg-data", "ftp://x", "file://", "s3://"] {
            let err = from_url(bad).unwrap_err();
            assert!(err.to_string().contains("cannot open storage"), "{bad}: {err}");
        }
    }

    #[test]
    fn splits_bucket_and_prefix() {
        assert_eq!(split_bucket("b/p/q/"), ("b", "p/q"));
        assert_eq!(split_bucket("b"), ("b", ""));
    }
}
