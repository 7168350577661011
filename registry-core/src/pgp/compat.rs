//! What Terraform's OpenPGP code accepts in a key, checked once when a key is loaded.
//!
//! Terraform 1.5 and older read keys with golang.org/x/crypto/openpgp (`ReadArmoredKeyRing`) and
//! check signatures with `CheckDetachedSignature`. That code drops a whole key when any part of
//! it is not understood, so the rules here follow it:
//!
//! - every key packet is version 4 and uses RSA, DSA, ElGamal, or ECDSA/ECDH on NIST
//!   P-256/P-384/P-521 (no Ed25519/Curve25519, which gpg 2.3+ makes by default);
//! - the primary key can sign (RSA, DSA or ECDSA);
//! - at least one User ID carries a positive or generic self-certification that names the
//!   primary key in an Issuer subpacket, and every such self-certification verifies;
//! - every subkey binding signature verifies (with its back-signature for signing subkeys);
//! - the key carries no revocation signature;
//! - some key can sign: Key Flags absent, or with the sign bit, on the primary User ID's
//!   self-signature or a subkey's binding signature.
//!
//! Terraform 1.6 and newer (ProtonMail's go-crypto) also refuse expired keys and signatures and
//! creation times in the future; those depend on the time, so they are checked when signing and
//! verifying.

use pgp::composed::SignedPublicKey;
use pgp::crypto::public_key::PublicKeyAlgorithm;
use pgp::packet::{Signature, SignatureType, SubpacketData};
use pgp::types::{EcdhPublicParams, EcdsaPublicParams, KeyDetails, KeyId, KeyVersion, PublicParams, Tag};

use super::{key_id_hex, now_secs, PgpError};

/// How far in the future a creation time may lie before it is refused: the allowance for clock
/// differences between the machine that signed and this one.
pub(super) const CLOCK_SKEW_SECS: u64 = 5 * 60;

/// Where a component key sits in its transferable key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Slot {
    /// The primary key.
    Primary,
    /// `public_subkeys[i]` of the [`SignedPublicKey`].
    Subkey(usize),
}

/// What Terraform would make of one component key (the primary key or a subkey).
#[derive(Clone, Debug)]
pub(super) struct Component {
    /// Where it sits.
    pub(super) slot: Slot,
    /// Its key ID.
    pub(super) key_id: KeyId,
    /// Its creation time, in seconds since the Unix epoch.
    pub(super) created: u64,
    /// When it expires, in seconds since the Unix epoch, if it does.
    pub(super) expires_at: Option<u64>,
    /// Whether its algorithm and flags let it make signatures Terraform accepts.
    pub(super) can_sign: bool,
    /// Whether a (valid) revocation signature covers it.
    pub(super) revoked: bool,
}

/// The result of checking a key: its components, primary first.
#[derive(Clone, Debug)]
pub(super) struct KeyInfo {
    /// The primary key, then each subkey in order.
    pub(super) components: Vec<Component>,
    /// The User IDs that carry a valid self-signature.
    pub(super) user_ids: Vec<String>,
}

impl KeyInfo {
    /// The primary key's component.
    pub(super) fn primary(&self) -> &Component {
        &self.components[0]
    }

    /// Components that may make signatures.
    pub(super) fn signers(&self) -> impl Iterator<Item = &Component> {
        self.components.iter().filter(|c| c.can_sign && !c.revoked)
    }

    /// Refuses, at time `now`, a signer whose key or primary key has expired.
    pub(super) fn check_not_expired(&self, signer: &Component, now: u64) -> Result<(), PgpError> {
        for component in [self.primary(), signer] {
            if let Some(expired_at) = component.expires_at {
                if expired_at <= now {
                    return Err(PgpError::KeyExpired { key_id: key_id_hex(&component.key_id), expired_at });
                }
            }
        }
        Ok(())
    }
}

/// Checks `key` against what Terraform accepts (see the module docs).
pub(super) fn inspect(key: &SignedPublicKey) -> Result<KeyInfo, PgpError> {
    let primary = &key.primary_key;
    let primary_id = primary.legacy_key_id();
    let incompatible = |reason: String| PgpError::IncompatibleKey { key_id: key_id_hex(&primary_id), reason };

    check_packet(primary, "key")?;
    if !algorithm_can_sign(primary.algorithm()) {
        return Err(incompatible(format!(
            "its primary key uses {:?}, which cannot sign; Terraform needs a primary key that can",
            primary.algorithm()
        )));
    }
    let created = u64::from(primary.created_at().as_secs());
    if created > now_secs() + CLOCK_SKEW_SECS {
        return Err(incompatible(format!(
            "it was created in the future ({created} seconds since the Unix epoch); check the clock of the machine that made it"
        )));
    }

    if let Some(revocation) = key.details.revocation_signatures.first() {
        return Err(match revocation.verify_key(primary) {
            Ok(()) => PgpError::KeyRevoked { key_id: key_id_hex(&primary_id) },
            Err(_) => incompatible(
                "it carries a revocation signature made by another key, which Terraform 1.5 and older refuse"
                    .to_owned(),
            ),
        });
    }

    // User IDs and their self-signatures, as x/crypto/openpgp's addUserID reads them: positive or
    // generic certifications naming the primary key; the last one counts.
    let mut user_ids = Vec::new();
    let mut primary_self_sig: Option<&Signature> = None;
    for user in &key.details.users {
        let name = user
            .id
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| String::from_utf8_lossy(user.id.id()).into_owned());
        let mut self_sig = None;
        for sig in &user.signatures {
            let self_cert =
                matches!(sig.typ(), Some(SignatureType::CertPositive | SignatureType::CertGeneric))
                    && sig.issuer_key_id().contains(&&primary_id);
            if !self_cert {
                continue;
            }
            sig.verify_certification(primary, Tag::UserId, &user.id).map_err(|err| {
                incompatible(format!("the self-signature on User ID {name:?} does not verify: {err}"))
            })?;
            self_sig = Some(sig);
        }
        if let Some(sig) = self_sig {
            if primary_self_sig.is_none()
                || (sig.is_primary() && !primary_self_sig.is_some_and(Signature::is_primary))
            {
                primary_self_sig = Some(sig);
            }
            user_ids.push(name);
        }
    }
    let Some(primary_self_sig) = primary_self_sig else {
        return Err(incompatible(
            "it has no User ID with a self-signature naming the key (Issuer subpacket); Terraform needs one, e.g. `gpg --quick-add-uid`"
                .to_owned(),
        ));
    };
    if let Some(sig_created) = primary_self_sig.created() {
        if u64::from(sig_created.as_secs()) > now_secs() + CLOCK_SKEW_SECS {
            return Err(incompatible(
                "its self-signature was made in the future; check the clock of the machine that made it"
                    .to_owned(),
            ));
        }
    }

    let mut components = vec![Component {
        slot: Slot::Primary,
        key_id: primary_id,
        created,
        expires_at: expiry(created, primary_self_sig),
        can_sign: flags_allow_signing(primary_self_sig),
        revoked: false,
    }];

    for (index, subkey) in key.public_subkeys.iter().enumerate() {
        let sub_id = subkey.key.legacy_key_id();
        check_packet(&subkey.key, "subkey")?;
        subkey.verify_bindings(primary).map_err(|err| {
            incompatible(format!(
                "the binding signature of subkey {} does not verify: {err}",
                key_id_hex(&sub_id)
            ))
        })?;
        let revoked = subkey.signatures.iter().any(|sig| sig.typ() == Some(SignatureType::SubkeyRevocation));
        let binding = subkey
            .signatures
            .iter()
            .filter(|sig| sig.typ() == Some(SignatureType::SubkeyBinding))
            .max_by_key(|sig| sig.created().map(|t| t.as_secs()));
        let sub_created = u64::from(subkey.key.created_at().as_secs());
        components.push(Component {
            slot: Slot::Subkey(index),
            key_id: sub_id,
            created: sub_created,
            expires_at: binding.and_then(|sig| expiry(sub_created, sig)),
            can_sign: algorithm_can_sign(subkey.key.algorithm()) && binding.is_some_and(flags_allow_signing),
            revoked,
        });
    }

    if components.iter().all(|c| !c.can_sign || c.revoked) {
        return Err(incompatible(
            "neither the key nor any subkey is marked for signing (Key Flags without the sign bit); add a signing subkey with `gpg --quick-add-key FINGERPRINT rsa3072 sign`"
                .to_owned(),
        ));
    }

    Ok(KeyInfo { components, user_ids })
}

/// Refuses a key packet Terraform cannot parse.
fn check_packet(key: &impl KeyDetails, component: &'static str) -> Result<(), PgpError> {
    let key_id = key_id_hex(&key.legacy_key_id());
    if key.version() != KeyVersion::V4 {
        return Err(PgpError::UnsupportedAlgorithm {
            component,
            key_id,
            algorithm: format!(
                "a version {} key packet (only version 4 is understood)",
                u8::from(key.version())
            ),
        });
    }
    match unsupported_algorithm(key.public_params(), key.algorithm()) {
        None => Ok(()),
        Some(algorithm) => Err(PgpError::UnsupportedAlgorithm { component, key_id, algorithm }),
    }
}

/// Describes the algorithm of a key x/crypto/openpgp cannot parse; `None` if it can.
fn unsupported_algorithm(params: &PublicParams, algorithm: PublicKeyAlgorithm) -> Option<String> {
    match params {
        PublicParams::RSA(_) | PublicParams::DSA(_) => None,
        PublicParams::Elgamal(_) if algorithm == PublicKeyAlgorithm::ElgamalEncrypt => None,
        PublicParams::ECDSA(
            EcdsaPublicParams::P256 { .. } | EcdsaPublicParams::P384 { .. } | EcdsaPublicParams::P521 { .. },
        ) => None,
        PublicParams::ECDH(
            EcdhPublicParams::P256 { .. } | EcdhPublicParams::P384 { .. } | EcdhPublicParams::P521 { .. },
        ) => None,
        PublicParams::ECDSA(ecdsa) => Some(format!("ECDSA on {}", ecdsa.curve().name())),
        PublicParams::ECDH(ecdh) => Some(format!("ECDH on {}", ecdh.curve().name())),
        PublicParams::EdDSALegacy(_) | PublicParams::Ed25519(_) => {
            Some("EdDSA (Ed25519, the default of gpg 2.3 and newer)".to_owned())
        }
        _ => Some(format!("{algorithm:?}")),
    }
}

/// Whether keys of `algorithm` make signatures x/crypto/openpgp can check.
fn algorithm_can_sign(algorithm: PublicKeyAlgorithm) -> bool {
    matches!(
        algorithm,
        PublicKeyAlgorithm::RSA
            | PublicKeyAlgorithm::RSASign
            | PublicKeyAlgorithm::DSA
            | PublicKeyAlgorithm::ECDSA
    )
}

/// Whether a self- or binding signature lets its key sign: Terraform treats a signature without
/// Key Flags as allowing every use.
fn flags_allow_signing(sig: &Signature) -> bool {
    let has_flags = sig.config().is_some_and(|config| {
        config.hashed_subpackets().any(|sp| matches!(sp.data, SubpacketData::KeyFlags(_)))
    });
    !has_flags || sig.key_flags().sign()
}

/// When a key created at `created` expires according to `sig`, if it does.
fn expiry(created: u64, sig: &Signature) -> Option<u64> {
    sig.key_expiration_time()
        .map(|d| u64::from(d.as_secs()))
        .filter(|&secs| secs > 0)
        .map(|secs| created + secs)
}
