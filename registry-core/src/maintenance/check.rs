//! The store check: every referenced object present, of the size and SHA-256 its index
//! records; every index and session record readable; and the garbage, young and old. Read-only.

use super::inventory::Inventory;
use super::report::{CheckReport, Damage};
use super::{verify, CheckOptions};
use crate::storage::Storage;
use crate::Result;

/// Checks `storage` at `now` (seconds since the epoch).
pub(crate) async fn check(storage: &dyn Storage, now: u64, options: &CheckOptions) -> Result<CheckReport> {
    let inventory = Inventory::take(storage, now).await?;
    let grace_secs = options.grace.as_secs();
    let mut report = CheckReport {
        checked_at: crate::clock::rfc3339(now),
        grace_secs,
        indexes: inventory.indexes,
        referenced: 0,
        objects_verified: 0,
        bytes_verified: 0,
        damaged: inventory.unreadable.clone(),
        garbage: inventory.garbage(now, grace_secs),
    };
    for folder in &inventory.folders {
        for (reference, listed) in &folder.referenced {
            report.referenced += 1;
            let (key, index, entry) = (reference.key.clone(), folder.index.clone(), reference.entry.clone());
            let Some(listed) = listed else {
                report.damaged.push(Damage::Missing { key, index, entry });
                continue;
            };
            if listed.size != reference.size {
                let (expected, actual) = (reference.size, listed.size);
                report.damaged.push(Damage::WrongSize { key, index, entry, expected, actual });
                continue;
            }
            if options.verify_content {
                match verify::digest(storage, &reference.key).await? {
                    None => {
                        report.damaged.push(Damage::Missing { key, index, entry });
                        continue;
                    }
                    Some((_, actual)) if actual != reference.size => {
                        let expected = reference.size;
                        report.damaged.push(Damage::WrongSize { key, index, entry, expected, actual });
                        continue;
                    }
                    Some((actual_sha256, size)) => {
                        report.bytes_verified += size;
                        if actual_sha256 != reference.sha256 {
                            let expected_sha256 = reference.sha256.clone();
                            report.damaged.push(Damage::WrongDigest {
                                key,
                                index,
                                entry,
                                expected_sha256,
                                actual_sha256,
                            });
                            continue;
                        }
                    }
                }
            }
            report.objects_verified += 1;
        }
    }
    Ok(report)
}
