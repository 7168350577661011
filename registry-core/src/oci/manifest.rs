//! The documents of the OCI image specification this registry derives: descriptors, image
//! indexes and image manifests, serialised with a fixed field order and nothing that changes
//! between calls (no timestamps), so the same provider or module always gives the same bytes
//! and so the same digest.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::errors::ErrorCode;
use super::repository::Digest;
use crate::{Error, Result};

/// The media type of an image index.
pub const IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// The media type of an image manifest.
pub const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// The media type of the empty descriptor, the config of an artifact that has none.
pub const EMPTY: &str = "application/vnd.oci.empty.v1+json";
/// The content of the empty descriptor's blob.
pub const EMPTY_CONTENT: &[u8] = b"{}";
/// The media type OpenTofu requires of a provider package or module package layer.
pub const ZIP_LAYER: &str = "archive/zip";
/// The artifact type of a provider version's index (OpenTofu's `ociIndexManifestArtifactType`).
pub const PROVIDER_ARTIFACT: &str = "application/vnd.opentofu.provider";
/// The artifact type of one platform's manifest of a provider version
/// (`ociPackageManifestArtifactType`).
pub const PROVIDER_TARGET_ARTIFACT: &str = "application/vnd.opentofu.provider-target";
/// The artifact type of a module package (OpenTofu's `getmodules.ociIndexManifestArtifactType`).
pub const MODULE_ARTIFACT: &str = "application/vnd.opentofu.modulepkg";
/// The annotation that names a layer's file (what ORAS writes a pulled layer to).
pub const TITLE_ANNOTATION: &str = "org.opencontainers.image.title";
/// The largest manifest served: OpenTofu refuses larger ones (`ociImageManifestSizeLimitMiB`).
pub const MAX_MANIFEST_BYTES: usize = 4 << 20;

/// A content descriptor: what a blob or manifest is, where it is (its digest) and how big.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The media type of the content.
    pub media_type: String,
    /// The artifact type of a manifest it points at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    /// `sha256:<hex>` of the content.
    pub digest: String,
    /// The content's size in bytes.
    pub size: u64,
    /// The platform of a manifest an index lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Annotations, in key order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// The platform of an index entry.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Platform {
    /// The CPU architecture (`amd64`), as Go and Terraform name it.
    pub architecture: String,
    /// The operating system (`linux`).
    pub os: String,
}

/// An image index: one manifest per platform.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    /// Always 2.
    pub schema_version: u32,
    /// [`IMAGE_INDEX`].
    pub media_type: String,
    /// What the index is, as an artifact.
    pub artifact_type: String,
    /// The manifests it lists.
    pub manifests: Vec<Descriptor>,
}

/// An image manifest: a config and layers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    /// Always 2.
    pub schema_version: u32,
    /// [`IMAGE_MANIFEST`].
    pub media_type: String,
    /// What the manifest is, as an artifact.
    pub artifact_type: String,
    /// The config blob: [`Descriptor::empty`] for these artifacts.
    pub config: Descriptor,
    /// The layers: one package.
    pub layers: Vec<Descriptor>,
}

impl Descriptor {
    /// The empty descriptor (`{}`), the config of an artifact without one.
    pub fn empty() -> Self {
        Self {
            media_type: EMPTY.to_owned(),
            artifact_type: None,
            digest: Digest::of(EMPTY_CONTENT).to_string(),
            size: EMPTY_CONTENT.len() as u64,
            platform: None,
            annotations: None,
        }
    }

    /// An `archive/zip` layer with the given SHA-256, size and file name.
    pub fn zip_layer(sha256: &str, size: u64, title: &str) -> Self {
        Self {
            media_type: ZIP_LAYER.to_owned(),
            artifact_type: None,
            digest: Digest::from_hex(sha256).to_string(),
            size,
            platform: None,
            annotations: Some(BTreeMap::from([(TITLE_ANNOTATION.to_owned(), title.to_owned())])),
        }
    }
}

impl ImageManifest {
    /// The manifest of an artifact of `artifact_type` whose content is one zip layer.
    pub fn zip_artifact(artifact_type: &str, layer: Descriptor) -> Self {
        Self {
            schema_version: 2,
            media_type: IMAGE_MANIFEST.to_owned(),
            artifact_type: artifact_type.to_owned(),
            config: Descriptor::empty(),
            layers: vec![layer],
        }
    }
}

/// A manifest or index as served: its bytes, media type and digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// The JSON bytes.
    pub bytes: Bytes,
    /// [`IMAGE_INDEX`] or [`IMAGE_MANIFEST`].
    pub media_type: &'static str,
    /// The digest of [`Encoded::bytes`].
    pub digest: Digest,
}

impl Encoded {
    /// A document as it was pushed, byte for byte.
    pub fn pushed(text: &str, media_type: &'static str) -> Self {
        let bytes = Bytes::copy_from_slice(text.as_bytes());
        Self { digest: Digest::of(&bytes), bytes, media_type }
    }

    /// The descriptor that points at this document.
    pub fn descriptor(&self, artifact_type: &str, platform: Option<Platform>) -> Descriptor {
        Descriptor {
            media_type: self.media_type.to_owned(),
            artifact_type: Some(artifact_type.to_owned()),
            digest: self.digest.to_string(),
            size: self.bytes.len() as u64,
            platform,
            annotations: None,
        }
    }
}

/// Serialises a manifest (`media_type` names which), refusing one over
/// [`MAX_MANIFEST_BYTES`], which OpenTofu would not read.
pub fn encode<T: Serialize>(document: &T, media_type: &'static str) -> Result<Encoded> {
    let bytes =
        serde_json::to_vec(document).map_err(|e| Error::internal_with("cannot render a manifest", e))?;
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(Error::oci(
            ErrorCode::Unknown,
            format!(
                "the manifest would have {} bytes, more than the {MAX_MANIFEST_BYTES} OCI clients read",
                bytes.len()
            ),
        ));
    }
    let digest = Digest::of(&bytes);
    Ok(Encoded { bytes: Bytes::from(bytes), media_type, digest })
}
