//! Fuzzes what a caller of `POST /v1/auth/exchange` controls: exchange bodies (OIDC tokens, AWS
//! callers' signed requests), AWS STS answers, and the payloads of tokens read before they are
//! verified.
//!
//! Run with `cargo +nightly fuzz run identity` from `fuzz/`. The invariants live in
//! `tfreg_core::fuzzing::check_identity`, so `registry-core/tests/fuzz_corpora.rs` replays the
//! committed seeds (`fuzz/corpus/identity/`) through the same checks.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_core::fuzzing::check_identity;

fuzz_target!(|input: &[u8]| {
    check_identity(input);
});
