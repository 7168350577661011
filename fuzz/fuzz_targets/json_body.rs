//! Fuzzes every JSON document the registry reads (first byte: which one).
//!
//! Run with `fuzz/run.sh 60 json_body`, or `cargo +nightly fuzz run json_body
//! fuzz/corpus/json_body` from the repository root. The invariants live in
//! `tfreg_core::fuzzing::check_json_body`, which `registry-core/tests/fuzz_corpora.rs` replays over
//! the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_json_body;

fuzz_target!(|data: &[u8]| {
    check_json_body(data);
});
