//! Fuzzes module archive normalisation (`.tar.gz`, gzip, `.zip`, anything else).
//!
//! Run with `fuzz/run.sh 60 module_archive`, or `cargo +nightly fuzz run module_archive
//! fuzz/corpus/module_archive` from the repository root. The invariants live in
//! `tfreg_core::fuzzing::check_module_archive`, which `registry-core/tests/fuzz_corpora.rs` replays
//! over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_module_archive;

fuzz_target!(|data: &[u8]| {
    check_module_archive(data);
});
