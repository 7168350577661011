//! Replays the version/constraint fuzz seeds through the fuzz target's invariant checks
//! (`tfreg_core::fuzzing::check_version_constraint`), so they run on every `cargo test`:
//!
//! * `fuzz/corpus/version_constraint.txt`: one case per line, `VERSION<TAB>CONSTRAINT`; blank
//!   lines and lines starting with `#` are skipped;
//! * every file in `fuzz/corpus/version_constraint/`: raw bytes split at the first NUL or newline
//!   into version and constraint (the constraint is empty if there is neither), each decoded
//!   with `String::from_utf8_lossy`.

use std::fs;
use std::path::{Path, PathBuf};

use tfreg_core::fuzzing::check_version_constraint;
use tfreg_core::types::constraint::Constraints;
use tfreg_core::types::version::Version;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

#[test]
fn human_readable_seed_list() {
    let path = fuzz_dir().join("version_constraint.txt");
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the seed list {}: {e}", path.display()));
    let mut cases = 0;
    let (mut versions_ok, mut constraints_ok, mut matched) = (0, 0, 0);
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (version, constraint) = line.split_once('\t').unwrap_or_else(|| {
            panic!("{}:{}: expected VERSION<TAB>CONSTRAINT, got {line:?}", path.display(), index + 1)
        });
        check_version_constraint(version, constraint);
        cases += 1;
        let v = Version::parse(version).ok();
        let c = Constraints::parse(constraint).ok();
        versions_ok += usize::from(v.is_some());
        constraints_ok += usize::from(c.is_some());
        if let (Some(v), Some(c)) = (v, c) {
            matched += usize::from(c.matches(&v));
        }
    }
    // The list must keep exercising the valid, invalid, matching and non-matching paths.
    assert!(cases >= 20, "only {cases} seed cases in {}", path.display());
    assert!(versions_ok > 0 && versions_ok < cases, "valid and invalid versions are needed");
    assert!(constraints_ok > 0 && constraints_ok < cases, "valid and invalid constraints needed");
    assert!(matched > 0 && matched < versions_ok.min(constraints_ok), "both outcomes needed");
}

#[test]
fn binary_corpus_files() {
    let dir = fuzz_dir().join("version_constraint");
    let entries = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the corpus directory {}: {e}", dir.display()));
    let mut files = 0;
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if !path.is_file() {
            continue;
        }
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (version, constraint) = match bytes.iter().position(|&b| b == 0 || b == b'\n') {
            Some(at) => (&bytes[..at], &bytes[at + 1..]),
            None => (&bytes[..], &[][..]),
        };
        let (version, constraint) = (String::from_utf8_lossy(version), String::from_utf8_lossy(constraint));
        check_version_constraint(&version, &constraint);
        files += 1;
    }
    assert!(files > 0, "no corpus files in {}", dir.display());
}
