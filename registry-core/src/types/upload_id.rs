//! Upload session ids.

use crate::{Error, Result};

/// Length of a session id: 128 random bits in lower-case hex.
const ID_LEN: usize = 32;

/// Checks a session id from a path or query: 32 lower-case hex digits.
pub(crate) fn parse_upload_id(id: &str) -> Result<String> {
    if id.len() == ID_LEN && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(id.to_owned())
    } else {
        Err(Error::bad_request(format!(
            "malformed upload session id {:?}: expected the id POST /v1/uploads returned",
            super::truncate(id)
        )))
    }
}
