//! Serving the files of a provider version behind signed links: its packages, `SHA256SUMS` and
//! the signature over it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use http::Response;

use super::ProviderService;
use crate::http::body::Body;
use crate::http::files::{self, StoredFile};
use crate::http::{response, RequestContext};
use crate::storage::layout;
use crate::types::ProviderFile;
use crate::types::{ProviderAddress, Version};
use crate::{Error, Result};

impl ProviderService {
    /// A signed, expiring link to a file of a provider version.
    pub(crate) fn file_link(&self, addr: &ProviderAddress, version: &Version, file: &ProviderFile) -> String {
        let path = format!(
            "/v1/archives/providers/{}/{}/{}/{version}/{}",
            addr.host,
            addr.namespace.key(),
            addr.r#type,
            file.segment()
        );
        self.links.signed(&path)
    }

    /// `GET|HEAD /v1/archives/providers/{host}/{ns}/{type}/{version}/{file}?expires&signature`
    pub(crate) async fn file(
        &self,
        ctx: &RequestContext,
        addr: &ProviderAddress,
        version: &Version,
        file: &ProviderFile,
    ) -> Result<Response<Body>> {
        self.links.verify(&ctx.path, ctx.raw_query.as_deref(), &crate::http::signing::DOWNLOAD_LINK)?;
        let missing = || Error::not_found(format!("{} of {addr} {version} not found", file.segment()));
        match file {
            ProviderFile::Package(sha256) => {
                let key = layout::provider_package(addr, version, sha256);
                let stored = StoredFile { key: &key, content_type: "application/zip", sha256 };
                files::serve(self.storage.as_ref(), ctx, &stored, self.links.ttl(), missing).await
            }
            ProviderFile::ShaSums | ProviderFile::ShaSumsSig => {
                let cached = self.cached(addr).await?;
                let entry = cached.as_ref().as_ref().and_then(|i| i.get(version)).ok_or_else(missing)?;
                if *file == ProviderFile::ShaSums {
                    let body = entry.shasums.clone().ok_or_else(missing)?;
                    Ok(response::with_type(body, "text/plain; charset=utf-8"))
                } else {
                    let signature = entry.signature.as_deref().ok_or_else(missing)?;
                    let bytes = STANDARD.decode(signature).map_err(|e| {
                        Error::internal_with(
                            format!("the stored signature of {addr} {version} is not base64"),
                            e,
                        )
                    })?;
                    Ok(response::with_type(Bytes::from(bytes), "application/octet-stream"))
                }
            }
        }
    }
}
