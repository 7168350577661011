//! Reading a request body without holding more than the limit.

use actix_web::{web, HttpRequest};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use tfreg_core::Error;

/// Reads the whole body, answering 413 as soon as it (or its declared length) passes `limit`.
pub(crate) async fn read_limited(
    request: &HttpRequest,
    mut payload: web::Payload,
    limit: u64,
) -> Result<Bytes, Error> {
    let declared = request
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(Error::PayloadTooLarge { limit });
    }
    let mut body = BytesMut::with_capacity(declared.unwrap_or(0).min(limit) as usize);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| Error::bad_request(format!("failed to read the request body: {e}")))?;
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(Error::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
