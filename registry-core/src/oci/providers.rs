//! A provider version as OpenTofu's `oci_mirror` installs it: an image index of artifact type
//! `application/vnd.opentofu.provider` listing one image manifest per platform (artifact type
//! `application/vnd.opentofu.provider-target`, the platform in the index entry), each with one
//! `archive/zip` layer whose digest is the package's SHA-256: the same zip, and so the same
//! `zh:` hash, the provider registry protocol serves.

use super::manifest::{
    encode, Descriptor, Encoded, ImageIndex, ImageManifest, Platform, IMAGE_INDEX, IMAGE_MANIFEST,
    PROVIDER_ARTIFACT, PROVIDER_TARGET_ARTIFACT,
};
use crate::providers::index::{ProviderPlatform, ProviderVersion};
use crate::Result;

/// The documents of one provider version.
#[derive(Clone, Debug)]
pub struct ProviderRelease {
    /// The image index the version's tag names.
    pub index: Encoded,
    /// Each platform's image manifest, in the index's order.
    pub manifests: Vec<Encoded>,
}

/// The documents of `version`: those it was pushed with, or else derived from the provider
/// index, the same bytes every time.
pub fn release(version: &ProviderVersion) -> Result<ProviderRelease> {
    if let Some(pushed) = &version.pushed {
        return Ok(ProviderRelease {
            index: Encoded::pushed(&pushed.index, IMAGE_INDEX),
            manifests: pushed.manifests.iter().map(|m| Encoded::pushed(m, IMAGE_MANIFEST)).collect(),
        });
    }
    let mut platforms: Vec<&ProviderPlatform> = version.platforms.iter().collect();
    platforms.sort_by(|a, b| (&a.os, &a.arch).cmp(&(&b.os, &b.arch)));
    let mut manifests = Vec::with_capacity(platforms.len());
    let mut entries = Vec::with_capacity(platforms.len());
    for platform in platforms {
        let layer = Descriptor::zip_layer(&platform.sha256, platform.size, &platform.filename);
        let manifest = encode(&ImageManifest::zip_artifact(PROVIDER_TARGET_ARTIFACT, layer), IMAGE_MANIFEST)?;
        let on = Platform { architecture: platform.arch.clone(), os: platform.os.clone() };
        entries.push(manifest.descriptor(PROVIDER_TARGET_ARTIFACT, Some(on)));
        manifests.push(manifest);
    }
    let index = ImageIndex {
        schema_version: 2,
        media_type: IMAGE_INDEX.to_owned(),
        artifact_type: PROVIDER_ARTIFACT.to_owned(),
        manifests: entries,
    };
    Ok(ProviderRelease { index: encode(&index, IMAGE_INDEX)?, manifests })
}
