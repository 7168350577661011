//! Downloading an archive to import, within the size limit.

use bytes::{Bytes, BytesMut};
use tfreg_core::modules::external::fetch::FetchError;

/// `GET url` (redirects only to allowed hosts), the body read up to `limit` bytes.
pub(super) async fn download(client: &reqwest::Client, url: &str, limit: u64) -> Result<Bytes, FetchError> {
    read_limited(client.get(url), url, limit).await
}

/// Sends `request` (to `url`, which messages name) and reads the body of a success up to
/// `limit` bytes.
pub(crate) async fn read_limited(
    request: reqwest::RequestBuilder,
    url: &str,
    limit: u64,
) -> Result<Bytes, FetchError> {
    let failed = |err: reqwest::Error| {
        let mut text = format!("cannot download {url}: {err}");
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            text = format!("{text}: {cause}");
            source = cause.source();
        }
        if err.is_timeout() {
            FetchError::Timeout(text)
        } else {
            FetchError::Failed(text)
        }
    };
    let too_large = || FetchError::TooLarge(format!("{url} is larger than the limit of {limit} bytes"));
    let mut response = request.send().await.map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Failed(format!("{url} answered {status}")));
    }
    if response.content_length().is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
