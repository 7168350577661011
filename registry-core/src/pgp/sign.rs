//! Making detached signatures.

use pgp::composed::{DetachedSignature, SubpacketConfig};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{Subpacket, SubpacketData};
use pgp::ser::Serialize;
use pgp::types::{Password, Timestamp};

use super::key::SecretSlot;
use super::{now_secs, PgpError, SigningKey};

impl SigningKey {
    /// Signs `data` (a `SHA256SUMS` file) and returns the binary (not armored) detached
    /// signature, as Terraform downloads it from `shasums_signature_url`.
    ///
    /// The signature is a version 4 binary-document signature with SHA-256, whose hashed area
    /// holds the creation time (a minute ago, never before the key was made: Terraform 1.6+
    /// refuses signatures dated in the future, so a registry whose clock runs slightly ahead of
    /// a client's must not produce one), the Issuer Fingerprint and the Issuer key ID (which
    /// Terraform 1.5 and older look the key up by).
    pub fn sign_detached(&self, data: &[u8]) -> Result<Vec<u8>, PgpError> {
        let signer_id = self.signer_key_id();
        let component = self
            .public
            .info
            .components
            .iter()
            .find(|c| c.key_id == signer_id)
            .ok_or_else(|| PgpError::internal("finding the signing key", "it is not part of the key"))?;
        self.public.info.check_not_expired(component, now_secs())?;

        let signature = match self.signer {
            SecretSlot::Primary => sign_with(&self.secret.primary_key, data)?,
            SecretSlot::Subkey(i) => sign_with(&self.secret.secret_subkeys[i].key, data)?,
        };
        signature.to_bytes().map_err(|err| PgpError::internal("serializing the signature", err))
    }
}

/// A SHA-256 binary detached signature over `data` by `key`, with the subpackets Terraform needs.
pub(super) fn sign_with(
    key: &impl pgp::types::SigningKey,
    data: &[u8],
) -> Result<DetachedSignature, PgpError> {
    let subpacket =
        |data| Subpacket::regular(data).map_err(|err| PgpError::internal("building the signature", err));
    let hashed = vec![
        subpacket(SubpacketData::SignatureCreationTime(signature_time(key.created_at())))?,
        subpacket(SubpacketData::IssuerFingerprint(key.fingerprint()))?,
        subpacket(SubpacketData::IssuerKeyId(key.legacy_key_id()))?,
    ];
    DetachedSignature::sign_binary_data_with_subpackets(
        rand::thread_rng(),
        key,
        &Password::empty(),
        HashAlgorithm::Sha256,
        data,
        SubpacketConfig::UserDefined { hashed, unhashed: Vec::new() },
    )
    .map_err(|err| PgpError::internal("signing", err))
}

/// How far signatures are backdated, to tolerate clients whose clocks run behind ours.
const CLOCK_SKEW_MARGIN_SECS: u32 = 60;

/// The creation time to put on a signature: a minute ago, but never before the key existed.
fn signature_time(key_created: Timestamp) -> Timestamp {
    let now = Timestamp::now().as_secs();
    Timestamp::from_secs(now.saturating_sub(CLOCK_SKEW_MARGIN_SECS).max(key_created.as_secs()))
}
