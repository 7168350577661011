//! Replaying the fuzz targets' committed seed corpora (`fuzz/corpus/{target}/`) through their
//! checks, so every `cargo test` runs them on the stable toolchain.

use std::fs;
use std::path::PathBuf;

/// The seed corpus of a fuzz target: `fuzz/corpus/{target}/` in the repository.
pub fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target)
}

/// The seeds of `target`, by file name, sorted by name.
pub fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut seeds: Vec<(String, Vec<u8>)> = entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.is_file())
        .map(|path| {
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.file_name().expect("a file name").to_string_lossy().into_owned(), bytes)
        })
        .collect();
    seeds.sort();
    seeds
}

/// Runs every seed of `target` through `check` (which panics when an invariant fails and
/// returns whether the input was accepted), and asserts that there are at least `min_seeds`,
/// that they reach both outcomes, and that each has the outcome its name announces: seeds whose
/// name ends in `-ok` are accepted, all others refused. Returns the names of the accepted seeds.
pub fn replay(target: &str, min_seeds: usize, mut check: impl FnMut(&[u8]) -> bool) -> Vec<String> {
    let seeds = seeds(target);
    let mut accepted = Vec::new();
    let mut surprises = Vec::new();
    for (name, bytes) in &seeds {
        // A failed check panics; say which seed it was.
        eprintln!("{target}: {name}");
        let ok = check(bytes);
        if ok != name.ends_with("-ok") {
            surprises.push(format!("{name} was {}", if ok { "accepted" } else { "refused" }));
        }
        if ok {
            accepted.push(name.clone());
        }
    }
    assert!(surprises.is_empty(), "{target}: seeds with another outcome than named: {surprises:#?}");
    assert!(seeds.len() >= min_seeds, "{target}: only {} seeds, expected {min_seeds}", seeds.len());
    assert!(!accepted.is_empty(), "{target}: no seed is accepted");
    assert!(accepted.len() < seeds.len(), "{target}: every seed is accepted");
    accepted
}
