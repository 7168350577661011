//! Fuzzes the Lambda adapter's conversion of event JSON into the core's request.
//!
//! Run with `fuzz/run.sh 60 lambda_event`, or `cargo +nightly fuzz run lambda_event
//! fuzz/corpus/lambda_event` from the repository root. The invariants live in
//! `tfreg_lambda::fuzzing::check_lambda_event`, which the tests in `adapter-lambda/src/fuzzing.rs`
//! replay over the committed seeds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tfreg_lambda::fuzzing::check_lambda_event;

fuzz_target!(|data: &[u8]| {
    check_lambda_event(data);
});
