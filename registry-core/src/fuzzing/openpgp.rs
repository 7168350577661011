//! The `openpgp` target: armored public and secret keys, and detached signatures.

use std::sync::OnceLock;

use super::{assert_explained, Verdict};
use crate::pgp::{PgpError, PublicKey, SigningKey};

/// The data the fixture signatures sign.
const SIGNED: &[u8] = include_bytes!("../pgp/testdata/SHA256SUMS");

/// The keys signatures are checked against: a provider author's gpg key (which made the fixture
/// signatures) and the registry's test key.
fn keys() -> &'static [PublicKey; 2] {
    static KEYS: OnceLock<[PublicKey; 2]> = OnceLock::new();
    KEYS.get_or_init(|| {
        let author = PublicKey::from_armored(include_str!("../pgp/testdata/gpg-rsa-public.asc"));
        let registry = SigningKey::from_armored(include_str!("../pgp/testdata/signing-key.asc"));
        [
            author.expect("the author's key"),
            registry.and_then(|k| k.public_key()).expect("the registry's key"),
        ]
    })
}

/// Checks `input` as each thing the registry reads in OpenPGP:
///
/// - as an armored public key ([`PublicKey::from_armored`]): an accepted key armors to text that
///   loads as the same key and armors the same again;
/// - as an armored secret key ([`SigningKey::from_armored`]): an accepted key's public key has
///   its key ID, and its armor loads as a key with the same ID;
/// - as a detached signature (binary or armored) over the fixture `SHA256SUMS`, against the
///   fixture keys ([`PublicKey::verify_detached`]): a signature that verifies does not verify
///   over the same data with its last byte changed.
///
/// None panics, and every refusal has a message. Accepted when any of them accepts.
pub fn check_openpgp(input: &[u8]) -> Verdict {
    let mut verdicts = Vec::with_capacity(4);
    if let Ok(text) = std::str::from_utf8(input) {
        verdicts.push(outcome(PublicKey::from_armored(text).map(check_public_key)));
        verdicts.push(outcome(SigningKey::from_armored(text).map(check_secret_key)));
    }
    for key in keys() {
        verdicts.push(outcome(key.verify_detached(SIGNED, input).map(|()| check_not_forgeable(key, input))));
    }
    if verdicts.contains(&Verdict::Accepted) {
        Verdict::Accepted
    } else {
        Verdict::Refused
    }
}

fn outcome(result: Result<(), PgpError>) -> Verdict {
    if let Err(err) = &result {
        assert_explained(err);
    }
    Verdict::of(&result)
}

fn check_public_key(key: PublicKey) {
    let armored = key.to_armored().expect("an accepted key armors");
    let again = PublicKey::from_armored(&armored).unwrap_or_else(|err| panic!("its armor is refused: {err}"));
    assert_eq!(again.key_id(), key.key_id());
    assert_eq!(again.to_armored().expect("the key armors again"), armored, "armoring is not stable");
}

fn check_secret_key(key: SigningKey) {
    let public = key.public_key().expect("its public key");
    assert_eq!(public.key_id(), key.key_id());
    let armored = key.to_armored().expect("an accepted key armors");
    let again =
        SigningKey::from_armored(&armored).unwrap_or_else(|err| panic!("its armor is refused: {err}"));
    assert_eq!(again.key_id(), key.key_id());
}

fn check_not_forgeable(key: &PublicKey, signature: &[u8]) {
    let mut tampered = SIGNED.to_vec();
    *tampered.last_mut().expect("signed data") ^= 1;
    assert!(key.verify_detached(&tampered, signature).is_err(), "a signature verifies over other data");
}
