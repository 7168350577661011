//! Replays the seed corpora of the fuzz targets that take raw bytes (`fuzz/corpus/{target}/`,
//! written by `fuzz/gen_seed_corpus.py`) through the very checks the targets run
//! (`tfreg_core::fuzzing::check_*`), and asserts that each corpus reaches both what is accepted
//! and what is refused.

use tfreg_core::fuzzing::*;
use tfreg_testkit::corpus::{replay, seeds};

#[test]
fn module_archive_corpus() {
    let accepted = replay("module_archive", 20, |bytes| check_module_archive(bytes).is_accepted());
    for kind in ["tar-gz", "zip"] {
        assert!(accepted.iter().any(|name| name.starts_with(kind)), "no {kind} seed is accepted");
    }
}

#[test]
fn zip_directory_corpus() {
    replay("zip_directory", 20, |bytes| check_zip_directory(bytes).is_accepted());
}

#[test]
fn provider_package_corpus() {
    replay("provider_package", 20, |bytes| check_provider_package(bytes).is_accepted());
}

#[test]
fn provider_docs_corpus() {
    replay("provider_docs", 10, |bytes| check_provider_docs(bytes).is_accepted());
}

#[test]
fn module_docs_corpus() {
    replay("module_docs", 10, |bytes| check_module_docs(bytes).is_accepted());
}

#[test]
fn shasums_corpus() {
    replay("shasums", 15, |bytes| check_shasums(bytes).is_accepted());
}

#[test]
fn openpgp_corpus() {
    replay("openpgp", 10, |bytes| check_openpgp(bytes).is_accepted());
}

#[test]
fn signed_url_corpus() {
    replay("signed_url", 10, |bytes| check_signed_url(bytes).is_accepted());
}

#[test]
fn json_body_corpus() {
    replay("json_body", 20, |bytes| check_json_body(bytes).is_accepted());
    // Every kind of document has an accepted seed.
    let kinds = JSON_BODY_KINDS.len();
    for (kind, name) in JSON_BODY_KINDS.iter().enumerate() {
        let covered = seeds("json_body").iter().any(|(_, bytes)| {
            bytes.first().is_some_and(|&b| usize::from(b) % kinds == kind)
                && check_json_body(bytes).is_accepted()
        });
        assert!(covered, "no accepted seed for {name}");
    }
}

#[test]
fn query_context_corpus() {
    replay("query_context", 15, |bytes| check_query_context(bytes).is_accepted());
}

#[test]
fn module_location_seed_list() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/module_location.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines = text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#'));
    let verdicts: Vec<Verdict> = lines.map(check_module_location).collect();
    assert!(verdicts.len() >= 30, "only {} seeds", verdicts.len());
    assert!(verdicts.iter().any(|v| v.is_accepted()) && verdicts.iter().any(|v| !v.is_accepted()));
}

#[test]
fn webhook_corpus() {
    replay("webhook", 20, |bytes| check_webhook(bytes).is_accepted());
    // Every host and event has an accepted seed.
    for (at, (host, event)) in WEBHOOK_EVENTS.iter().enumerate() {
        let covered = seeds("webhook").iter().any(|(_, bytes)| {
            bytes.first().is_some_and(|&b| usize::from(b) % WEBHOOK_EVENTS.len() == at)
                && check_webhook(bytes).is_accepted()
        });
        assert!(covered, "no accepted seed for {host} {event}");
    }
}

#[test]
fn identity_corpus() {
    let accepted = replay("identity", 30, |bytes| check_identity(bytes).is_accepted());
    for kind in ["exchange-token", "exchange-aws", "sts", "payload"] {
        assert!(accepted.iter().any(|name| name.starts_with(kind)), "no {kind} seed is accepted");
    }
}
