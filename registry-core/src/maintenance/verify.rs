//! Reading a stored object to its end to learn its SHA-256 and size, chunk by chunk, so
//! packages of hundreds of megabytes are verified without being held in memory.

use sha2::{Digest, Sha256};

use crate::storage::Storage;
use crate::Result;

/// The SHA-256 (lower-case hex) and size of the object at `key`, or `None` if there is none.
pub(crate) async fn digest(storage: &dyn Storage, key: &str) -> Result<Option<(String, u64)>> {
    let Some(mut object) = storage.get_stream(key).await? else { return Ok(None) };
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = std::future::poll_fn(|cx| object.body.as_mut().poll_next(cx)).await {
        let chunk = chunk?;
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    Ok(Some((hex::encode(hasher.finalize()), size)))
}
