//! The provider network mirror protocol's documents.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An empty JSON object: the mirror protocol's per-version value in [`MirrorIndex`].
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct NoAttributes {}

/// `GET {base}{host}/{ns}/{type}/index.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct MirrorIndex {
    /// Every version, each with no attributes.
    pub versions: BTreeMap<String, NoAttributes>,
}

/// `GET {base}{host}/{ns}/{type}/{version}.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct MirrorVersion {
    /// The packages by `os_arch`.
    pub archives: BTreeMap<String, MirrorArchive>,
}

/// One package of a [`MirrorVersion`].
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct MirrorArchive {
    /// Where the zip is (may be relative to the document).
    pub url: String,
    /// Its lock-file hashes (`h1:`, `zh:`).
    #[serde(default)]
    pub hashes: Vec<String>,
}
