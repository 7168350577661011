//! Fuzzes the zip end records and central directory reader, and the provider package's zip entry reader.
//!
//! Run with `fuzz/run.sh 60 zip_directory`, or `cargo +nightly fuzz run zip_directory
//! fuzz/corpus/zip_directory` from the repository root. The invariants live in
//! `tfreg_core::fuzzing::check_zip_directory`, which `registry-core/tests/fuzz_corpora.rs` replays
//! over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_zip_directory;

fuzz_target!(|data: &[u8]| {
    check_zip_directory(data);
});
