//! Fuzzes the external locations of module versions.
//!
//! Run with `cargo +nightly fuzz run module_location` from `fuzz/`. The invariants live in
//! `tfreg_core::fuzzing::check_module_location`, so `registry-core/tests/fuzz_corpora.rs`
//! replays the committed seeds (`fuzz/corpus/module_location.txt`) through the same checks.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_module_location;

fuzz_target!(|raw: &str| {
    check_module_location(raw);
});
