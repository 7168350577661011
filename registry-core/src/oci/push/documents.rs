//! The manifests and indexes a push sends, checked by the rules OpenTofu reads them with
//! (the same the read side serves: [`crate::oci::providers`], [`crate::oci::modules`]):
//!
//! - a module version is an image manifest of artifact type `application/vnd.opentofu.modulepkg`
//!   with exactly one `archive/zip` layer;
//! - a provider version is an image index of artifact type `application/vnd.opentofu.provider`
//!   listing image manifests, each for one platform (`platform.os`, `platform.architecture`,
//!   no platform twice), each of artifact type `application/vnd.opentofu.provider-target` with
//!   exactly one `archive/zip` layer: the provider package.
//!
//! The artifact type is read from `artifactType`, or from the config's media type as artifacts
//! before image-spec 1.1 carry it. The config must be the empty one (`{}`), the only config
//! these artifacts have, so every blob a pushed manifest names is one the registry serves.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::oci::errors::ErrorCode;
use crate::oci::manifest::{Descriptor, EMPTY_CONTENT, IMAGE_INDEX, IMAGE_MANIFEST, ZIP_LAYER};
use crate::oci::Digest;
use crate::types::Platform;
use crate::{Error, Result};

/// A pushed manifest or index, as much of it as the checks read.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Pushed {
    schema_version: u32,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    artifact_type: Option<String>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
    #[serde(default)]
    manifests: Option<Vec<Descriptor>>,
    /// The document's annotations.
    #[serde(default)]
    pub(crate) annotations: BTreeMap<String, String>,
}

/// Whether a pushed document is a manifest or an index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An image manifest.
    Manifest,
    /// An image index.
    Index,
}

impl Pushed {
    /// Reads a pushed document sent with `content_type`: an OCI image manifest or index, its
    /// media type named by the header, the document, or both alike.
    pub(crate) fn parse(body: &[u8], content_type: Option<&str>) -> Result<(Kind, Pushed)> {
        let pushed: Pushed = serde_json::from_slice(body)
            .map_err(|e| invalid(format!("the manifest is not an OCI image manifest or index: {e}")))?;
        if pushed.schema_version != 2 {
            return Err(invalid(format!("schemaVersion is {}, not 2", pushed.schema_version)));
        }
        let header = content_type.map(|t| t.split(';').next().unwrap_or(t).trim()).filter(|t| !t.is_empty());
        let media_type = match (header, pushed.media_type.as_deref()) {
            (Some(header), Some(body)) if header != body => {
                return Err(invalid(format!(
                    "the Content-Type {header:?} differs from the manifest's mediaType {body:?}"
                )))
            }
            (Some(media_type), _) | (None, Some(media_type)) => media_type,
            (None, None) => {
                return Err(invalid("name the manifest's media type in Content-Type or mediaType"))
            }
        };
        let kind = match media_type {
            IMAGE_MANIFEST if pushed.config.is_some() && pushed.layers.is_some() => Kind::Manifest,
            IMAGE_INDEX if pushed.manifests.is_some() => Kind::Index,
            IMAGE_MANIFEST | IMAGE_INDEX => {
                return Err(invalid(format!("a {media_type} needs its {}", required_fields(media_type))))
            }
            other => {
                return Err(invalid(format!(
                    "this registry takes OCI artifacts ({IMAGE_MANIFEST} or {IMAGE_INDEX}), not {:?}",
                    crate::types::truncate(other)
                )))
            }
        };
        Ok((kind, pushed))
    }

    /// The zip layer of a module package or provider target manifest of `artifact_type`.
    pub(crate) fn zip_layer(&self, artifact_type: &str) -> Result<Digest> {
        let config = self.config.as_ref().ok_or_else(|| invalid("an image manifest needs its config"))?;
        let named = self.artifact_type.as_deref().unwrap_or(&config.media_type);
        if named != artifact_type {
            return Err(invalid(format!("the artifact type is {named:?}, not {artifact_type:?}")));
        }
        if config.digest != Digest::of(EMPTY_CONTENT).to_string() {
            return Err(invalid(format!(
                "the config must be the empty descriptor ({} bytes, {}): these artifacts have no config",
                EMPTY_CONTENT.len(),
                Digest::of(EMPTY_CONTENT)
            )));
        }
        match self.layers.as_deref().unwrap_or_default() {
            [layer] if layer.media_type == ZIP_LAYER => Digest::parse(&layer.digest),
            [layer] => Err(invalid(format!(
                "the layer has media type {:?}, not {ZIP_LAYER}",
                crate::types::truncate(&layer.media_type)
            ))),
            layers => Err(invalid(format!(
                "an {artifact_type} has exactly one {ZIP_LAYER} layer, not {}",
                layers.len()
            ))),
        }
    }

    /// The platform manifests of a provider index of `artifact_type`, each with its platform.
    pub(crate) fn platforms(&self, artifact_type: &str, target: &str) -> Result<Vec<(Platform, Digest)>> {
        match self.artifact_type.as_deref() {
            Some(named) if named == artifact_type => {}
            Some(named) => {
                return Err(invalid(format!("the index's artifactType is {named:?}, not {artifact_type:?}")))
            }
            None => {
                return Err(invalid(format!(
                    "the index has no artifactType, and OpenTofu installs only an index of {artifact_type:?} (skopeo before 1.14 drops it when it copies an index: push with an ORAS client)"
                )))
            }
        }
        let entries = self.manifests.as_deref().unwrap_or_default();
        if entries.is_empty() {
            return Err(invalid(
                "the index lists no manifest: a provider version has a package per platform",
            ));
        }
        let mut out: Vec<(Platform, Digest)> = Vec::with_capacity(entries.len());
        for entry in entries {
            if entry.media_type != IMAGE_MANIFEST {
                return Err(invalid(format!(
                    "index entries are {IMAGE_MANIFEST}s, not {:?}",
                    entry.media_type
                )));
            }
            if entry.artifact_type.as_deref().is_some_and(|t| t != target) {
                return Err(invalid(format!("index entries are {target} manifests")));
            }
            let on =
                entry.platform.as_ref().ok_or_else(|| invalid("every index entry names its platform"))?;
            let platform = Platform::new(&on.os, &on.architecture)
                .map_err(|e| invalid(format!("platform {}/{}: {e}", on.os, on.architecture)))?;
            if out.iter().any(|(p, _)| *p == platform) {
                return Err(invalid(format!("the index lists {platform} twice")));
            }
            out.push((platform, Digest::parse(&entry.digest)?));
        }
        Ok(out)
    }
}

fn required_fields(media_type: &str) -> &'static str {
    if media_type == IMAGE_INDEX {
        "manifests"
    } else {
        "config and layers"
    }
}

/// A pushed document this registry cannot take.
pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::oci(ErrorCode::ManifestInvalid, message)
}
