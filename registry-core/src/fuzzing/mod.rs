//! The invariants the fuzz targets in `fuzz/` check, shared with the tests that replay their
//! seed corpora on every `cargo test`. Built with the `fuzzing` feature (and for this crate's
//! own tests); not part of the registry's API.
//!
//! Each `check_*` function takes one fuzz input as the target receives it and panics when an
//! invariant fails; the fuzz target calls it and nothing else, and the replay test calls it on
//! every committed seed. It returns a [`Verdict`], so a replay test can tell that the seeds reach
//! both what is accepted and what is refused. `fuzz/README.md` describes each target's input.

mod identity;
mod json_body;
mod module_archive;
mod module_docs;
mod module_location;
mod openpgp;
mod provider_docs;
mod provider_package;
mod query_context;
mod route;
mod shasums;
mod signed_url;
mod webhook;
mod zip_directory;

pub use identity::{check_identity, IDENTITY_INPUTS};
pub use json_body::{check_json_body, JSON_BODY_KINDS};
pub use module_archive::{check_module_archive, fuzz_archive_limits};
pub use module_docs::check_module_docs;
pub use module_location::check_module_location;
pub use openpgp::check_openpgp;
pub use provider_docs::check_provider_docs;
pub use provider_package::check_provider_package;
pub use query_context::{check_query, check_query_context, check_request_context};
pub use route::{check_route, fuzz_method};
pub use shasums::check_shasums;
pub use signed_url::check_signed_url;
pub use webhook::{check_webhook, WEBHOOK_EVENTS};
pub use zip_directory::check_zip_directory;

pub use crate::types::constraint::oracle::check_version_constraint;

/// What the code under test made of one fuzz input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The input was accepted (parsed, verified, normalised).
    Accepted,
    /// The input was refused, with an error of the expected kind.
    Refused,
}

impl Verdict {
    /// [`Verdict::Accepted`] for `Ok`, [`Verdict::Refused`] for `Err`.
    pub fn of<T, E>(result: &Result<T, E>) -> Verdict {
        if result.is_ok() {
            Verdict::Accepted
        } else {
            Verdict::Refused
        }
    }

    /// Whether the input was accepted.
    pub fn is_accepted(self) -> bool {
        self == Verdict::Accepted
    }
}

/// Asserts that an error meant for a person says something.
fn assert_explained(error: &impl std::fmt::Display) {
    assert!(!error.to_string().trim().is_empty(), "an error without a message");
}
