//! Serving archives behind signed links: `HEAD` from metadata, `GET` from the store or by
//! redirect to a URL the store presigned.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};

use crate::address::ModuleAddress;
use crate::registry::Registry;
use crate::version::Version;
use crate::{layout, response, Error, Result};

impl Registry {
    /// Answers an archive link whose signature has been checked.
    pub(crate) async fn module_archive(
        &self,
        addr: &ModuleAddress,
        version: &Version,
        sha256: &str,
        head: bool,
    ) -> Result<Response<Bytes>> {
        let key = layout::module_archive(addr, version, sha256);
        let storage = self.inner.storage.as_ref();
        let missing = || Error::not_found(format!("archive of {addr} {version} not found"));
        let mut response = if head {
            let info = storage.head(&key).await?.ok_or_else(missing)?;
            let mut response = response::empty(StatusCode::OK);
            response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(info.size));
            response
        } else if let Some(url) = storage.presign_get(&key, self.inner.config.link_ttl).await? {
            return response::redirect(StatusCode::FOUND, &url);
        } else {
            let object = storage.get(&key).await?.ok_or_else(missing)?;
            let mut response = Response::new(object.body);
            *response.status_mut() = StatusCode::OK;
            response
        };
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/gzip"));
        // The content under a hash-named key never changes.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400, immutable"));
        Ok(response)
    }
}
