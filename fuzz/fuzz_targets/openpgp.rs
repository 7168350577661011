//! Fuzzes armored public and secret keys and detached signatures.
//!
//! Run with `fuzz/run.sh 60 openpgp`, or `cargo +nightly fuzz run openpgp fuzz/corpus/openpgp` from
//! the repository root. The invariants live in `tfreg_core::fuzzing::check_openpgp`, which
//! `registry-core/tests/fuzz_corpora.rs` replays over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_openpgp;

fuzz_target!(|data: &[u8]| {
    check_openpgp(data);
});
