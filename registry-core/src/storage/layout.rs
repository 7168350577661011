//! Where the registry keeps things in its [`Storage`](crate::storage::Storage).
//!
//! | key | what |
//! | --- | --- |
//! | `modules/{ns}/{name}/{system}/index.json` | the module's version index ([`crate::modules::index::ModuleIndex`]), changed only by compare-and-swap |
//! | `modules/{ns}/{name}/{system}/{version}/{sha256}.tar.gz` | a normalised module archive, written create-only, named by its content hash |
//! | `modules/{ns}/{name}/{system}/{version}/{sha256}.oci.zip`, `.../{sha256}.oci.json` | the version's archive as a zip, for the OCI distribution API, and its SHA-256 and size ([`crate::oci::modules`]), derived on first request |
//! | `providers/{host}/{ns}/{type}/index.json` | a provider's version index: platforms, hashes, the signed SHA256SUMS ([`crate::providers::index::ProviderIndex`]); `{host}` is `_local` for this registry's own providers |
//! | `providers/{host}/{ns}/{type}/{version}/{sha256}.zip` | a platform's package, create-only |
//! | `providers/{host}/{ns}/{type}/{version}/{sha256}.docs.json` | a version's documentation ([`crate::protocol::ProviderDocs`]), named by the index |
//! | `catalogue/{modules,providers}/{xx}.json`, `.../manifest.json` | the catalogue's shards and their generations ([`crate::catalogue`]) |
//! | `downloads/{modules,providers}/{address}.json` | download counts by version ([`crate::downloads`]) |
//! | `keys/{key_id}.json` | a public signing key: the registry's, or one registered for a namespace |
//! | `_tfreg/provider-signing-key.asc` | the registry's current provider signing key (secret) |
//! | `pins/modules/{ns}/{name}/{system}/{version}.json`, `pins/providers/{host}/{ns}/{type}/{version}.json` | what was pinned from the upstream, when, by whom |
//! | `tokens/{id}.json` | an issued token's record: its SHA-256, tier, namespaces, expiry (never the token) |
//! | `audit/{inverted-time}-{random}.json` | one audit entry, written create-only; keys sort newest first |
//! | `_tfreg/url-signing-key` | the secret that signs download URLs (shared by every instance on the store) |
//! | `_tfreg/master-token.sha256` | the SHA-256 of a generated master token (never the token) |
//! | `uploads/{id}/session.json` | an upload session: who opened it, when it expires |
//! | `uploads/{id}/object` | the file uploaded to that session, until it is published, abandoned or swept |
//!
//! Objects in a module's or provider's folder that its index does not name (a publish killed
//! between the archive and the index, a version unpinned) and writes a crash interrupted are
//! collected by [`crate::maintenance`] once older than a grace period.
//!
//! `{ns}` and `{name}` are lower-case, so addresses match case-insensitively; `{version}` is the
//! normalised version. A version is published when, and only when, the index names it: the
//! archive is written first, then the index. Reads of versions and downloads need the index only,
//! one `GET` of a small object (cached in memory), never a `LIST`, so they stay flat as the
//! catalogue grows.

use crate::types::address::ModuleAddress;
use crate::types::version::Version;

/// Where modules live: one folder per module, `modules/{ns}/{name}/{system}/`.
pub const MODULES_PREFIX: &str = "modules/";

/// Where providers live: one folder per provider, `providers/{host}/{ns}/{type}/`.
pub const PROVIDERS_PREFIX: &str = "providers/";

/// The name of the version index in a module's or provider's folder; everything else in the
/// folder is an archive or package under `{version}/`.
pub const INDEX_NAME: &str = "index.json";

/// How many `/`-separated parts name a module's or a provider's folder, `modules/` or
/// `providers/` included.
pub const ARTIFACT_FOLDER_DEPTH: usize = 4;

/// The key of a module's version index.
pub fn module_index(addr: &ModuleAddress) -> String {
    format!("{MODULES_PREFIX}{}/{INDEX_NAME}", addr.key())
}

/// The key of one version's archive with the given content hash.
pub fn module_archive(addr: &ModuleAddress, version: &Version, sha256: &str) -> String {
    format!("{MODULES_PREFIX}{}/{}/{}.tar.gz", addr.key(), version, sha256)
}

/// The key of the documentation read from one version's archive (beside the archive, named
/// for the same content hash).
pub fn module_docs(addr: &ModuleAddress, version: &Version, sha256: &str) -> String {
    format!("{MODULES_PREFIX}{}/{}/{}{MODULE_DOCS_SUFFIX}", addr.key(), version, sha256)
}

/// The ending of [`module_docs`] keys, in place of the archive's `.tar.gz`.
pub const MODULE_DOCS_SUFFIX: &str = ".docs.json";

/// The key of a version's archive as a zip (derived from the archive with the given content
/// hash, for the OCI distribution API).
pub fn module_zip(addr: &ModuleAddress, version: &Version, sha256: &str) -> String {
    format!("{MODULES_PREFIX}{}/{}/{}{MODULE_ZIP_SUFFIX}", addr.key(), version, sha256)
}

/// The ending of [`module_zip`] keys, in place of the archive's `.tar.gz`.
pub const MODULE_ZIP_SUFFIX: &str = ".oci.zip";

/// The key of the record of a version's derived zip: its SHA-256 and size.
pub fn module_zip_record(addr: &ModuleAddress, version: &Version, sha256: &str) -> String {
    format!("{MODULES_PREFIX}{}/{}/{}{MODULE_ZIP_RECORD_SUFFIX}", addr.key(), version, sha256)
}

/// The ending of [`module_zip_record`] keys.
pub const MODULE_ZIP_RECORD_SUFFIX: &str = ".oci.json";

/// The key of the zip a version was pushed as through the OCI distribution API (kept beside
/// the archive normalised from it, and served as that version's OCI layer).
pub fn module_pushed_zip(addr: &ModuleAddress, version: &Version, sha256: &str) -> String {
    format!("{MODULES_PREFIX}{}/{}/{}{MODULE_PUSHED_ZIP_SUFFIX}", addr.key(), version, sha256)
}

/// The ending of [`module_pushed_zip`] keys.
pub const MODULE_PUSHED_ZIP_SUFFIX: &str = ".oci-pushed.zip";

/// The endings of the objects derived from a module archive and kept beside it, in place of
/// its `.tar.gz`: they live as long as the archive.
pub const MODULE_DERIVED_SUFFIXES: [&str; 4] =
    [MODULE_DOCS_SUFFIX, MODULE_ZIP_SUFFIX, MODULE_ZIP_RECORD_SUFFIX, MODULE_PUSHED_ZIP_SUFFIX];

/// The key of the secret that signs download URLs.
pub const URL_SIGNING_KEY: &str = "_tfreg/url-signing-key";

/// The key of a generated master token's hash.
pub const MASTER_TOKEN_HASH: &str = "_tfreg/master-token.sha256";

/// The secret issued tokens' checksums are keyed with (32 bytes), shared by every instance.
pub const TOKEN_CHECKSUM_KEY: &str = "_tfreg/token-checksum-key";

/// Where issued tokens' records live.
pub const TOKENS_PREFIX: &str = "tokens/";

/// The key of the record of the token with this id.
pub fn token(id: &str) -> String {
    format!("{TOKENS_PREFIX}{id}.json")
}

/// Where audit entries live.
pub const AUDIT_PREFIX: &str = "audit/";

/// The key of a provider's version index.
pub fn provider_index(addr: &crate::types::ProviderAddress) -> String {
    format!("{PROVIDERS_PREFIX}{}/{INDEX_NAME}", addr.key())
}

/// The key of one platform's package of a provider version, by its content hash.
pub fn provider_package(addr: &crate::types::ProviderAddress, version: &Version, sha256: &str) -> String {
    format!("{PROVIDERS_PREFIX}{}/{version}/{sha256}.zip", addr.key())
}

/// The key of a provider version's documentation with the given content hash.
pub fn provider_docs(addr: &crate::types::ProviderAddress, version: &Version, sha256: &str) -> String {
    format!("{PROVIDERS_PREFIX}{}/{version}/{sha256}{PROVIDER_DOCS_SUFFIX}", addr.key())
}

/// The ending of [`provider_docs`] keys.
pub const PROVIDER_DOCS_SUFFIX: &str = ".docs.json";

/// The registry's own provider signing key (armored secret key).
pub const PROVIDER_SIGNING_KEY: &str = "_tfreg/provider-signing-key.asc";

/// Where public keys live (the registry's and those registered for namespaces).
pub const KEYS_PREFIX: &str = "keys/";

/// The key of a public key's record.
pub fn public_key(key_id: &str) -> String {
    format!("{KEYS_PREFIX}{key_id}.json")
}

/// Where pins are recorded.
pub const PINS_PREFIX: &str = "pins/";

/// The key of a module version's pin record.
pub fn module_pin(addr: &ModuleAddress, version: &Version) -> String {
    format!("{PINS_PREFIX}modules/{}/{version}.json", addr.key())
}

/// The key of a provider version's pin record.
pub fn provider_pin(addr: &crate::types::ProviderAddress, version: &Version) -> String {
    format!("{PINS_PREFIX}providers/{}/{version}.json", addr.key())
}

/// Where upload sessions and their uploads live.
pub const UPLOADS_PREFIX: &str = "uploads/";

/// The name of a session's record in its folder.
pub const UPLOAD_SESSION_NAME: &str = "session.json";

/// The key of an upload session's record.
pub fn upload_session(id: &str) -> String {
    format!("{UPLOADS_PREFIX}{id}/{UPLOAD_SESSION_NAME}")
}

/// The key the file uploaded to a session is stored at (what a presigned `PUT` writes).
pub fn upload_object(id: &str) -> String {
    format!("{UPLOADS_PREFIX}{id}/object")
}

/// The key of the chunk of an OCI blob upload that starts at byte `offset` (chunks are read
/// back in key order).
pub fn upload_chunk(id: &str, offset: u64) -> String {
    format!("{UPLOADS_PREFIX}{id}/chunk-{offset:020}")
}

/// The id of the session folder an OCI blob pushed with SHA-256 `hex` waits in until a
/// manifest publishes it (its object is the blob; the session's expiry bounds the wait).
pub fn staged_blob_id(hex: &str) -> String {
    format!("sha256-{hex}")
}

/// The folder of an upload session: its record, its upload, and whatever an interrupted
/// upload left ([`Storage::list_unfinished`](crate::storage::Storage::list_unfinished)).
pub fn upload_folder(id: &str) -> String {
    format!("{UPLOADS_PREFIX}{id}/")
}
