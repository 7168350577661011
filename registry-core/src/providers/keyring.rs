//! The registry's OpenPGP keys for providers: its own signing key (made on first use and kept
//! in the store, or configured by the operator) and the public keys it lists, including keys
//! registered for namespaces whose teams sign their own releases.
//!
//! Every version remembers the id of the key that signed it, and public keys are never removed,
//! so configuring a new key (rotation) leaves installs of versions signed before working.

use std::sync::Arc;

use bytes::Bytes;

use tokio::sync::OnceCell;

use crate::clock::SharedClock;
use crate::pgp::{PublicKey, SigningKey};
pub use crate::protocol::KeyRecord;
use crate::storage::{create_only, layout, read_json, PutMode, Storage, StorageError};
use crate::Error;
use crate::Result;

/// The size of keys the registry generates.
const KEY_BITS: usize = 3072;

/// The key the registry signs with now.
#[derive(Debug)]
pub struct RegistrySigner {
    key: SigningKey,
    /// Its id.
    pub key_id: String,
}

impl RegistrySigner {
    /// A binary detached signature over `data`.
    pub fn sign(&self, data: &[u8]) -> Result<Vec<u8>> {
        self.key.sign_detached(data).map_err(|e| Error::internal_with("signing failed", e))
    }
}

/// The registry's keys over its store.
#[derive(Debug)]
pub struct KeyRing {
    storage: Arc<dyn Storage>,
    clock: SharedClock,
    configured: Option<String>,
    current: OnceCell<Arc<RegistrySigner>>,
    /// Public keys read so far: records are written create-only and never change, so the
    /// download path reads each from the store once.
    seen: std::sync::RwLock<std::collections::HashMap<String, Arc<KeyRecord>>>,
}

impl KeyRing {
    /// Keys in `storage`; `configured` is an armored secret key the operator manages (it then
    /// signs instead of a generated one).
    pub fn new(storage: Arc<dyn Storage>, configured: Option<String>, clock: SharedClock) -> Self {
        Self { storage, clock, configured, current: OnceCell::new(), seen: Default::default() }
    }

    /// The current signing key: the configured one, the one kept in the store, or a new one
    /// (generated once, on first use, and kept create-only so instances agree).
    pub async fn signer(&self) -> Result<Arc<RegistrySigner>> {
        self.current.get_or_try_init(|| self.load_signer()).await.cloned()
    }

    async fn load_signer(&self) -> Result<Arc<RegistrySigner>> {
        let key = match &self.configured {
            Some(armored) => parse_secret(armored)?,
            None => loop {
                if let Some(object) = self.storage.get(layout::PROVIDER_SIGNING_KEY).await? {
                    break parse_secret(&String::from_utf8_lossy(&object.body))?;
                }
                let generated = tokio::task::spawn_blocking(|| {
                    SigningKey::generate("tfreg registry <tfreg@localhost>", KEY_BITS)
                })
                .await?
                .map_err(|e| Error::internal_with("could not generate a signing key", e))?;
                let armored = generated
                    .to_armored()
                    .map_err(|e| Error::internal_with("could not armor the signing key", e))?;
                match self
                    .storage
                    .put(layout::PROVIDER_SIGNING_KEY, Bytes::from(armored), PutMode::Create)
                    .await
                {
                    Ok(_) => {
                        tracing::info!(key_id = %generated.key_id(), "generated the provider signing key");
                        break generated;
                    }
                    Err(StorageError::AlreadyExists { .. }) => continue,
                    Err(err) => return Err(err.into()),
                }
            },
        };
        let public = key
            .public_key()
            .map_err(|e| Error::internal_with("the signing key has no usable public key", e))?;
        self.add(&public, "registry", None, false).await?;
        Ok(Arc::new(RegistrySigner { key_id: key.key_id(), key }))
    }

    /// Registers `public` (create-only); with `conflict_is_error`, an existing record is a 409.
    pub(crate) async fn add(
        &self,
        public: &PublicKey,
        owner: &str,
        namespace: Option<&str>,
        conflict_is_error: bool,
    ) -> Result<KeyRecord> {
        let record = KeyRecord {
            key_id: public.key_id(),
            ascii_armor: public
                .to_armored()
                .map_err(|e| Error::internal_with("could not armor a public key", e))?,
            owner: owner.to_owned(),
            namespace: namespace.map(str::to_owned),
            created_at: crate::clock::rfc3339(self.clock.unix_now()),
        };
        let body = serde_json::to_vec_pretty(&record)
            .map_err(|e| Error::internal_with("cannot encode a key record", e))?;
        let created =
            create_only(self.storage.as_ref(), &layout::public_key(&record.key_id), Bytes::from(body))
                .await?;
        if !created && conflict_is_error {
            return Err(Error::conflict(format!("the key {} is already registered", record.key_id)));
        }
        Ok(record)
    }

    /// Registers a team's public key for `namespace` (lower-case), for checking the SHA256SUMS
    /// signatures they upload.
    pub async fn register_namespace_key(&self, namespace: &str, armored: &str) -> Result<KeyRecord> {
        let public = PublicKey::from_armored(armored).map_err(|source| Error::InvalidKey {
            message: "ascii_armor is not a usable public key".into(),
            source,
        })?;
        self.add(&public, "namespace", Some(namespace), true).await
    }

    /// The public key with this id.
    pub async fn get(&self, key_id: &str) -> Result<Option<Arc<KeyRecord>>> {
        if let Some(hit) = self.seen.read().unwrap_or_else(|e| e.into_inner()).get(key_id) {
            return Ok(Some(hit.clone()));
        }
        let Some(object) = self.storage.get(&layout::public_key(key_id)).await? else {
            return Ok(None);
        };
        let record: Arc<KeyRecord> = Arc::new(
            serde_json::from_slice(&object.body).map_err(|e| Error::corrupt("key record", key_id, e))?,
        );
        self.seen.write().unwrap_or_else(|e| e.into_inner()).insert(key_id.to_owned(), record.clone());
        Ok(Some(record))
    }

    /// Every public key, the registry's and the teams'.
    pub async fn list(&self) -> Result<Vec<KeyRecord>> {
        let mut records = Vec::new();
        for info in self.storage.list(layout::KEYS_PREFIX).await? {
            if let Some(record) = read_json(self.storage.as_ref(), &info.key, "key record").await? {
                records.push(record);
            }
        }
        Ok(records)
    }

    /// Checks a detached `signature` over `data` against the keys registered for `namespace`;
    /// the id of the key that made it.
    pub async fn verify_for_namespace(
        &self,
        namespace: &str,
        data: &[u8],
        signature: &[u8],
    ) -> Result<String> {
        let keys: Vec<KeyRecord> =
            self.list().await?.into_iter().filter(|k| k.namespace.as_deref() == Some(namespace)).collect();
        if keys.is_empty() {
            return Err(Error::bad_request(format!(
                "no signing key is registered for namespace {namespace:?}: register your public key with POST /v1/keys first"
            )));
        }
        for record in &keys {
            let public = PublicKey::from_armored(&record.ascii_armor).map_err(|e| {
                Error::internal_with(format!("the stored key {} is not usable", record.key_id), e)
            })?;
            if public.verify_detached(data, signature).is_ok() {
                return Ok(record.key_id.clone());
            }
        }
        Err(Error::bad_request(format!(
            "the signature does not verify SHA256SUMS with any key registered for namespace {namespace:?}"
        )))
    }
}

fn parse_secret(armored: &str) -> Result<SigningKey> {
    SigningKey::from_armored(armored)
        .map_err(|e| Error::internal_with("the provider signing key cannot be used", e))
}
