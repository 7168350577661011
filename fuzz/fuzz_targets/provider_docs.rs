//! Fuzzes reading a provider's documentation bundle (the tfplugindocs `docs/` folder as a
//! `.zip` or `.tar.gz`).
//!
//! Run with `fuzz/run.sh 60 provider_docs`. The invariants live in
//! `tfreg_core::fuzzing::check_provider_docs`, which `registry-core/tests/fuzz_corpora.rs`
//! replays over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_provider_docs;

fuzz_target!(|data: &[u8]| {
    check_provider_docs(data);
});
