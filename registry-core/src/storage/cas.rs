//! Read-modify-write of a JSON object with compare-and-swap: the one mechanism behind every
//! index the registry keeps (module versions, provider versions), so concurrent writers on any
//! number of instances never lose an update.

use std::time::Duration;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::storage::{PutMode, Storage, StorageError};
use crate::Error;
use crate::Result;

/// How often an update retries before giving up with a 503.
const MAX_ATTEMPTS: u32 = 16;

/// Reads the JSON object at `key` (or starts from `empty()` when there is none), applies
/// `mutate`, and writes it back only if nobody changed it meanwhile; otherwise reads it again
/// and retries. An error from `mutate` stops without writing. Returns what was written.
pub async fn update_json<T, F>(
    storage: &dyn Storage,
    key: &str,
    empty: impl Fn() -> T,
    mut mutate: F,
) -> Result<T>
where
    T: Serialize + DeserializeOwned,
    F: FnMut(&mut T) -> Result<()>,
{
    for attempt in 0..MAX_ATTEMPTS {
        let (mut value, mode) = match storage.get(key).await? {
            None => (empty(), PutMode::Create),
            Some(object) => {
                let etag =
                    object.info.etag.ok_or(StorageError::NotSupported { operation: "etags on get" })?;
                let value =
                    serde_json::from_slice(&object.body).map_err(|err| Error::corrupt("index", key, err))?;
                (value, PutMode::UpdateIfMatch(etag))
            }
        };
        mutate(&mut value)?;
        let body = serde_json::to_vec_pretty(&value)
            .map_err(|err| Error::internal_with(format!("failed to encode {key}"), err))?;
        match storage.put(key, Bytes::from(body), mode).await {
            Ok(_) => return Ok(value),
            Err(StorageError::AlreadyExists { .. } | StorageError::Precondition { .. }) => {
                // Someone else changed the object between our read and write: read it again.
                tokio::time::sleep(backoff(attempt)).await;
            }
            Err(err) => return Err(err.into()),
        }
    }
    Err(Error::Storage {
        message: format!("too many concurrent changes to {key}; try again"),
        transient: true,
        source: None,
    })
}

/// A short, jittered pause between attempts.
fn backoff(attempt: u32) -> Duration {
    let jitter = crate::random::bytes::<1>().map(|b| b[0]).unwrap_or(0);
    Duration::from_millis(u64::from(attempt.min(6)) * 5 + u64::from(jitter % 10))
}
