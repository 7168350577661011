//! End to end, `tfreg fsck`: a store with an archive deleted, an archive no index names (a
//! publish killed before its index), and what a `tfreg serve` killed with `SIGKILL` in the middle
//! of a streamed upload left (`uploads/{id}/object#1`). fsck reports the damage and the garbage
//! and exits 1; `--repair` removes the garbage, not the damage; a whole store exits 0.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{open, tar_gz, Server, MASTER};

/// Runs `tfreg fsck` on the file store at `store` with `args`: the exit code and what it printed.
fn fsck(store: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tfreg"))
        .arg("fsck")
        .arg("--storage")
        .arg(format!("file://{}", store.display()))
        .args(args)
        .env("TFREG_LOG", "warn")
        .env_remove("TFREG_STORAGE")
        .env_remove("TFREG_ORPHAN_GRACE")
        .output()
        .expect("run tfreg fsck");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (out.status.code().expect("an exit code"), format!("{stdout}{stderr}"))
}

/// The JSON report of `tfreg fsck --output json` with `args`, and its exit code.
fn fsck_json(store: &Path, args: &[&str]) -> (i32, Value) {
    let (code, out) = fsck(store, &[args, &["--output", "json"]].concat());
    (code, serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")))
}

/// The only archive (`.tar.gz`) in `dir`, beside which lies its documentation.
fn only_archive(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

/// A request body that sends `left` bytes, then hangs until the connection dies.
struct Hanging {
    left: usize,
    hang: std::sync::mpsc::Receiver<()>,
}

impl Read for Hanging {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            let _ = self.hang.recv();
            return Err(std::io::Error::other("the test ended the upload"));
        }
        let n = buf.len().min(self.left);
        buf[..n].fill(7);
        self.left -= n;
        Ok(n)
    }
}

/// Polls `check` every 50 ms until it holds, for at most 30 s.
fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn fsck_reports_damage_and_garbage_and_repair_removes_the_garbage() {
    // Sessions expire after a second, so the crashed upload's folder is soon a leftover.
    let mut server = Server::start(&["--upload-ttl-secs", "1"]);
    let store = server.data.path().join("store");
    for (version, text) in [("1.0.0", "# one"), ("1.1.0", "# two")] {
        let published = server.publish("acme/net/aws", version, tar_gz("", &[("main.tf", text)]), MASTER);
        assert_eq!(published.status(), 201);
    }
    let (code, out) = fsck(&store, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 index, 2 referenced objects, 2 intact"), "{out}");

    // kill -9 in the middle of a streamed upload.
    let session = open(&server, MASTER);
    let id = session["id"].as_str().unwrap().to_owned();
    let url = session["upload_url"].as_str().unwrap().to_owned();
    let (stop, hang) = std::sync::mpsc::channel();
    let client = server.client();
    let uploading = std::thread::spawn(move || {
        let body = reqwest::blocking::Body::new(Hanging { left: 12 << 20, hang });
        let _ = client.put(url).body(body).send();
    });
    let staged = store.join(format!("uploads/{id}/object#1"));
    wait_for("the upload's staging file to fill", || {
        std::fs::metadata(&staged).is_ok_and(|m| m.len() >= 10 << 20)
    });
    server.crash();
    drop(stop);
    uploading.join().unwrap();
    assert!(staged.is_file(), "the crash left the staging file");

    // An archive deleted by hand, and one no index names.
    let archive = only_archive(&store.join("modules/acme/net/aws/1.0.0"));
    let saved = std::fs::read(&archive).unwrap();
    std::fs::remove_file(&archive).unwrap();
    let orphan = store.join(format!("modules/acme/net/aws/2.0.0/{}.tar.gz", "e".repeat(64)));
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"a publish killed before its index").unwrap();

    let key = |path: &Path| path.strip_prefix(&store).unwrap().to_string_lossy().into_owned();
    let (code, report) = fsck_json(&store, &["--grace", "0s"]);
    assert_eq!(code, 1, "{report:#}");
    let damaged = report["check"]["damaged"].as_array().unwrap();
    assert_eq!(damaged.len(), 1, "{report:#}");
    assert_eq!(damaged[0]["problem"], "missing");
    assert_eq!(damaged[0]["key"], key(&archive));
    assert_eq!(damaged[0]["index"], "modules/acme/net/aws/index.json");
    assert_eq!(damaged[0]["entry"], "1.0.0");
    // The session expires a second after it opened; until then its files are not garbage.
    let upload_garbage = |report: &Value| -> Vec<(String, String)> {
        let garbage = report["check"]["garbage"].as_array().unwrap();
        let mut found: Vec<(String, String)> = garbage
            .iter()
            .map(|g| (g["kind"].as_str().unwrap().to_owned(), g["key"].as_str().unwrap().to_owned()))
            .collect();
        found.sort();
        found
    };
    let mut report = report;
    wait_for("the session to expire", || {
        report = fsck_json(&store, &["--grace", "0s"]).1;
        upload_garbage(&report).len() == 3
    });
    assert_eq!(
        upload_garbage(&report),
        [
            ("orphan".to_owned(), key(&orphan)),
            ("upload".to_owned(), format!("uploads/{id}/object#1")),
            ("upload".to_owned(), format!("uploads/{id}/session.json")),
        ]
    );
    assert_eq!(report["problems_left"], 4, "{report:#}");
    assert!(report["check"]["garbage"].as_array().unwrap().iter().all(|g| g["collectable"] == true));
    let staged_size = report["check"]["garbage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == format!("uploads/{id}/object#1"))
        .unwrap()["size"]
        .as_u64()
        .unwrap();
    assert!(staged_size >= 10 << 20, "{staged_size}");

    // With the default grace period the fresh garbage is listed and kept; the damage counts.
    let (code, out) = fsck(&store, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("missing") && out.contains(&key(&archive)), "{out}");
    assert!(out.contains("kept: younger than the grace period"), "{out}");
    assert!(out.contains("1 problem(s)"), "{out}");

    // --repair removes the garbage, says so, and leaves the damage (which it cannot mend).
    let (code, out) = fsck(&store, &["--repair", "--grace", "0s"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("repair: removed 3"), "{out}");
    assert!(out.contains(&key(&orphan)) && out.contains(&format!("uploads/{id}/object#1")), "{out}");
    assert!(!orphan.exists() && !staged.exists());
    assert!(!store.join("uploads").exists(), "emptied folders go too");
    assert!(!store.join("modules/acme/net/aws/2.0.0").exists());
    let (code, report) = fsck_json(&store, &["--grace", "0s"]);
    assert_eq!(code, 1);
    assert_eq!(report["check"]["garbage"], serde_json::json!([]));
    assert_eq!(report["problems_left"], 1);

    // Whole again: exit 0, and a repair of a clean store removes nothing.
    std::fs::write(&archive, saved).unwrap();
    let (code, out) = fsck(&store, &["--repair"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("repair: removed nothing") && out.contains("clean"), "{out}");
}

#[test]
fn fsck_of_a_missing_store_or_an_unreadable_index_is_not_clean() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = fsck(&dir.path().join("absent"), &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("there is no store at"), "{out}");
    assert!(!dir.path().join("absent").exists(), "fsck creates nothing");

    let index = dir.path().join("modules/acme/net/aws/index.json");
    std::fs::create_dir_all(index.parent().unwrap()).unwrap();
    std::fs::write(&index, b"{\"namespace\": ").unwrap();
    let (code, report) = fsck_json(dir.path(), &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["check"]["damaged"][0]["problem"], "unreadable");
    assert_eq!(report["check"]["damaged"][0]["key"], "modules/acme/net/aws/index.json");
}
