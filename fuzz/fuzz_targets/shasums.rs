//! Fuzzes `SHA256SUMS` parsing and rendering, and the check of the files a team's own lists.
//!
//! Run with `fuzz/run.sh 60 shasums`, or `cargo +nightly fuzz run shasums fuzz/corpus/shasums` from
//! the repository root. The invariants live in `tfreg_core::fuzzing::check_shasums`, which
//! `registry-core/tests/fuzz_corpora.rs` replays over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_shasums;

fuzz_target!(|data: &[u8]| {
    check_shasums(data);
});
