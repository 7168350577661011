//! Fuzzes the provider package check (first byte: platform and read size; rest: the zip).
//!
//! Run with `fuzz/run.sh 60 provider_package`, or `cargo +nightly fuzz run provider_package
//! fuzz/corpus/provider_package` from the repository root. The invariants live in
//! `tfreg_core::fuzzing::check_provider_package`, which `registry-core/tests/fuzz_corpora.rs`
//! replays over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_provider_package;

fuzz_target!(|data: &[u8]| {
    check_provider_package(data);
});
