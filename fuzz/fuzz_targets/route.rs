//! Fuzzes the router with arbitrary methods and paths.
//!
//! Run with `cargo +nightly fuzz run route fuzz/corpus/route` from the repository root. The
//! invariants live in `tfreg_core::fuzzing::check_route`, which
//! `registry-core/tests/fuzz_corpus_routes.rs` replays over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::{check_route, fuzz_method};

fuzz_target!(|data: &[u8]| {
    // First byte picks the method; the rest is the path, as the replay test reads seed files.
    let Some((selector, rest)) = data.split_first() else { return };
    check_route(&fuzz_method(*selector), &String::from_utf8_lossy(rest));
});
