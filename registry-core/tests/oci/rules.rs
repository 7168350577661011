//! What the tests share: calls, publishing, and OpenTofu's rules as its client applies them.

use std::io::Read;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use tfreg_core::oci::manifest::{self, Descriptor, ImageIndex};
use tfreg_core::types::Version;
use tfreg_testkit::{provider_zip, tar_gz, TestRegistry};

pub(crate) const KEY: &str = include_str!("../../src/pgp/testdata/signing-key.asc");
pub(crate) const HOST: &str = "registry.example.com";

pub(crate) async fn registry() -> TestRegistry {
    TestRegistry::builder().signing_key(KEY).build().await
}

/// `method uri` with the given `Authorization` value and `Host`.
pub(crate) async fn call(
    reg: &TestRegistry,
    method: Method,
    uri: &str,
    authorization: Option<&str>,
) -> Response<Bytes> {
    let mut request = Request::builder().method(method).uri(uri).header("host", HOST);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    tfreg_testkit::send(&reg.registry, request.body(Bytes::new()).unwrap()).await
}

pub(crate) async fn get(reg: &TestRegistry, uri: &str) -> Response<Bytes> {
    call(reg, Method::GET, uri, Some(&format!("Bearer {}", reg.master))).await
}

pub(crate) fn body_json(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap_or_else(|e| panic!("{e}: {:?}", response.body()))
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Publishes `acme/null` `version` for each platform; the packages by platform.
pub(crate) async fn publish_provider(
    reg: &TestRegistry,
    version: &str,
    platforms: &[&str],
) -> Vec<(String, Vec<u8>)> {
    let mut packages = Vec::new();
    for platform in platforms {
        let package = provider_zip("null", version, format!("binary {version} {platform}").as_bytes());
        let uri = format!("/v1/providers/acme/null/{version}/{}", platform.replace('_', "/"));
        let published = reg.call(Method::PUT, &uri, Some(&reg.master), package.clone()).await;
        assert_eq!(published.status(), StatusCode::CREATED, "{:?}", published.body());
        packages.push((platform.to_string(), package));
    }
    packages
}

pub(crate) async fn publish_module(reg: &TestRegistry, version: &str) {
    let archive = tar_gz(&[("main.tf", "variable \"x\" {}\n"), ("modules/child/main.tf", "# child\n")]);
    let published = reg.publish_module("acme/vpc/aws", version, archive).await;
    assert_eq!(published.status(), StatusCode::CREATED, "{:?}", published.body());
}

/// The OCI error code of an answer, checking the status and the error document's shape.
pub(crate) fn oci_error(response: &Response<Bytes>, status: StatusCode) -> String {
    assert_eq!(response.status(), status, "{:?}", response.body());
    assert_eq!(response.headers()["docker-distribution-api-version"], "registry/2.0");
    let body = body_json(response);
    let errors = body["errors"].as_array().expect("an errors array");
    assert_eq!(errors.len(), 1, "{body}");
    assert!(errors[0]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    errors[0]["code"].as_str().expect("a code").to_owned()
}

// ---------------------------------------------------------------------------------------------
// OpenTofu's rules, from its source (opentofu/opentofu, main as of 2026-08), applied to what we
// serve. A function per step of the client, named after the Go function it follows.
// ---------------------------------------------------------------------------------------------

/// A descriptor as the ORAS client makes it from a `HEAD`/`GET` of a manifest by tag: the
/// media type from `Content-Type`, the digest from `Docker-Content-Digest`, the size from the
/// body.
pub(crate) fn resolved_descriptor(response: &Response<Bytes>) -> Descriptor {
    assert_eq!(response.status(), StatusCode::OK, "{:?}", response.body());
    Descriptor {
        media_type: response.headers()["content-type"].to_str().unwrap().to_owned(),
        artifact_type: None,
        digest: response.headers()["docker-content-digest"].to_str().unwrap().to_owned(),
        size: response.body().len() as u64,
        platform: None,
        annotations: None,
    }
}

/// `fetchOCIManifestBlob` (internal/getproviders/oci_registry_mirror_source.go and
/// internal/getmodules/oci_getter.go): refuses over `ociImageManifestSizeLimitMiB` (4 MiB),
/// fetches by digest, and checks the bytes hash to the descriptor's digest.
pub(crate) async fn fetch_oci_manifest_blob(reg: &TestRegistry, repo: &str, desc: &Descriptor) -> Bytes {
    assert!(desc.size / 1024 / 1024 <= 4, "manifest size exceeds OpenTofu's size limit of 4 MiB");
    let fetched = get(reg, &format!("/v2/{repo}/manifests/{}", desc.digest)).await;
    assert_eq!(fetched.status(), StatusCode::OK, "{:?}", fetched.body());
    let body = fetched.body().slice(..desc.size as usize);
    assert_eq!(format!("sha256:{}", sha256(&body)), desc.digest, "manifest content does not match digest");
    body
}

/// The ORAS `Tags` then `AvailableVersions` (oci_registry_mirror_source.go): every tag with
/// `_` read as `+` that parses as a version.
pub(crate) async fn available_versions(reg: &TestRegistry, repo: &str) -> Vec<String> {
    let tags = body_json(&get(reg, &format!("/v2/{repo}/tags/list")).await);
    let tags = tags["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().replace('_', "+"));
    tags.filter(|t| Version::parse(t).is_ok()).collect()
}

/// `PackageMeta` of oci_registry_mirror_source.go, step by step: `fetchOCIDescriptorForVersion`
/// (the tag `strings.ReplaceAll(version, "+", "_")` must name an image index),
/// `fetchOCIIndexManifest` (media type and artifact type `application/vnd.opentofu.provider`),
/// `selectOCIImageManifest` (exactly one descriptor of artifact type
/// `application/vnd.opentofu.provider-target`, media type image manifest, with a platform that
/// matches and no `os.version`), `fetchOCIImageManifest` (media type and artifact type match the
/// descriptor), `selectOCILayerBlob` (exactly one layer of media type `archive/zip`) and
/// `hashFromOCIDigest` (sha256 only; the hash is `zh:` + the hex). Then `InstallProviderPackage`
/// (package_location_oci_blob_archive.go): `checkOCIBlobDescriptor` and
/// `fetchOCIBlobToTemporaryFile`, which reads `desc.Size` bytes and checks the digest. Returns
/// the `zh:` hash and the package.
pub(crate) async fn opentofu_install_provider(
    reg: &TestRegistry,
    repo: &str,
    version: &str,
    os: &str,
    arch: &str,
) -> (String, Bytes) {
    // fetchOCIDescriptorForVersion
    let tag = version.replace('+', "_");
    let index_desc = resolved_descriptor(&get(reg, &format!("/v2/{repo}/manifests/{tag}")).await);
    assert_eq!(index_desc.media_type, manifest::IMAGE_INDEX, "providers must be selected through an index");
    // fetchOCIIndexManifest: `desc.ArtifactType = ociIndexManifestArtifactType` before the check.
    let index: ImageIndex =
        serde_json::from_slice(&fetch_oci_manifest_blob(reg, repo, &index_desc).await).expect("an index");
    assert_eq!(index.media_type, index_desc.media_type, "unexpected manifest media type");
    assert_eq!(index.artifact_type, "application/vnd.opentofu.provider", "unexpected artifact type");
    // selectOCIImageManifest
    let mut selected = Vec::new();
    for desc in &index.manifests {
        if desc.artifact_type.as_deref() != Some("application/vnd.opentofu.provider-target") {
            continue;
        }
        assert_eq!(
            desc.media_type,
            manifest::IMAGE_MANIFEST,
            "provider image manifest has unsupported media type"
        );
        let platform = desc.platform.as_ref().expect("provider image manifest lacks the required platform");
        if platform.os == os && platform.architecture == arch {
            selected.push(desc.clone());
        }
    }
    assert_eq!(selected.len(), 1, "exactly one manifest for {os}_{arch}");
    let image_desc = selected.remove(0);
    // fetchOCIImageManifest
    let image: Value =
        serde_json::from_slice(&fetch_oci_manifest_blob(reg, repo, &image_desc).await).unwrap();
    assert_eq!(image["mediaType"], image_desc.media_type, "unexpected manifest media type");
    assert_eq!(
        image["artifactType"].as_str(),
        image_desc.artifact_type.as_deref(),
        "unexpected artifact type"
    );
    // selectOCILayerBlob
    let layers: Vec<Descriptor> = serde_json::from_value(image["layers"].clone()).unwrap();
    let zips: Vec<&Descriptor> = layers.iter().filter(|l| l.media_type == "archive/zip").collect();
    assert_eq!(zips.len(), 1, "exactly one eligible provider package");
    let blob = zips[0];
    // hashFromOCIDigest
    let hex = blob.digest.strip_prefix("sha256:").expect("unsupported digest algorithm");
    assert!(hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    // checkOCIBlobDescriptor
    assert!(blob.platform.as_ref().is_none_or(|p| p.os == os && p.architecture == arch));
    // fetchOCIBlobToTemporaryFile
    let fetched = get(reg, &format!("/v2/{repo}/blobs/{}", blob.digest)).await;
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.body().len() as u64, blob.size, "incorrect response size");
    assert_eq!(sha256(fetched.body()), hex, "provider package does not match digest");
    (format!("zh:{hex}"), fetched.body().clone())
}

/// `ociDistributionGetter.Get` (internal/getmodules/oci_getter.go): `resolveManifestDescriptor`
/// (the tag, `latest` by default, must name an image manifest; `desc.ArtifactType` is set to
/// `application/vnd.opentofu.modulepkg`), `fetchOCIImageManifest` (media type and artifact type
/// match), `selectOCILayerBlob` (one layer of a type in `goGetterDecompressorMediaTypes`,
/// `archive/zip` preferred), `fetchOCIBlobToTemporaryFile` (the ORAS verify reader checks size
/// and digest). Returns the zip.
pub(crate) async fn opentofu_install_module(reg: &TestRegistry, repo: &str, tag: Option<&str>) -> Bytes {
    let tag = tag.unwrap_or("latest");
    let desc = resolved_descriptor(&get(reg, &format!("/v2/{repo}/manifests/{tag}")).await);
    assert_eq!(desc.media_type, manifest::IMAGE_MANIFEST, "selected object is not an OCI image manifest");
    let image: Value = serde_json::from_slice(&fetch_oci_manifest_blob(reg, repo, &desc).await).unwrap();
    assert_eq!(image["mediaType"], desc.media_type);
    assert_eq!(image["artifactType"], "application/vnd.opentofu.modulepkg");
    let layers: Vec<Descriptor> = serde_json::from_value(image["layers"].clone()).unwrap();
    let zips: Vec<&Descriptor> = layers.iter().filter(|l| l.media_type == "archive/zip").collect();
    assert_eq!(zips.len(), 1, "multiple layers with media type archive/zip");
    let fetched = get(reg, &format!("/v2/{repo}/blobs/{}", zips[0].digest)).await;
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.body().len() as u64, zips[0].size);
    assert_eq!(format!("sha256:{}", sha256(fetched.body())), zips[0].digest);
    fetched.body().clone()
}

pub(crate) fn zip_files(zip: &[u8]) -> Vec<(String, String, u32)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().to_owned(), text, file.unix_mode().unwrap_or(0))
        })
        .collect()
}
