//! Checking detached signatures the way Terraform does.

use pgp::composed::{Deserializable, DetachedSignature};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{Signature, SignatureType};

use super::compat::{Component, Slot, CLOCK_SKEW_SECS};
use super::{armor, key_id_hex, now_secs, PgpError, PublicKey};

impl PublicKey {
    /// Checks that `signature` is a valid detached signature over `data` by this key or one of
    /// its signing subkeys, as Terraform will check it.
    ///
    /// `signature` may be binary (as Terraform downloads it) or ASCII-armored (as
    /// `gpg --armor --detach-sign` writes it). Like Terraform, this finds the signature packet
    /// whose Issuer key ID names a signing key of this key, then requires a binary or text
    /// signature with a SHA-2 hash, a creation time that is not in the future (beyond five
    /// minutes of clock difference) nor before the key's, no expired signature or key, and a
    /// cryptographically valid signature over `data`.
    pub fn verify_detached(&self, data: &[u8], signature: &[u8]) -> Result<(), PgpError> {
        let signatures = parse(signature)?;
        self.verify_at(data, &signatures, now_secs())
    }

    /// [`PublicKey::verify_detached`] at time `now` (seconds since the Unix epoch).
    pub(super) fn verify_at(&self, data: &[u8], signatures: &[Signature], now: u64) -> Result<(), PgpError> {
        // The most telling reason for refusing, should no signature be by this key.
        let mut refusal = None;
        for sig in signatures {
            let issuers = sig.issuer_key_id();
            if issuers.is_empty() {
                refusal.get_or_insert(PgpError::MissingIssuer);
                continue;
            }
            let named: Vec<&Component> =
                self.info.components.iter().filter(|c| issuers.contains(&&c.key_id)).collect();
            let Some(first) = named.first() else {
                let signed_by: Vec<String> = issuers.iter().map(|id| key_id_hex(id)).collect();
                if !matches!(refusal, Some(PgpError::KeyRevoked { .. } | PgpError::NotASigningKey { .. })) {
                    refusal =
                        Some(PgpError::WrongKey { signed_by: signed_by.join(", "), expected: self.key_id() });
                }
                continue;
            };
            let signers: Vec<&Component> =
                named.iter().copied().filter(|c| c.can_sign && !c.revoked).collect();
            if signers.is_empty() {
                let key_id = key_id_hex(&first.key_id);
                refusal = Some(if first.revoked {
                    PgpError::KeyRevoked { key_id }
                } else {
                    PgpError::NotASigningKey { key_id }
                });
                continue;
            }

            // This is the signature Terraform would check: it passes or fails here.
            check_metadata(sig, &signers, now)?;
            for signer in &signers {
                let verified = match signer.slot {
                    Slot::Primary => sig.verify(&self.key.primary_key, data),
                    Slot::Subkey(i) => sig.verify(&self.key.public_subkeys[i].key, data),
                };
                if verified.is_ok() {
                    return self.info.check_not_expired(signer, now);
                }
            }
            return Err(PgpError::BadSignature);
        }
        Err(refusal.unwrap_or_else(|| PgpError::MalformedSignature {
            detail: "it holds no signature packet".to_owned(),
        }))
    }
}

/// The signature packets in `signature`, binary or armored.
pub(super) fn parse(signature: &[u8]) -> Result<Vec<Signature>, PgpError> {
    let malformed = |err: pgp::errors::Error| PgpError::MalformedSignature {
        detail: crate::text::printable_detail(&err.to_string()),
    };
    let parsed: Vec<DetachedSignature> = if armor::looks_armored(signature) {
        let text = std::str::from_utf8(signature).map_err(|_| PgpError::MalformedSignature {
            detail: "the armored signature is not valid UTF-8 text".to_owned(),
        })?;
        armor::expect_block(text, armor::SIGNATURE)?;
        let (sigs, _headers) = DetachedSignature::from_string_many(text).map_err(malformed)?;
        sigs.collect::<Result<_, _>>().map_err(malformed)?
    } else {
        if signature.is_empty() {
            return Err(PgpError::MalformedSignature { detail: "it is empty".to_owned() });
        }
        DetachedSignature::from_bytes_many(signature)
            .map_err(malformed)?
            .collect::<Result<_, _>>()
            .map_err(malformed)?
    };
    if parsed.is_empty() {
        return Err(PgpError::MalformedSignature {
            detail: "it holds no signature packet this library can read".to_owned(),
        });
    }
    Ok(parsed.into_iter().map(|d| d.signature).collect())
}

/// The checks on a signature that do not involve cryptography.
fn check_metadata(sig: &Signature, signers: &[&Component], now: u64) -> Result<(), PgpError> {
    match sig.typ() {
        Some(SignatureType::Binary | SignatureType::Text) => {}
        other => {
            return Err(PgpError::WrongSignatureType {
                kind: other.map_or_else(|| "unknown".to_owned(), |t| format!("{t:?}")),
            })
        }
    }
    match sig.hash_alg() {
        Some(
            HashAlgorithm::Sha224 | HashAlgorithm::Sha256 | HashAlgorithm::Sha384 | HashAlgorithm::Sha512,
        ) => {}
        other => {
            return Err(PgpError::WeakHash {
                hash: other.map_or_else(|| "unknown".to_owned(), |h| h.to_string()),
            })
        }
    }
    let Some(created) = sig.created().map(|t| u64::from(t.as_secs())) else {
        return Err(PgpError::BadCreationTime {
            reason: "it has none (no Signature Creation Time subpacket in the hashed area)".to_owned(),
        });
    };
    if created > now + CLOCK_SKEW_SECS {
        return Err(PgpError::BadCreationTime {
            reason: format!(
                "it is {} seconds in the future, and Terraform refuses signatures from the future; check the clock of the machine that signed",
                created - now
            ),
        });
    }
    if signers.iter().all(|s| created < s.created) {
        return Err(PgpError::BadCreationTime {
            reason: "it is older than the key that made it; check the clock of the machine that signed"
                .to_owned(),
        });
    }
    if let Some(lifetime) = sig.signature_expiration_time().map(|d| u64::from(d.as_secs())).filter(|&s| s > 0)
    {
        if created + lifetime <= now {
            return Err(PgpError::SignatureExpired { expired_at: created + lifetime });
        }
    }
    Ok(())
}
