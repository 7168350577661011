//! Orphans and leftovers: archives and packages that no index references (a publish killed
//! between writing the archive and committing the index), writes a crash interrupted, and
//! abandoned upload sessions are collected once older than the grace period, never before, and
//! nothing an index references ever is; the store check reports damage and garbage.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use sha2::{Digest, Sha256};
use tfreg_core::maintenance::{CheckOptions, Damage, GarbageKind, Maintenance};
use tfreg_core::storage::{layout, PutMode, Storage};
use tfreg_core::types::{ModuleAddress, ProviderAddress, Version};
use tfreg_core::RegistryConfig;
use tfreg_testkit::{
    provider_zip, tar_gz, tiny_module, ClockedStore, ManualClock, TestRegistry, SIGNING_KEY,
};

const DAY: Duration = Duration::from_secs(24 * 3600);

/// A registry over the in-memory store, whose objects are dated by the registry's clock.
async fn registry() -> (TestRegistry, Arc<dyn Storage>) {
    let clock = ManualClock::now();
    let memory = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    let storage: Arc<dyn Storage> = ClockedStore::new(memory, clock.clone());
    let registry =
        TestRegistry::builder().storage(storage.clone()).clock(clock).signing_key(SIGNING_KEY).build().await;
    (registry, storage)
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Writes `body` where a publish of `version` of `acme/vpc/aws` would put its archive, without
/// committing it to the index: what a publish killed before the compare-and-swap leaves.
async fn unindexed_archive(storage: &dyn Storage, version: &str, body: &[u8]) -> String {
    let addr = ModuleAddress::parse("acme", "vpc", "aws").unwrap();
    let key = layout::module_archive(&addr, &Version::parse(version).unwrap(), &sha256(body));
    storage.put(&key, Bytes::copy_from_slice(body), PutMode::Create).await.unwrap();
    key
}

/// Publishes `acme/vpc/aws` 1.0.0 and the provider `acme/null` 1.0.0 for linux_amd64: the keys
/// of their archive and package.
async fn publish_both(registry: &TestRegistry) -> (String, String) {
    let archive = tiny_module();
    let published = registry.publish_module("acme/vpc/aws", "1.0.0", archive).await;
    assert_eq!(published.status(), StatusCode::CREATED, "{:?}", published.body());
    let package = provider_zip("null", "1.0.0", b"binary");
    let uri = "/v1/providers/acme/null/1.0.0/linux/amd64";
    let published = registry.call(Method::PUT, uri, Some(&registry.master), package.clone()).await;
    assert_eq!(published.status(), StatusCode::CREATED, "{:?}", published.body());
    let module = registry
        .stored_keys("modules/acme/vpc/aws/1.0.0/")
        .await
        .into_iter()
        .find(|k| k.ends_with(".tar.gz"))
        .unwrap();
    let addr = ProviderAddress::local("acme", "null").unwrap();
    let provider = layout::provider_package(&addr, &Version::parse("1.0.0").unwrap(), &sha256(&package));
    (module, provider)
}

#[tokio::test]
async fn unreferenced_archives_are_collected_after_the_grace_period_and_fresh_ones_are_not() {
    let (registry, storage) = registry().await;
    assert_eq!(registry.registry.config().orphan_grace, DAY, "the default grace period");
    let (module, provider) = publish_both(&registry).await;
    // Crashed publishes: a module version never indexed, and a package of a provider version
    // beside the indexed one.
    let old_archive = unindexed_archive(storage.as_ref(), "2.0.0", &tar_gz(&[("main.tf", "# 2")])).await;
    let addr = ProviderAddress::local("acme", "null").unwrap();
    let old_package = layout::provider_package(&addr, &Version::parse("1.0.0").unwrap(), &"ab".repeat(32));
    storage.put(&old_package, Bytes::from_static(b"zip"), PutMode::Create).await.unwrap();

    // Young: a publish may still be in flight, so nothing is removed.
    let report = registry.registry.collect_garbage().await.unwrap();
    assert!(report.removed.is_empty(), "{report:?}");
    assert_eq!(report.kept, 2);

    registry.clock.advance(DAY + Duration::from_secs(1));
    // A publish in flight now: its archive is written, the index not yet.
    let fresh = unindexed_archive(storage.as_ref(), "3.0.0", &tar_gz(&[("main.tf", "# 3")])).await;
    let report = registry.registry.collect_garbage().await.unwrap();
    let mut removed: Vec<&str> = report.removed.iter().map(|g| g.key.as_str()).collect();
    removed.sort();
    let mut expected = [old_archive.as_str(), old_package.as_str()];
    expected.sort();
    assert_eq!(removed, expected);
    assert!(report.removed.iter().all(|g| g.kind == GarbageKind::Orphan && g.age_secs.unwrap() > 86_400));
    assert_eq!(report.removed_bytes, report.removed.iter().map(|g| g.size).sum::<u64>());
    assert_eq!(report.kept, 1, "the fresh archive");
    assert!(storage.head(&fresh).await.unwrap().is_some());
    assert!(storage.head(&old_archive).await.unwrap().is_none());
    for kept in [&module, &provider] {
        assert!(storage.head(kept).await.unwrap().is_some(), "{kept} is referenced");
    }
    // What was published still downloads.
    let download = registry.get("/v1/modules/acme/vpc/aws/1.0.0/download").await;
    assert_eq!(download.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn referenced_objects_are_never_collected_however_old() {
    let (registry, storage) = registry().await;
    let (module, provider) = publish_both(&registry).await;
    registry.clock.advance(DAY * 3650);
    let report = registry.registry.collect_garbage().await.unwrap();
    assert!(report.removed.is_empty(), "{report:?}");
    assert_eq!(report.kept, 0);
    let keys = registry.stored_keys("").await;
    assert!(keys.contains(&module) && keys.contains(&provider), "{keys:?}");

    let maintenance = Maintenance::new(storage.clone(), registry.clock.clone());
    let check = maintenance.check(&CheckOptions::default()).await.unwrap();
    assert!(check.is_clean(), "{check:?}");
    assert_eq!(check.indexes, 2);
    assert_eq!(check.objects_verified, 2);
}

#[tokio::test]
async fn an_unreadable_index_keeps_its_archives_and_is_reported() {
    let (registry, storage) = registry().await;
    let (module, _) = publish_both(&registry).await;
    let index = "modules/acme/vpc/aws/index.json";
    storage.put(index, Bytes::from_static(b"{not json"), PutMode::Overwrite).await.unwrap();
    registry.clock.advance(DAY * 30);

    let report = registry.registry.collect_garbage().await.unwrap();
    assert!(report.removed.is_empty(), "nothing is judged under an index that does not parse");
    assert!(storage.head(&module).await.unwrap().is_some());
    let maintenance = Maintenance::new(storage.clone(), registry.clock.clone());
    let check = maintenance.check(&CheckOptions::default()).await.unwrap();
    assert!(!check.is_clean());
    assert!(
        matches!(&check.damaged[..], [Damage::Unreadable { key, .. }] if key == index),
        "{:?}",
        check.damaged
    );
}

#[tokio::test]
async fn the_check_finds_missing_and_altered_objects_and_what_nothing_references() {
    let (registry, storage) = registry().await;
    let (module, provider) = publish_both(&registry).await;
    let maintenance = Maintenance::new(storage.clone(), registry.clock.clone());
    assert!(maintenance.check(&CheckOptions::default()).await.unwrap().is_clean());

    // The module's archive is gone; the package keeps its size but not its content.
    storage.delete(&module).await.unwrap();
    let size = storage.head(&provider).await.unwrap().unwrap().size as usize;
    storage.put(&provider, Bytes::from(vec![0u8; size]), PutMode::Overwrite).await.unwrap();
    let orphan = unindexed_archive(storage.as_ref(), "2.0.0", b"orphan").await;
    // A write a crash interrupted outside the upload sessions is reported as unfinished by
    // stores that show such leftovers; the in-memory store shows none.
    let check = maintenance.check(&CheckOptions::default()).await.unwrap();
    assert_eq!(check.damaged.len(), 2, "{:?}", check.damaged);
    assert!(check.damaged.iter().any(|d| matches!(d, Damage::Missing { key, .. } if *key == module)));
    assert!(check.damaged.iter().any(
        |d| matches!(d, Damage::WrongDigest { key, actual_sha256, .. } if *key == provider && *actual_sha256 == sha256(&vec![0u8; size]))
    ));
    assert_eq!(check.garbage.len(), 1);
    assert_eq!(check.garbage[0].key, orphan);
    assert!(!check.garbage[0].collectable, "younger than the grace period");
    assert_eq!(check.problems(), 2, "young garbage is listed, not counted");

    // Checking is read-only; with no grace the orphan counts.
    let options = CheckOptions { grace: Duration::ZERO, ..CheckOptions::default() };
    let check = maintenance.check(&options).await.unwrap();
    assert!(check.garbage[0].collectable);
    assert_eq!(check.problems(), 3);
    assert!(storage.head(&orphan).await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupted_writes_on_the_local_filesystem_are_collected_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> =
        Arc::new(tfreg_storage::from_url(&format!("file://{}", dir.path().display())).unwrap());
    let registry = TestRegistry::builder()
        .storage(storage.clone())
        .config(RegistryConfig { orphan_grace: Duration::from_secs(3600), ..Default::default() })
        .build()
        .await;
    // A package write a crash cut short, as `kill -9` during a publish leaves it.
    let key = "providers/_local/acme/null/1.0.0/".to_owned() + &"cd".repeat(32) + ".zip";
    let mut writer = storage.writer(&key).await.unwrap();
    writer.write(Bytes::from(vec![1u8; 6 << 20])).await.unwrap();
    std::mem::forget(writer);
    // And an upload to a session whose record is gone, cut short the same way.
    let upload = format!("uploads/{}/object", "f".repeat(32));
    let mut writer = storage.writer(&upload).await.unwrap();
    writer.write(Bytes::from(vec![2u8; 1 << 20])).await.unwrap();
    std::mem::forget(writer);
    let leftover = storage.list_unfinished("providers/").await.unwrap();
    assert_eq!(leftover.len(), 1, "{leftover:?}");
    assert_eq!(leftover[0].key, format!("{key}#1"));
    assert!(storage.list("providers/").await.unwrap().is_empty(), "listings never show it");

    assert!(registry.registry.collect_garbage().await.unwrap().removed.is_empty());
    registry.clock.advance(Duration::from_secs(3601));
    let report = registry.registry.collect_garbage().await.unwrap();
    let removed: Vec<(&str, GarbageKind)> = report.removed.iter().map(|g| (g.key.as_str(), g.kind)).collect();
    assert_eq!(
        removed,
        [
            (format!("{key}#1").as_str(), GarbageKind::Unfinished),
            (format!("{upload}#1").as_str(), GarbageKind::Upload)
        ],
    );
    assert!(storage.list_unfinished("").await.unwrap().is_empty());
    for emptied in ["providers", "uploads"] {
        assert!(!dir.path().join(emptied).exists(), "emptied folders are removed: {emptied}");
    }
}
