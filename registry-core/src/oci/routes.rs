//! The handlers of the `/v2/` routes: version check, token, tag list, manifests and blobs.

use http::{header, HeaderValue, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::auth::{TokenResponse, ANONYMOUS_TOKEN, TOKEN_EXPIRES_IN_SECS};
use super::errors::ErrorCode;
use super::manifest::{Encoded, EMPTY_CONTENT};
use super::repository::{version_tag, Digest, Reference, Repository};
use super::{modules, providers, OciService, CONTENT_DIGEST_HEADER};
use crate::downloads::Counted;
use crate::http::body::Body;
use crate::http::files::{self, StoredFile};
use crate::http::{response, RequestContext};
use crate::modules::index::{ModuleIndex, ModuleVersion};
use crate::protocol::NoAttributes;
use crate::providers::index::ProviderIndex;
use crate::storage::layout;
use crate::types::{Constraints, ModuleAddress, ProviderAddress, Version};
use crate::{Error, Result};

/// The answer of `GET /v2/{repo}/tags/list`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct TagList {
    /// The repository.
    pub name: String,
    /// Its tags, in lexical order (a page of them, with `n`).
    pub tags: Vec<String>,
}

impl OciService {
    /// `GET /v2/`: the API is here, and the caller may use it.
    pub(crate) fn version(&self) -> Response<Body> {
        response::json(StatusCode::OK, &NoAttributes {})
    }

    /// `GET /v2/token`: the bearer token for the credentials the caller sent (see
    /// [`super::auth`]); the anonymous token when it sent none and anonymous reads are allowed.
    pub(crate) fn token(&self, ctx: &RequestContext) -> Response<Body> {
        let token = ctx
            .header(header::AUTHORIZATION)
            .and_then(|v| v.split_once(' '))
            .map_or(ANONYMOUS_TOKEN, |(_, token)| token.trim())
            .to_owned();
        let document =
            TokenResponse { access_token: token.clone(), token, expires_in: TOKEN_EXPIRES_IN_SECS };
        let mut answer = response::json(StatusCode::OK, &document);
        answer.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        answer
    }

    /// `GET /v2/{repo}/tags/list?n&last`: a page of tags in lexical order, after `last`, at
    /// most `n`, with a `Link` to the next page when there is one.
    pub(crate) async fn tags(&self, ctx: &RequestContext, repo: &Repository) -> Result<Response<Body>> {
        let mut tags: Vec<String> = match repo {
            Repository::Provider(addr) | Repository::Mirror(addr) => {
                let cached = self.providers.cached(addr).await?;
                let index = known(addr, &cached)?;
                index.versions.iter().filter(|v| v.available()).map(|v| version_tag(&v.version)).collect()
            }
            Repository::Module(addr) => {
                let index = self.modules.full_index(addr).await?;
                let mut tags: Vec<String> = packaged(&index).map(|v| version_tag(&v.version)).collect();
                if latest(&index).is_some() {
                    tags.push("latest".to_owned());
                }
                tags
            }
        };
        tags.sort();
        tags.dedup();
        let limit = match ctx.query.get("n") {
            Some(n) => Some(n.parse::<usize>().map_err(|_| {
                Error::bad_request(format!("n={:?} is not a number of tags", crate::types::truncate(n)))
            })?),
            None => None,
        };
        let start = ctx.query.get("last").map_or(0, |last| tags.partition_point(|t| t.as_str() <= last));
        let mut page = tags.split_off(start);
        let more = limit.is_some_and(|n| page.len() > n);
        if let Some(n) = limit {
            page.truncate(n);
        }
        let next = match (more, page.last(), limit) {
            (true, Some(last), Some(n)) => {
                Some(format!("</v2/{repo}/tags/list?n={n}&last={last}>; rel=\"next\""))
            }
            _ => None,
        };
        let mut answer = response::json(StatusCode::OK, &TagList { name: repo.to_string(), tags: page });
        if let Some(next) = next.and_then(|n| HeaderValue::try_from(n).ok()) {
            answer.headers_mut().insert(header::LINK, next);
        }
        Ok(answer)
    }

    /// `GET|HEAD /v2/{repo}/manifests/{reference}`: a provider version's index or one of its
    /// platform manifests, or a module version's manifest, by tag or by digest.
    pub(crate) async fn manifest(&self, repo: &Repository, reference: &Reference) -> Result<Response<Body>> {
        let encoded = match repo {
            Repository::Provider(addr) | Repository::Mirror(addr) => {
                let cached = self.providers.cached(addr).await?;
                provider_manifest(known(addr, &cached)?, reference)?
            }
            Repository::Module(addr) => {
                let index = self.modules.full_index(addr).await?;
                self.module_manifest(addr, &index, reference).await?
            }
        }
        .ok_or_else(|| {
            let what = match reference {
                Reference::Tag(tag) => format!("tag {tag}"),
                Reference::Digest(digest) => format!("manifest {digest}"),
            };
            Error::oci(ErrorCode::ManifestUnknown, format!("repository {repo} has no {what}"))
        })?;
        let mut answer = response::with_type(encoded.bytes.clone(), encoded.media_type);
        add_digest(answer.headers_mut(), &encoded.digest);
        Ok(answer)
    }

    /// `GET|HEAD /v2/{repo}/blobs/{digest}`: a provider package, a module's zip, or the empty
    /// config, streamed from the store (or redirected to a presigned URL), with `Range`; or,
    /// for a caller who may push to the repository, a blob staged for a manifest to publish.
    /// With the answer, the provider or module version a package belongs to, for the download
    /// counts.
    pub(crate) async fn blob(
        &self,
        ctx: &RequestContext,
        repo: &Repository,
        digest: &Digest,
        may_push: bool,
    ) -> Result<(Response<Body>, Option<(Counted, Version)>)> {
        let missing =
            || Error::oci(ErrorCode::BlobUnknown, format!("repository {repo} has no blob {digest}"));
        // A pusher may look for blobs in a repository that has no version yet.
        let found = match self.find_blob(repo, digest).await {
            Err(err) if may_push && err.oci_code() == Some(ErrorCode::NameUnknown) => None,
            found => found?,
        };
        let (key, counted) = match found {
            Some((key, counted, version)) => (Some(key), Some((counted, version))),
            None if may_push => (Some(layout::upload_object(&layout::staged_blob_id(digest.hex()))), None),
            None => (None, None),
        };
        let mut answer = match key {
            _ if *digest == Digest::of(EMPTY_CONTENT) => {
                response::with_type(bytes::Bytes::from_static(EMPTY_CONTENT), "application/octet-stream")
            }
            Some(key) => {
                let file =
                    StoredFile { key: &key, content_type: "application/octet-stream", sha256: digest.hex() };
                files::serve(self.storage.as_ref(), ctx, &file, self.link_ttl, missing).await?
            }
            None => return Err(missing()),
        };
        add_digest(answer.headers_mut(), digest);
        Ok((answer, counted))
    }

    /// The key of the blob with `digest` in `repo` (a provider package or a module's zip),
    /// with the provider or module version it belongs to.
    pub(crate) async fn find_blob(
        &self,
        repo: &Repository,
        digest: &Digest,
    ) -> Result<Option<(String, Counted, Version)>> {
        Ok(match repo {
            Repository::Provider(addr) | Repository::Mirror(addr) => {
                let cached = self.providers.cached(addr).await?;
                known(addr, &cached)?.versions.iter().find_map(|v| {
                    let package = v.platforms.iter().find(|p| p.sha256 == digest.hex())?;
                    let key = layout::provider_package(addr, &v.version, &package.sha256);
                    Some((key, Counted::provider(addr), v.version.clone()))
                })
            }
            Repository::Module(addr) => {
                let index = self.modules.full_index(addr).await?;
                self.module_blob(addr, &index, digest)
                    .await?
                    .map(|(key, version)| (key, Counted::module(addr), version))
            }
        })
    }

    /// A module version's manifest: by tag (its zip derived on first use) or by digest (of a
    /// version whose zip was derived).
    async fn module_manifest(
        &self,
        addr: &ModuleAddress,
        index: &ModuleIndex,
        reference: &Reference,
    ) -> Result<Option<Encoded>> {
        let storage = self.storage.as_ref();
        match reference {
            Reference::Tag(tag) => {
                let entry = match tag.as_str() {
                    "latest" => latest(index),
                    tag => packaged(index).find(|v| version_tag(&v.version) == tag),
                };
                let Some(entry) = entry else { return Ok(None) };
                let zip = modules::ensure(storage, addr, entry).await?;
                Ok(Some(modules::manifest(addr, entry, &zip)?))
            }
            Reference::Digest(digest) => {
                for entry in &index.versions {
                    if let Some(zip) = modules::recorded(storage, addr, entry).await? {
                        let manifest = modules::manifest(addr, entry, &zip)?;
                        if manifest.digest == *digest {
                            return Ok(Some(manifest));
                        }
                    }
                }
                Ok(None)
            }
        }
    }

    /// The key of the module zip with `digest` and its version, among the versions whose zip
    /// was derived.
    async fn module_blob(
        &self,
        addr: &ModuleAddress,
        index: &ModuleIndex,
        digest: &Digest,
    ) -> Result<Option<(String, Version)>> {
        for entry in &index.versions {
            let zip = modules::recorded(self.storage.as_ref(), addr, entry).await?;
            if let Some(zip) = zip.filter(|zip| zip.sha256 == digest.hex()) {
                return Ok(Some((zip.key(addr, entry), entry.version.clone())));
            }
        }
        Ok(None)
    }
}

/// The provider's index: `NAME_UNKNOWN` when it has no version here.
fn known<'a>(addr: &ProviderAddress, cached: &'a Option<ProviderIndex>) -> Result<&'a ProviderIndex> {
    cached
        .as_ref()
        .ok_or_else(|| Error::oci(ErrorCode::NameUnknown, format!("provider {addr} is not in this registry")))
}

/// A provider version's index (by its tag or digest) or platform manifest (by digest).
fn provider_manifest(index: &ProviderIndex, reference: &Reference) -> Result<Option<Encoded>> {
    match reference {
        Reference::Tag(tag) => index
            .versions
            .iter()
            .find(|v| v.available() && version_tag(&v.version) == *tag)
            .map(|v| providers::release(v).map(|release| release.index))
            .transpose(),
        Reference::Digest(digest) => {
            for version in index.versions.iter().filter(|v| !v.platforms.is_empty()) {
                let release = providers::release(version)?;
                if release.index.digest == *digest {
                    return Ok(Some(release.index));
                }
                if let Some(manifest) = release.manifests.into_iter().find(|m| m.digest == *digest) {
                    return Ok(Some(manifest));
                }
            }
            Ok(None)
        }
    }
}

/// The listed versions the registry holds an archive of: an external version's code is
/// elsewhere, so it has no OCI artifact.
fn packaged(index: &ModuleIndex) -> impl Iterator<Item = &ModuleVersion> {
    index.listed().filter(|v| !v.is_external())
}

/// The version `latest` names: the newest listed release with an archive here.
fn latest(index: &ModuleIndex) -> Option<&ModuleVersion> {
    let newest = Constraints::any().select_newest(packaged(index).map(|v| &v.version))?;
    packaged(index).find(|v| &v.version == newest)
}

fn add_digest(headers: &mut http::HeaderMap, digest: &Digest) {
    if let Ok(value) = HeaderValue::try_from(digest.to_string()) {
        headers.insert(CONTENT_DIGEST_HEADER, value);
    }
}
