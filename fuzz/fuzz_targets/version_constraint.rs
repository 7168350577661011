//! Fuzzes version and constraint parsing and matching.
//!
//! Run with `cargo +nightly fuzz run version_constraint fuzz/corpus/version_constraint` from
//! the repository root. The invariants live in `tfreg_core::fuzzing::check_version_constraint`
//! so that `registry-core/tests/fuzz_corpus_versions.rs` replays the committed seeds through
//! the very same checks on every `cargo test`.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_version_constraint;
use tfreg_core::types::constraint::Constraints;
use tfreg_core::types::version::Version;

/// One fuzz case: a version string and a constraint string.
#[derive(Arbitrary, Debug)]
struct Input {
    version: String,
    constraint: String,
}

fuzz_target!(|input: Input| {
    // Parsing must never panic, whatever the input...
    let version = Version::parse(&input.version);
    let constraints = Constraints::parse(&input.constraint);
    if let (Ok(version), Ok(constraints)) = (&version, &constraints) {
        let _ = constraints.matches(version);
    }
    // ...and every invariant must hold: Display round trips, ordering, matching rules.
    check_version_constraint(&input.version, &input.constraint);
});
