//! Where the registry keeps things in its [`Storage`](crate::storage::Storage).
//!
//! | key | what |
//! | --- | --- |
//! | `modules/{ns}/{name}/{system}/index.json` | the module's version index ([`crate::index::ModuleIndex`]), changed only by compare-and-swap |
//! | `modules/{ns}/{name}/{system}/{version}/{sha256}.tar.gz` | a normalised module archive, written create-only, named by its content hash |
//! | `tokens/{id}.json` | an issued token's record: its SHA-256, tier, namespaces, expiry (never the token) |
//! | `audit/{inverted-time}-{random}.json` | one audit entry, written create-only; keys sort newest first |
//! | `_tfreg/url-signing-key` | the secret that signs download URLs (shared by every instance on the store) |
//! | `_tfreg/master-token.sha256` | the SHA-256 of a generated master token (never the token) |
//!
//! `{ns}` and `{name}` are lower-case, so addresses match case-insensitively; `{version}` is the
//! normalised version. A version is published when, and only when, the index names it: the
//! archive is written first, then the index. Reads of versions and downloads need the index only,
//! one `GET` of a small object (cached in memory), never a `LIST`, so they stay flat as the
//! catalogue grows.

use crate::address::ModuleAddress;
use crate::version::Version;

/// The key of a module's version index.
pub fn module_index(addr: &ModuleAddress) -> String {
    format!("modules/{}/index.json", addr.key())
}

/// The key of one version's archive with the given content hash.
pub fn module_archive(addr: &ModuleAddress, version: &Version, sha256: &str) -> String {
    format!("modules/{}/{}/{}.tar.gz", addr.key(), version, sha256)
}

/// The key of the secret that signs download URLs.
pub const URL_SIGNING_KEY: &str = "_tfreg/url-signing-key";

/// The key of a generated master token's hash.
pub const MASTER_TOKEN_HASH: &str = "_tfreg/master-token.sha256";

/// Where issued tokens' records live.
pub const TOKENS_PREFIX: &str = "tokens/";

/// The key of the record of the token with this id.
pub fn token(id: &str) -> String {
    format!("{TOKENS_PREFIX}{id}.json")
}

/// Where audit entries live.
pub const AUDIT_PREFIX: &str = "audit/";
