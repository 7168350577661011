//! Modules withdrawn for a while: when a source-control installation goes away, its modules
//! leave the registry at once (every read answers 404), but their objects stay for a grace
//! period during which a reinstall restores them. A withdrawal is a hold record at
//! `scm/withdrawn/{ns}/{name}/{system}.json` with the versions taken out of the index; the
//! garbage collection keeps what a live hold names and drops holds past their time (their
//! objects are then orphans, removed as any).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::index::{ModuleIndex, ModuleVersion};
use super::ModuleService;
use crate::storage::cas::update_json;
use crate::storage::{layout, read_json, write_json, PutMode, Storage};
use crate::types::ModuleAddress;
use crate::Result;

/// Where the holds live.
pub(crate) const PREFIX: &str = "scm/withdrawn/";

/// One withdrawn module: the versions taken out of its index, until when they are kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Withdrawal {
    /// The index as it was, with the versions withdrawn.
    pub(crate) index: ModuleIndex,
    /// When (seconds since the epoch).
    pub(crate) withdrawn_at: u64,
    /// Until when the objects are kept.
    pub(crate) until: u64,
    /// Who withdrew it.
    pub(crate) by: String,
}

fn hold_key(addr: &ModuleAddress) -> String {
    format!("{PREFIX}{}.json", addr.key())
}

impl ModuleService {
    /// Takes every version of `addr` out of the registry, kept for restoring until `until`;
    /// how many versions were withdrawn (0 when the module holds none).
    pub(crate) async fn withdraw(&self, addr: &ModuleAddress, by: &str, until: u64) -> Result<usize> {
        let storage = self.storage.as_ref();
        let Some((index, _)) = super::index::load(storage, addr).await? else { return Ok(0) };
        let mut held = index.clone();
        if let Some(earlier) = read_json::<Withdrawal>(storage, &hold_key(addr), "withdrawn module").await? {
            for version in earlier.index.versions {
                if held.get(&version.version).is_none() {
                    held.insert(version);
                }
            }
        }
        let count = index.versions.len();
        if count == 0 {
            return Ok(0);
        }
        let hold = Withdrawal { index: held, withdrawn_at: self.clock.unix_now(), until, by: by.to_owned() };
        // The hold is stored first: a crash after it leaves the versions live, never lost.
        write_json(storage, &hold_key(addr), &hold, PutMode::Overwrite).await?;
        let gone: Vec<(String, String)> =
            index.versions.iter().map(|v| (v.version.to_string(), v.sha256.clone())).collect();
        let index = self
            .update_index(addr, |index| {
                // Versions published since the hold was read stay.
                index.versions.retain(|v| !gone.contains(&(v.version.to_string(), v.sha256.clone())));
                Ok(())
            })
            .await?;
        self.catalogue.refresh(&index).await;
        tracing::info!(module = %addr, versions = count, by, "module withdrawn");
        Ok(count)
    }

    /// Puts back what a withdrawal of `addr` took out (versions published since are kept);
    /// how many versions came back.
    pub(crate) async fn restore(&self, addr: &ModuleAddress) -> Result<usize> {
        let storage = self.storage.as_ref();
        let Some(hold) = read_json::<Withdrawal>(storage, &hold_key(addr), "withdrawn module").await? else {
            return Ok(0);
        };
        let mut restored = 0;
        let index = update_json(
            storage,
            &layout::module_index(addr),
            || ModuleIndex::empty(addr),
            |index| {
                restored = 0;
                for version in &hold.index.versions {
                    let taken = index.get(&version.version).is_some()
                        || index.deleting.iter().any(|v| v.version == version.version);
                    if !taken {
                        index.insert(version.clone());
                        restored += 1;
                    }
                }
                Ok(())
            },
        )
        .await?;
        self.forget(addr).await;
        storage.delete(&hold_key(addr)).await?;
        self.catalogue.refresh(&index).await;
        tracing::info!(module = %addr, versions = restored, "withdrawn module restored");
        Ok(restored)
    }

    /// The withdrawn modules of namespace `namespace`.
    pub(crate) async fn withdrawn_in(&self, namespace: &str) -> Result<Vec<ModuleAddress>> {
        let prefix = format!("{PREFIX}{}/", namespace.to_ascii_lowercase());
        let mut out = Vec::new();
        for object in self.storage.list(&prefix).await? {
            if let Some(hold) =
                read_json::<Withdrawal>(self.storage.as_ref(), &object.key, "withdrawn module").await?
            {
                out.extend(
                    ModuleAddress::parse(&hold.index.namespace, &hold.index.name, &hold.index.system).ok(),
                );
            }
        }
        Ok(out)
    }
}

/// The archive keys the live holds keep at `now`, after removing the holds past their time.
pub(crate) async fn held(storage: &dyn Storage, now: u64) -> Result<HashSet<String>> {
    let mut keep = HashSet::new();
    for object in storage.list(PREFIX).await? {
        let Some(hold) = read_json::<Withdrawal>(storage, &object.key, "withdrawn module").await? else {
            continue;
        };
        if hold.until <= now {
            storage.delete(&object.key).await?;
            tracing::info!(key = %object.key, "withdrawn module's grace period ended; its objects go as orphans");
            continue;
        }
        let Ok(addr) = ModuleAddress::parse(&hold.index.namespace, &hold.index.name, &hold.index.system)
        else {
            continue;
        };
        keep.extend(
            hold.index
                .versions
                .iter()
                .filter(|v| !v.is_external())
                .map(|v: &ModuleVersion| layout::module_archive(&addr, &v.version, &v.sha256)),
        );
    }
    Ok(keep)
}
