//! # tfreg-testkit
//!
//! What tfreg's own tests share, so no test file builds its own: a registry over the in-memory
//! store with a master token, a fixed link-signing key and a [`ManualClock`]
//! ([`TestRegistry`]); calls that read the answer's body whole ([`send`]); the archives and
//! provider packages tests publish ([`archives`]); a store that fails writes on purpose
//! ([`FaultyStorage`]); a store that dates writes by the test's clock ([`ClockedStore`]); the
//! fixture signing keys; and the replay of the fuzz targets' seed corpora ([`corpus`]).
//!
//! A dev-dependency only; never published.

pub mod archives;
mod clocked;
pub mod corpus;
mod faulty;
mod harness;

pub use archives::{provider_zip, tar_gz, tar_gz_under, temp_file, tiny_module, zip};
pub use clocked::ClockedStore;
pub use faulty::FaultyStorage;
pub use harness::{collect, error_message, json, send, TestRegistry, TestRegistryBuilder};

/// An armored OpenPGP secret key (RSA 3072) for signing providers in tests.
pub const SIGNING_KEY: &str = include_str!("../../registry-core/src/pgp/testdata/signing-key.asc");

/// A second, unrelated secret key.
pub const OTHER_SIGNING_KEY: &str =
    include_str!("../../registry-core/src/pgp/testdata/other-signing-key.asc");

pub use tfreg_core::clock::ManualClock;
