//! Fuzzes query strings and the request context (`Host`, `X-Forwarded-Proto`, target).
//!
//! Run with `fuzz/run.sh 60 query_context`, or `cargo +nightly fuzz run query_context
//! fuzz/corpus/query_context` from the repository root. The invariants live in
//! `tfreg_core::fuzzing::check_query_context`, which `registry-core/tests/fuzz_corpora.rs` replays
//! over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_query_context;

fuzz_target!(|data: &[u8]| {
    check_query_context(data);
});
