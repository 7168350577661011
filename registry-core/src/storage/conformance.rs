//! The storage conformance suite: one set of async checks that every [`Storage`] backend's
//! tests run (in-memory, local filesystem, S3-compatible), so all of them keep the promises
//! the registry relies on. Each check panics with a message on failure and cleans up nothing:
//! give each run a fresh, empty store (or prefix).

use std::sync::Arc;

use bytes::Bytes;

use crate::modules::index::{self, ModuleVersion};
use crate::storage::{PutMode, Storage, StorageError};
use crate::types::address::ModuleAddress;
use crate::types::version::Version;

/// Runs every check in turn.
pub async fn run_all(storage: Arc<dyn Storage>) {
    round_trip(storage.as_ref()).await;
    missing_objects(storage.as_ref()).await;
    create_is_create_only(storage.as_ref()).await;
    update_if_match_is_compare_and_swap(storage.as_ref()).await;
    list_by_prefix(storage.as_ref()).await;
    streamed_write_and_read(storage.as_ref()).await;
    aborted_write_leaves_nothing(storage.as_ref()).await;
    interrupted_write_stays_out_of_sight(storage.as_ref()).await;
    listings_report_ages(storage.as_ref()).await;
    concurrent_creates_have_one_winner(storage.clone()).await;
    concurrent_updates_lose_nothing(storage.clone()).await;
    concurrent_publishes_lose_no_version(storage.clone()).await;
    garbage_collection_keeps_what_is_referenced(storage.clone()).await;
}

/// Put, get, head and delete keep content and sizes.
pub async fn round_trip(storage: &dyn Storage) {
    let key = "conformance/round-trip/a.bin";
    let body = Bytes::from((0..=255u8).cycle().take(70_000).collect::<Vec<_>>());
    let info = storage.put(key, body.clone(), PutMode::Overwrite).await.expect("put");
    assert_eq!(info.size, body.len() as u64, "put reports the size");
    let object = storage.get(key).await.expect("get").expect("object exists");
    assert_eq!(object.body, body, "get returns what was put");
    assert_eq!(object.info.size, body.len() as u64);
    let head = storage.head(key).await.expect("head").expect("object exists");
    assert_eq!(head.size, body.len() as u64);
    storage.put(key, Bytes::from_static(b"second"), PutMode::Overwrite).await.expect("overwrite");
    assert_eq!(storage.get(key).await.unwrap().unwrap().body, Bytes::from_static(b"second"));
    storage.delete(key).await.expect("delete");
    assert!(storage.get(key).await.unwrap().is_none(), "deleted objects are gone");
}

/// An object written in chunks (more than one multipart part, in uneven chunks) reads back
/// whole, by `get` and as a stream, and replaces what had the key; a missing object streams as
/// `None`.
pub async fn streamed_write_and_read(storage: &dyn Storage) {
    let key = "conformance/streamed/large.bin";
    storage.put(key, Bytes::from_static(b"old"), PutMode::Overwrite).await.expect("put");
    let body = Bytes::from((0..12 * 1024 * 1024u32).map(|i| (i * 7 % 251) as u8).collect::<Vec<_>>());
    let mut writer = storage.writer(key).await.expect("writer");
    for chunk in body.chunks(777_777) {
        writer.write(Bytes::copy_from_slice(chunk)).await.expect("write");
    }
    assert_eq!(
        storage.get(key).await.unwrap().unwrap().body,
        Bytes::from_static(b"old"),
        "nothing changes before finish"
    );
    let info = writer.finish().await.expect("finish");
    assert_eq!(info.size, body.len() as u64, "finish reports the size");
    assert_eq!(storage.head(key).await.unwrap().unwrap().size, body.len() as u64);
    let object = storage.get_stream(key).await.expect("get_stream").expect("object exists");
    assert_eq!(object.info.size, body.len() as u64);
    assert!(read_all(object.body).await == body, "the stream returns what was written");
    assert!(storage.get_stream("conformance/streamed/missing").await.expect("get_stream").is_none());
    // Ranges, as a resumed download asks for them: from the middle across chunk boundaries, the
    // last byte, and the whole object.
    let len = body.len() as u64;
    for range in [3_000_001..9_000_003, len - 1..len, 0..len] {
        let object =
            storage.get_range_stream(key, range.clone()).await.expect("get_range_stream").expect("exists");
        assert_eq!(object.info.size, len, "the info describes the whole object");
        let read = read_all(object.body).await;
        assert!(read[..] == body[range.start as usize..range.end as usize], "range {range:?} reads back");
    }
    let missing = storage.get_range_stream("conformance/streamed/missing", 0..1).await;
    assert!(missing.expect("get_range_stream").is_none());
    storage.delete(key).await.expect("delete");
}

/// Every chunk of a stream, joined.
async fn read_all(mut stream: crate::storage::ByteStream) -> Vec<u8> {
    let mut read = Vec::new();
    while let Some(chunk) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
        read.extend_from_slice(&chunk.expect("chunk"));
    }
    read
}

/// An aborted chunked write leaves no object behind.
pub async fn aborted_write_leaves_nothing(storage: &dyn Storage) {
    let key = "conformance/streamed/aborted.bin";
    let mut writer = storage.writer(key).await.expect("writer");
    writer.write(Bytes::from(vec![1u8; 6 * 1024 * 1024])).await.expect("write");
    writer.abort().await.expect("abort");
    assert!(storage.head(key).await.unwrap().is_none(), "an aborted write stores nothing");
    assert!(storage.list("conformance/streamed/").await.unwrap().iter().all(|o| o.key != key));
}

/// A chunked write that is neither finished nor aborted (its process was killed: here the
/// writer is leaked, so no destructor runs) never shows in `list` or `get`; whatever it left is
/// listed by `list_unfinished`, under keys other than the object's, and removed by
/// `delete_unfinished`. Finished objects are never listed as unfinished.
pub async fn interrupted_write_stays_out_of_sight(storage: &dyn Storage) {
    let prefix = "conformance/interrupted/";
    let key = "conformance/interrupted/object";
    storage
        .put("conformance/interrupted/done", Bytes::from_static(b"x"), PutMode::Create)
        .await
        .expect("put");
    let mut writer = storage.writer(key).await.expect("writer");
    writer.write(Bytes::from(vec![1u8; 6 * 1024 * 1024])).await.expect("write");
    std::mem::forget(writer);
    assert!(storage.get(key).await.unwrap().is_none(), "an unfinished write stores no object");
    let listed: Vec<String> = storage.list(prefix).await.unwrap().into_iter().map(|o| o.key).collect();
    assert_eq!(listed, ["conformance/interrupted/done"]);
    let left = storage.list_unfinished(prefix).await.expect("list_unfinished");
    for leftover in &left {
        assert!(leftover.key.starts_with(key) && leftover.key != key, "{leftover:?}");
        storage.delete_unfinished(&leftover.key).await.expect("delete_unfinished");
        storage.delete_unfinished(&leftover.key).await.expect("removing it twice is fine");
    }
    assert!(storage.list_unfinished(prefix).await.unwrap().is_empty(), "removed: {left:?}");
    assert!(storage.list_unfinished("conformance/").await.unwrap().is_empty());
}

/// `list` and `head` say when each object was written (the garbage collection's grace period
/// relies on it), close to the system's time.
pub async fn listings_report_ages(storage: &dyn Storage) {
    let key = "conformance/ages/object";
    storage.put(key, Bytes::from_static(b"x"), PutMode::Overwrite).await.expect("put");
    let now = crate::clock::unix_now();
    let listed = storage.list("conformance/ages/").await.unwrap();
    let head = storage.head(key).await.unwrap().expect("exists");
    for info in [&listed[0], &head] {
        let written = info.last_modified.expect("backends report when an object was written");
        assert!(written.abs_diff(now) < 3600, "written at {written}, now {now}");
    }
}

/// Missing objects read as `None`, and deleting one is not an error.
pub async fn missing_objects(storage: &dyn Storage) {
    let key = "conformance/missing/nothing-here";
    assert!(storage.get(key).await.expect("get").is_none());
    assert!(storage.head(key).await.expect("head").is_none());
    storage.delete(key).await.expect("deleting a missing object is fine");
}

/// A create-only write fails on an existing key and leaves the first content in place.
pub async fn create_is_create_only(storage: &dyn Storage) {
    let key = "conformance/create/once";
    storage.put(key, Bytes::from_static(b"first"), PutMode::Create).await.expect("first create");
    let err = storage.put(key, Bytes::from_static(b"second"), PutMode::Create).await.unwrap_err();
    assert!(matches!(err, StorageError::AlreadyExists { .. }), "second create: {err:?}");
    assert_eq!(storage.get(key).await.unwrap().unwrap().body, Bytes::from_static(b"first"));
}

/// `UpdateIfMatch` writes only over the etag it names.
pub async fn update_if_match_is_compare_and_swap(storage: &dyn Storage) {
    let key = "conformance/cas/object";
    let first = storage.put(key, Bytes::from_static(b"v1"), PutMode::Create).await.expect("create");
    let etag1 = first.etag.clone().expect("backends report etags");
    let got = storage.get(key).await.unwrap().unwrap();
    assert_eq!(got.info.etag.as_ref(), Some(&etag1), "get reports the etag put returned");
    let second = storage
        .put(key, Bytes::from_static(b"v2"), PutMode::UpdateIfMatch(etag1.clone()))
        .await
        .expect("update with the current etag");
    assert_ne!(second.etag.as_ref(), Some(&etag1), "a write changes the etag");
    let stale = storage.put(key, Bytes::from_static(b"v3"), PutMode::UpdateIfMatch(etag1)).await.unwrap_err();
    assert!(matches!(stale, StorageError::Precondition { .. }), "stale etag: {stale:?}");
    assert_eq!(storage.get(key).await.unwrap().unwrap().body, Bytes::from_static(b"v2"));
    let missing = storage
        .put("conformance/cas/missing", Bytes::from_static(b"x"), PutMode::UpdateIfMatch("nope".into()))
        .await
        .unwrap_err();
    assert!(matches!(missing, StorageError::Precondition { .. }), "update of a missing object: {missing:?}");
    assert!(storage.get("conformance/cas/missing").await.unwrap().is_none());
}

/// `list` returns exactly the keys under a prefix, in order.
pub async fn list_by_prefix(storage: &dyn Storage) {
    for key in ["conformance/list/b", "conformance/list/a", "conformance/list/sub/c", "conformance/listx"] {
        storage.put(key, Bytes::from_static(b"x"), PutMode::Overwrite).await.expect("put");
    }
    let keys: Vec<String> =
        storage.list("conformance/list/").await.expect("list").into_iter().map(|i| i.key).collect();
    assert_eq!(keys, ["conformance/list/a", "conformance/list/b", "conformance/list/sub/c"]);
}

/// Of many concurrent creates of one key, exactly one succeeds.
pub async fn concurrent_creates_have_one_winner(storage: Arc<dyn Storage>) {
    let tasks: Vec<_> = (0..8u8)
        .map(|i| {
            let storage = storage.clone();
            tokio::spawn(async move {
                storage.put("conformance/race/create", Bytes::from(vec![i; 1024]), PutMode::Create).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.expect("task") {
            Ok(_) => winners.push(i as u8),
            Err(StorageError::AlreadyExists { .. }) => {}
            Err(err) => panic!("unexpected error in a create race: {err:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one create wins: {winners:?}");
    let body = storage.get("conformance/race/create").await.unwrap().unwrap().body;
    assert_eq!(body, Bytes::from(vec![winners[0]; 1024]), "the winner's content is stored whole");
}

/// Concurrent read-modify-write cycles with `UpdateIfMatch` lose no update.
pub async fn concurrent_updates_lose_nothing(storage: Arc<dyn Storage>) {
    let key = "conformance/race/counter";
    storage.put(key, Bytes::from_static(b"0"), PutMode::Create).await.expect("create");
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let storage = storage.clone();
            tokio::spawn(async move {
                for _ in 0..5 {
                    loop {
                        let current = storage.get(key).await.unwrap().unwrap();
                        let n: u32 = std::str::from_utf8(&current.body).unwrap().parse().unwrap();
                        let etag = current.info.etag.expect("etag");
                        match storage
                            .put(key, Bytes::from((n + 1).to_string()), PutMode::UpdateIfMatch(etag))
                            .await
                        {
                            Ok(_) => break,
                            Err(StorageError::Precondition { .. }) => continue,
                            Err(err) => panic!("unexpected error in an update race: {err:?}"),
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let body = storage.get(key).await.unwrap().unwrap().body;
    assert_eq!(&body[..], b"30", "every increment landed");
}

/// The registry's own use of the primitives: concurrent publishes of different versions all
/// land in the index, and of one version exactly one lands.
pub async fn concurrent_publishes_lose_no_version(storage: Arc<dyn Storage>) {
    let addr = ModuleAddress::parse("conformance", "race", "aws").unwrap();
    let entry = |v: &str, sha: &str| ModuleVersion {
        version: Version::parse(v).unwrap(),
        sha256: sha.into(),
        size: 1,
        published_at: "2026-01-01T00:00:00Z".into(),
        published_by: "conformance".into(),
        pinned: false,
        description: None,
        source: None,
        deprecation: None,
        yanked: None,
        location: None,
        imported_from: None,
    };
    let mut tasks = Vec::new();
    for i in 0..6 {
        let storage = storage.clone();
        let (addr, e) = (addr.clone(), entry(&format!("1.{i}.0"), "a"));
        tasks.push(tokio::spawn(async move { index::add_version(storage.as_ref(), &addr, e).await }));
    }
    for i in 0..4 {
        let storage = storage.clone();
        let (addr, e) = (addr.clone(), entry("9.9.9", &format!("same-version-{i}")));
        tasks.push(tokio::spawn(async move { index::add_version(storage.as_ref(), &addr, e).await }));
    }
    let mut conflicts = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => {}
            Err(err) if err.status() == http::StatusCode::CONFLICT => conflicts += 1,
            Err(err) => panic!("unexpected publish error: {err:?}"),
        }
    }
    assert_eq!(conflicts, 3, "three of four publishes of one version conflict");
    let (index, _) = index::load(storage.as_ref(), &addr).await.unwrap().expect("index");
    let versions: Vec<String> = index.versions.iter().map(|v| v.version.to_string()).collect();
    assert_eq!(versions, ["9.9.9", "1.5.0", "1.4.0", "1.3.0", "1.2.0", "1.1.0", "1.0.0"]);
}

/// The garbage collection over this backend ([`crate::maintenance`]), with no grace period: an
/// archive no index names is removed, the one the index names stays and checks out (its content
/// read back as a stream), and with the default grace period nothing fresh is touched.
pub async fn garbage_collection_keeps_what_is_referenced(storage: Arc<dyn Storage>) {
    use crate::maintenance::{CheckOptions, Maintenance, DEFAULT_GRACE};
    use sha2::Digest;

    let addr = ModuleAddress::parse("conformance", "gc", "aws").unwrap();
    let version = Version::parse("1.0.0").unwrap();
    let body = Bytes::from((0..300_000u32).map(|i| (i % 253) as u8).collect::<Vec<_>>());
    let sha256 = hex::encode(sha2::Sha256::digest(&body));
    let archive = crate::storage::layout::module_archive(&addr, &version, &sha256);
    storage.put(&archive, body.clone(), PutMode::Create).await.expect("put the archive");
    let entry = ModuleVersion {
        version: version.clone(),
        sha256,
        size: body.len() as u64,
        published_at: "2026-01-01T00:00:00Z".into(),
        published_by: "conformance".into(),
        pinned: false,
        description: None,
        source: None,
        deprecation: None,
        yanked: None,
        location: None,
        imported_from: None,
    };
    index::add_version(storage.as_ref(), &addr, entry).await.expect("commit the version");
    let orphan =
        crate::storage::layout::module_archive(&addr, &Version::parse("2.0.0").unwrap(), &"0".repeat(64));
    storage
        .put(&orphan, Bytes::from_static(b"never indexed"), PutMode::Create)
        .await
        .expect("put the orphan");

    let maintenance = Maintenance::new(storage.clone(), crate::clock::system());
    let fresh = maintenance.collect_garbage(DEFAULT_GRACE).await.expect("collect");
    assert!(fresh.removed.iter().all(|g| g.key != orphan), "a fresh orphan stays: {fresh:?}");
    let report = maintenance.collect_garbage(std::time::Duration::ZERO).await.expect("collect");
    assert!(report.removed.iter().any(|g| g.key == orphan), "{report:?}");
    assert!(report.removed.iter().all(|g| g.key != archive), "{report:?}");
    assert!(report.lost.is_empty());
    assert!(storage.head(&orphan).await.unwrap().is_none(), "the orphan is gone");
    assert!(storage.head(&archive).await.unwrap().is_some(), "the indexed archive stays");
    let check = maintenance.check(&CheckOptions::default()).await.expect("check");
    let here = |key: &str| key.starts_with("modules/conformance/gc/");
    let damage: Vec<_> = check.damaged.iter().filter(|d| here(d.key())).collect();
    assert!(damage.is_empty(), "{damage:?}");
    assert!(check.garbage.iter().all(|g| !here(&g.key)), "{:?}", check.garbage);
}
