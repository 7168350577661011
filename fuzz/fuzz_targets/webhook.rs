//! Fuzzes webhook deliveries: GitHub's, GitLab's and Bitbucket's payloads and signatures.
//!
//! Run with `cargo +nightly fuzz run webhook` from `fuzz/`. The invariants live in
//! `tfreg_core::fuzzing::check_webhook`, so `registry-core/tests/fuzz_corpora.rs` replays the
//! committed seeds (`fuzz/corpus/webhook/`) through the same checks.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_webhook;

fuzz_target!(|input: &[u8]| {
    check_webhook(input);
});
