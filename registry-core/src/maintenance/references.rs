//! What a version index references: every object a module's or a provider's index names, with
//! the size and SHA-256 it records for each. The keys come from [`crate::storage::layout`], the
//! same functions the publish pipelines write with.

use crate::modules::index::ModuleIndex;
use crate::providers::index::ProviderIndex;
use crate::storage::{layout, Storage};
use crate::types::{ModuleAddress, ProviderAddress};
use crate::Result;

/// An object an index names.
#[derive(Clone, Debug)]
pub(crate) struct Reference {
    /// Its key.
    pub(crate) key: String,
    /// The SHA-256 the index records (lower-case hex).
    pub(crate) sha256: String,
    /// The size the index records.
    pub(crate) size: u64,
    /// Which entry of the index names it (`1.0.0`, `1.0.0 linux_amd64`).
    pub(crate) entry: String,
}

/// The two kinds of indexed folders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Catalogue {
    /// `modules/{ns}/{name}/{system}/`
    Modules,
    /// `providers/{host}/{ns}/{type}/`
    Providers,
}

impl Catalogue {
    /// Both kinds.
    pub(crate) const ALL: [Catalogue; 2] = [Catalogue::Modules, Catalogue::Providers];

    /// Where its folders live.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Catalogue::Modules => layout::MODULES_PREFIX,
            Catalogue::Providers => layout::PROVIDERS_PREFIX,
        }
    }

    /// What its indexes are called in reports.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Catalogue::Modules => "module index",
            Catalogue::Providers => "provider index",
        }
    }

    /// The objects the index at `key` names; `Ok(None)` when there is no index there, and
    /// `Ok(Some(Err(why)))` when the index cannot be trusted: it does not parse, names an
    /// address whose index belongs at another key, or records a hash that is not one.
    pub(crate) async fn references(
        self,
        storage: &dyn Storage,
        key: &str,
    ) -> Result<Option<std::result::Result<Vec<Reference>, String>>> {
        let Some(object) = storage.get(key).await? else { return Ok(None) };
        Ok(Some(match self {
            Catalogue::Modules => module_references(key, &object.body),
            Catalogue::Providers => provider_references(key, &object.body),
        }))
    }
}

fn module_references(key: &str, body: &[u8]) -> std::result::Result<Vec<Reference>, String> {
    let index: ModuleIndex = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let addr =
        ModuleAddress::parse(&index.namespace, &index.name, &index.system).map_err(|e| e.to_string())?;
    belongs_at(key, &layout::module_index(&addr), &addr)?;
    index
        .versions
        .iter()
        // An external version references no object here.
        .filter(|v| !v.is_external())
        .map(|v| {
            let entry = v.version.to_string();
            checked_sha(&v.sha256, &entry)?;
            let key = layout::module_archive(&addr, &v.version, &v.sha256);
            Ok(Reference { key, sha256: v.sha256.clone(), size: v.size, entry })
        })
        .collect()
}

fn provider_references(key: &str, body: &[u8]) -> std::result::Result<Vec<Reference>, String> {
    let index: ProviderIndex = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let addr =
        ProviderAddress::on_host(&index.host, &index.namespace, &index.r#type).map_err(|e| e.to_string())?;
    belongs_at(key, &layout::provider_index(&addr), &addr)?;
    let mut out = Vec::new();
    for v in &index.versions {
        for p in &v.platforms {
            let entry = format!("{} {}_{}", v.version, p.os, p.arch);
            checked_sha(&p.sha256, &entry)?;
            let key = layout::provider_package(&addr, &v.version, &p.sha256);
            out.push(Reference { key, sha256: p.sha256.clone(), size: p.size, entry });
        }
        if let Some(docs) = &v.docs {
            let entry = format!("{} docs", v.version);
            checked_sha(&docs.sha256, &entry)?;
            let key = layout::provider_docs(&addr, &v.version, &docs.sha256);
            out.push(Reference { key, sha256: docs.sha256.clone(), size: docs.size, entry });
        }
    }
    Ok(out)
}

/// An index found at `key` must be the one `addr` keeps at `expected`.
fn belongs_at(key: &str, expected: &str, addr: &dyn std::fmt::Display) -> std::result::Result<(), String> {
    if key == expected {
        return Ok(());
    }
    Err(format!("it describes {addr}, whose index belongs at {expected}"))
}

/// A SHA-256 as the index records it: 64 lower-case hex digits (it is part of a key).
fn checked_sha(sha256: &str, entry: &str) -> std::result::Result<(), String> {
    if sha256.len() == 64 && sha256.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Ok(());
    }
    Err(format!("{entry} records {:?}, which is not a SHA-256", crate::types::truncate(sha256)))
}
