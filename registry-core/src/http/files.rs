//! Serving archives behind signed links: `HEAD` from metadata, `GET` from the store or by
//! redirect to a URL the store presigned.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};

use crate::http::response;
use crate::registry::Registry;
use crate::storage::layout;
use crate::types::address::ModuleAddress;
use crate::types::version::Version;
use crate::Error;
use crate::Result;

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
        let missing = || Error::not_found(format!("archive of {addr} {version} not found"));
        self.serve_object(&key, head, "application/gzip", missing).await
    }

    /// Serves a content-addressed object: `HEAD` from its metadata, `GET` by redirect to a URL
    /// the store presigned or from the store itself; 404 from `missing` when it is not there.
    pub(crate) async fn serve_object(
        &self,
        key: &str,
        head: bool,
        content_type: &'static str,
        missing: impl Fn() -> Error,
    ) -> Result<Response<Bytes>> {
        let storage = self.inner.storage.as_ref();
        let mut response = if head {
            let info = storage.head(key).await?.ok_or_else(&missing)?;
            let mut response = response::empty(StatusCode::OK);
            response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(info.size));
            response
        } else if let Some(url) = storage.presign_get(key, self.inner.config.link_ttl).await? {
            return response::redirect(StatusCode::FOUND, &url);
        } else {
            Response::new(storage.get(key).await?.ok_or_else(&missing)?.body)
        };
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        // The content under a hash-named key never changes.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400, immutable"));
        Ok(response)
    }
}
