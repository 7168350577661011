//! The two key types: the registry's secret signing key and a public key Terraform checks with.

use std::fmt;

use pgp::composed::{
    Deserializable, EncryptionCaps, KeyType, SecretKeyParamsBuilder, SignedPublicKey, SignedSecretKey,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::types::{CompressionAlgorithm, KeyDetails, KeyVersion, SecretParams};

use super::compat::{self, KeyInfo, Slot};
use super::{armor, key_id_hex, PgpError};

/// A secret RSA (or, when brought by a team, RSA/DSA/ECDSA) OpenPGP key the registry signs
/// `SHA256SUMS` files with.
///
/// Made with [`SigningKey::generate`] or loaded with [`SigningKey::from_armored`]; stored with
/// [`SigningKey::to_armored`]. The secret key material is held unencrypted in memory and in the
/// armored form, so the storage it lives in must be private. `Debug` shows only key IDs.
#[derive(Clone)]
pub struct SigningKey {
    /// The whole transferable secret key, as loaded or generated.
    pub(super) secret: SignedSecretKey,
    /// Its public part, already checked against what Terraform accepts.
    pub(super) public: PublicKey,
    /// Which key signs: the primary key or one of `secret.secret_subkeys`.
    pub(super) signer: SecretSlot,
}

/// Which secret key of a [`SigningKey`] makes signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SecretSlot {
    /// The primary key.
    Primary,
    /// `secret_subkeys[i]`.
    Subkey(usize),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.key_id())
            .field("signing_key_id", &key_id_hex(&self.signer_key_id()))
            .field("user_ids", &self.public.info.user_ids)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generates a new RSA key of `bits` bits (3072 or 4096) with one User ID such as
    /// `"tfreg registry <registry@localhost>"`.
    ///
    /// The key is a version 4 key whose primary key certifies and signs (no subkeys), with a
    /// SHA-256 self-signature carrying Key Flags, the Issuer key ID and creation time `now`, as
    /// Terraform requires. RSA generation takes a second or more in release builds (and much
    /// longer unoptimised), so call it from a blocking context.
    pub fn generate(user_id: &str, bits: usize) -> Result<SigningKey, PgpError> {
        if bits != 3072 && bits != 4096 {
            return Err(PgpError::UnsupportedKeySize { bits });
        }
        if user_id.trim().is_empty() || user_id.contains(['\r', '\n']) {
            return Err(PgpError::InvalidUserId { user_id: user_id.to_owned() });
        }
        let bits_u32 = u32::try_from(bits).map_err(|_| PgpError::UnsupportedKeySize { bits })?;
        let params = SecretKeyParamsBuilder::default()
            .version(KeyVersion::V4)
            .key_type(KeyType::Rsa(bits_u32))
            .can_certify(true)
            .can_sign(true)
            .can_encrypt(EncryptionCaps::None)
            .primary_user_id(user_id.to_owned())
            .preferred_hash_algorithms(
                vec![HashAlgorithm::Sha256, HashAlgorithm::Sha512, HashAlgorithm::Sha384].into(),
            )
            .preferred_symmetric_algorithms(
                vec![SymmetricKeyAlgorithm::AES256, SymmetricKeyAlgorithm::AES128].into(),
            )
            .preferred_compression_algorithms(
                vec![CompressionAlgorithm::ZLIB, CompressionAlgorithm::Uncompressed].into(),
            )
            .build()
            .map_err(|err| PgpError::internal("preparing key generation", err))?;
        let secret = params
            .generate(rand::thread_rng())
            .map_err(|err| PgpError::internal("generating the RSA key", err))?;
        SigningKey::from_secret(secret)
    }

    /// Loads an ASCII-armored, unencrypted secret key (`gpg --armor --export-secret-keys KEYID`),
    /// for teams that bring their own key.
    ///
    /// The key must be one Terraform can check signatures with (see [`PublicKey::from_armored`]).
    /// Signatures are made with the newest signing subkey whose secret part is present, or else
    /// with the primary key.
    pub fn from_armored(armored_secret_key: &str) -> Result<SigningKey, PgpError> {
        armor::expect_block(armored_secret_key, armor::PRIVATE_KEY)?;
        let (keys, _headers) = SignedSecretKey::from_string_many(armored_secret_key).map_err(|err| {
            PgpError::MalformedKey { detail: crate::text::printable_detail(&err.to_string()) }
        })?;
        let secret = single(keys.collect::<Result<Vec<_>, _>>())?;
        SigningKey::from_secret(secret)
    }

    /// Checks a secret key and picks the key that signs.
    fn from_secret(secret: SignedSecretKey) -> Result<SigningKey, PgpError> {
        let public = PublicKey::from_signed(secret.to_public_key())?;

        // Candidates in order of preference: signing subkeys, newest first, then the primary key.
        let mut candidates: Vec<&compat::Component> =
            public.info.signers().filter(|c| c.slot != Slot::Primary).collect();
        candidates.sort_by_key(|c| std::cmp::Reverse(c.created));
        candidates.extend(public.info.signers().filter(|c| c.slot == Slot::Primary));

        let mut locked = None;
        for candidate in candidates {
            let found = if candidate.slot == Slot::Primary {
                Some((SecretSlot::Primary, secret.primary_key.secret_params()))
            } else {
                secret.secret_subkeys.iter().enumerate().find_map(|(i, sub)| {
                    (sub.key.legacy_key_id() == candidate.key_id)
                        .then(|| (SecretSlot::Subkey(i), sub.key.secret_params()))
                })
            };
            match found {
                Some((slot, SecretParams::Plain(_))) => {
                    return Ok(SigningKey { secret, public, signer: slot });
                }
                Some((_, SecretParams::Encrypted(_))) => {
                    locked.get_or_insert(candidate.key_id);
                }
                None => {}
            }
        }
        Err(match locked {
            Some(key_id) => PgpError::LockedSecretKey { key_id: key_id_hex(&key_id) },
            None => PgpError::IncompatibleKey {
                key_id: public.key_id(),
                reason: "the export holds no secret part of a key marked for signing".to_owned(),
            },
        })
    }

    /// The key as ASCII armor (`-----BEGIN PGP PRIVATE KEY BLOCK-----`), unencrypted, for the
    /// registry's private object store. [`SigningKey::from_armored`] reads it back.
    pub fn to_armored(&self) -> Result<String, PgpError> {
        self.secret
            .to_armored_string(armor::options())
            .map_err(|err| PgpError::internal("armoring the secret key", err))
    }

    /// The public key, to publish with each provider version.
    pub fn public_key(&self) -> Result<PublicKey, PgpError> {
        Ok(self.public.clone())
    }

    /// The primary key's ID: 16 upper-case hex digits, as Terraform prints it and as the
    /// registry protocol's `key_id` carries it.
    pub fn key_id(&self) -> String {
        self.public.key_id()
    }

    /// The key ID of the key that actually signs (the primary key or a signing subkey).
    pub(super) fn signer_key_id(&self) -> pgp::types::KeyId {
        match self.signer {
            SecretSlot::Primary => self.secret.primary_key.legacy_key_id(),
            SecretSlot::Subkey(i) => self.secret.secret_subkeys[i].key.legacy_key_id(),
        }
    }
}

/// An OpenPGP public key (certificate) that Terraform can check provider signatures with.
///
/// Loaded with [`PublicKey::from_armored`] or taken from [`SigningKey::public_key`]; every
/// `PublicKey` has passed the checks Terraform 1.5 and older would apply.
#[derive(Clone)]
pub struct PublicKey {
    /// The transferable public key.
    pub(super) key: SignedPublicKey,
    /// What the checks found out about it.
    pub(super) info: KeyInfo,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subkeys: Vec<String> =
            self.info.components.iter().skip(1).map(|c| key_id_hex(&c.key_id)).collect();
        f.debug_struct("PublicKey")
            .field("key_id", &self.key_id())
            .field("fingerprint", &format!("{:X}", self.key.fingerprint()))
            .field("user_ids", &self.info.user_ids)
            .field("subkeys", &subkeys)
            .finish()
    }
}

impl PublicKey {
    /// Loads an ASCII-armored public key (`gpg --armor --export KEYID`).
    ///
    /// Refuses keys Terraform 1.5 and older could not use, with a message saying why: keys that
    /// are not version 4; Ed25519/Curve25519 (or other non RSA/DSA/ECDSA-on-NIST-curve) keys or
    /// subkeys; keys without a self-signed User ID; keys with no key marked for signing; revoked
    /// keys; and keys whose self- or binding signatures do not verify. A secret key block is
    /// refused too, so it is not published by mistake.
    pub fn from_armored(armored: &str) -> Result<PublicKey, PgpError> {
        if armor::begin_label(armored) == Some(armor::PRIVATE_KEY) {
            return Err(PgpError::SecretKeyGiven);
        }
        armor::expect_block(armored, armor::PUBLIC_KEY)?;
        let (keys, _headers) = SignedPublicKey::from_string_many(armored).map_err(|err| {
            PgpError::MalformedKey { detail: crate::text::printable_detail(&err.to_string()) }
        })?;
        PublicKey::from_signed(single(keys.collect::<Result<Vec<_>, _>>())?)
    }

    /// Checks a parsed key.
    fn from_signed(key: SignedPublicKey) -> Result<PublicKey, PgpError> {
        let info = compat::inspect(&key)?;
        Ok(PublicKey { key, info })
    }

    /// The key as ASCII armor (`-----BEGIN PGP PUBLIC KEY BLOCK-----`, with the CRC-24 line old
    /// Terraform releases need), for the registry protocol's `ascii_armor`.
    pub fn to_armored(&self) -> Result<String, PgpError> {
        self.key
            .to_armored_string(armor::options())
            .map_err(|err| PgpError::internal("armoring the public key", err))
    }

    /// The primary key's ID: 16 upper-case hex digits, such as `D0E390B20E0A2023`.
    pub fn key_id(&self) -> String {
        key_id_hex(&self.key.legacy_key_id())
    }
}

/// The one key of a parse, or why there is not exactly one.
fn single<T>(parsed: Result<Vec<T>, pgp::errors::Error>) -> Result<T, PgpError> {
    let mut keys = parsed
        .map_err(|err| PgpError::MalformedKey { detail: crate::text::printable_detail(&err.to_string()) })?;
    match keys.len() {
        0 => Err(PgpError::MalformedKey { detail: "the armored block holds no key".to_owned() }),
        1 => Ok(keys.remove(0)),
        count => Err(PgpError::MultipleKeys { count }),
    }
}
