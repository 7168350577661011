//! OpenPGP keys and detached signatures for provider packages.
//!
//! Terraform verifies a provider package against a `SHA256SUMS` file, a **binary** detached
//! OpenPGP signature over that file, and the signer's ASCII-armored public key with its key ID,
//! all served by the registry. This module makes and checks those artifacts in pure Rust (rPGP):
//!
//! - [`SigningKey`]: a secret RSA key the registry signs with — [generated](SigningKey::generate)
//!   or [brought by a team](SigningKey::from_armored), stored [armored](SigningKey::to_armored);
//!   [`SigningKey::sign_detached`] makes the binary signature.
//! - [`PublicKey`]: the key Terraform checks with; [`PublicKey::verify_detached`] checks a binary
//!   or armored signature (ours, or one made by gpg for a goreleaser-style release) the way
//!   Terraform will.
//! - [`PgpError`]: what went wrong, in words a person can act on.
//!
//! Terraform 1.5 and older use golang.org/x/crypto/openpgp, which accepts only version 4 RSA,
//! DSA and ECDSA (NIST curves) keys — no Ed25519 — with a self-signed User ID whose Key Flags
//! allow signing, and signatures with an Issuer key ID subpacket. Keys are checked against those
//! rules when loaded, so a key that loads is a key Terraform can use.
//!
//! ```no_run
//! # fn main() -> Result<(), tfreg_core::pgp::PgpError> {
//! use tfreg_core::pgp::{PublicKey, SigningKey};
//!
//! let key = SigningKey::generate("tfreg registry <registry@localhost>", 3072)?;
//! let sums = b"0123abcd...  terraform-provider-demo_1.0.0_linux_amd64.zip\n";
//! let signature = key.sign_detached(sums)?; // serve as SHA256SUMS.sig
//! let public = PublicKey::from_armored(&key.public_key()?.to_armored()?)?;
//! public.verify_detached(sums, &signature)?;
//! assert_eq!(public.key_id(), key.key_id()); // 16 upper-case hex digits
//! # Ok(())
//! # }
//! ```

mod armor;
mod compat;
mod error;
mod key;
mod sign;
mod verify;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_gpg;

pub use error::PgpError;
pub use key::{PublicKey, SigningKey};

/// A key ID as Terraform prints it: 16 upper-case hex digits.
fn key_id_hex(key_id: &pgp::types::KeyId) -> String {
    hex::encode_upper(key_id.as_ref())
}

/// The current time in seconds since the Unix epoch (0 if the clock is before it).
fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
