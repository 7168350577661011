//! Versions whose code is elsewhere: registered as a location that the download answers in
//! `X-Terraform-Get` as given (consumers fetch it with their own credentials), or imported
//! from it once through the publish pipeline, so consumers no longer depend on the source.
//! The location is checked first ([`ModuleLocation`]); nothing is stored when any check fails.

pub mod fetch;

use bytes::Bytes;
use http::{Response, StatusCode};

use super::publish::Origin;
use super::ModuleService;
use crate::http::body::Body;
use crate::http::response;
use crate::modules::index::{self, ModuleVersion};
use crate::modules::metadata::Metadata;
use crate::protocol::RegisterExternal;
use crate::types::{ModuleAddress, ModuleLocation, Version};
use crate::{Error, Result};

impl ModuleService {
    /// `POST /v1/modules/{ns}/{name}/{system}/{version}/external` with `{"location": ...}`
    /// (and `"import": true` to fetch and store it), by `by`.
    pub(crate) async fn register_external(
        &self,
        addr: &ModuleAddress,
        version: &Version,
        body: &Bytes,
        by: &str,
    ) -> Result<Response<Body>> {
        let request: RegisterExternal = serde_json::from_slice(body).map_err(|e| {
            Error::invalid_body(
                "the body must be JSON like {\"location\": \"git::https://host/repo.git?ref=v1.2.0\", \"import\": false}",
                e,
            )
        })?;
        let location = ModuleLocation::parse(&request.location)?;
        let metadata = Metadata::from_fields(request.description.as_deref(), request.source.as_deref())?;
        self.refuse_published(addr, version).await?;
        let (index, entry) = if request.import {
            let source = location.import_source()?;
            let fetcher = self.fetcher.as_ref().ok_or_else(|| {
                Error::bad_request(
                    "this registry does not import; register the location without \"import\" (tfreg serve imports from the hosts --import-allow-host names)",
                )
            })?;
            tracing::info!(module = %addr, %version, from = %source.url(), "importing a module version");
            let archive = fetcher.fetch(&source, self.max_upload_bytes).await?;
            self.store_version(addr, version, archive, by.to_owned(), Origin::Import(&location), metadata)
                .await?
        } else {
            location.registrable()?;
            let entry = ModuleVersion {
                version: version.clone(),
                sha256: String::new(),
                size: 0,
                published_at: crate::clock::rfc3339(self.clock.unix_now()),
                published_by: by.to_owned(),
                pinned: false,
                description: metadata.description,
                source: metadata.source,
                deprecation: None,
                yanked: None,
                location: Some(location.as_str().to_owned()),
                imported_from: None,
            };
            let result = index::add_version(self.storage.as_ref(), addr, entry.clone()).await;
            self.forget(addr).await;
            let index = result?;
            self.catalogue.record(&index, None).await;
            (index, entry)
        };
        tracing::info!(module = %addr, %version, by = %entry.published_by, location = %location,
            imported = request.import, "external module version registered");
        Ok(response::json(StatusCode::CREATED, &self.describe(&index, &entry)))
    }
}
