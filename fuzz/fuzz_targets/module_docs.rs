//! Fuzzes reading a module's documentation from its HCL, `.tf.json` and README files.
//!
//! Run with `fuzz/run.sh 60 module_docs`, or `cargo +nightly fuzz run module_docs
//! fuzz/corpus/module_docs` from the repository root. The invariants live in
//! `tfreg_core::fuzzing::check_module_docs`, which `registry-core/tests/fuzz_corpora.rs` replays
//! over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_module_docs;

fuzz_target!(|data: &[u8]| {
    check_module_docs(data);
});
