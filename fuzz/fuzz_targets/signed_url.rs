//! Fuzzes signed download and upload links (mask, expiry and time bytes, then path and query).
//!
//! Run with `fuzz/run.sh 60 signed_url`, or `cargo +nightly fuzz run signed_url
//! fuzz/corpus/signed_url` from the repository root. The invariants live in
//! `tfreg_core::fuzzing::check_signed_url`, which `registry-core/tests/fuzz_corpora.rs` replays
//! over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_signed_url;

fuzz_target!(|data: &[u8]| {
    check_signed_url(data);
});
