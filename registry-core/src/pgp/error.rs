//! The one error type of the module, with messages that say what to do.

/// Why a key could not be loaded, or a signature could not be made or verified.
///
/// Every message names the problem in words a registry operator or provider author can act on;
/// low-level OpenPGP details, when they help, follow after a colon.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PgpError {
    /// [`SigningKey::generate`](super::SigningKey::generate) was asked for an RSA size it does not
    /// make.
    #[error("RSA signing keys are generated with 3072 or 4096 bits, not {bits}")]
    UnsupportedKeySize {
        /// The size that was asked for.
        bits: usize,
    },

    /// The User ID given for a new key is empty or has a line break in it.
    #[error("the User ID {user_id:?} is not usable: give a name and address such as \"tfreg registry <registry@example.com>\" on one line")]
    InvalidUserId {
        /// The User ID that was given.
        user_id: String,
    },

    /// The text is not an ASCII-armored OpenPGP block of the kind expected.
    #[error("expected an ASCII-armored {expected} (a block starting with \"-----BEGIN {expected}-----\"), but {found}")]
    NotArmored {
        /// The armor header that was expected, such as `PGP PUBLIC KEY BLOCK`.
        expected: &'static str,
        /// What was found instead, in words.
        found: String,
    },

    /// A secret key was given where a public key belongs.
    #[error("this is a secret key, not a public key: export the public part with `gpg --armor --export KEYID` and never publish the secret key")]
    SecretKeyGiven,

    /// The OpenPGP data of a key could not be parsed.
    #[error("the OpenPGP key could not be read: {detail}")]
    MalformedKey {
        /// What the OpenPGP parser reported.
        detail: String,
    },

    /// The armored text holds more than one key.
    #[error("the armored text holds {count} keys; export only the one key the registry should use")]
    MultipleKeys {
        /// How many keys were found.
        count: usize,
    },

    /// The secret key is locked with a passphrase, or its secret part is not in the export.
    #[error("the secret key {key_id} is protected by a passphrase or its secret part is missing (a gpg stub): tfreg needs an unprotected secret key, e.g. remove the passphrase with `gpg --edit-key {key_id} passwd` before `gpg --armor --export-secret-keys {key_id}`")]
    LockedSecretKey {
        /// The 16-hex-digit key ID of the locked key.
        key_id: String,
    },

    /// The key (or one of its subkeys) uses an algorithm Terraform cannot read.
    #[error("the key is not an RSA/ECDSA key Terraform can verify: {component} {key_id} uses {algorithm}, and Terraform 1.5 and older read only RSA, DSA, ElGamal and ECDSA/ECDH on NIST P-256/P-384/P-521 (Terraform ignores the whole key otherwise); use an RSA key")]
    UnsupportedAlgorithm {
        /// `"key"` or `"subkey"`.
        component: &'static str,
        /// The 16-hex-digit key ID of the offending key.
        key_id: String,
        /// The algorithm, in words.
        algorithm: String,
    },

    /// The key parses, but Terraform would not accept it for another reason.
    #[error("Terraform cannot use the key {key_id}: {reason}")]
    IncompatibleKey {
        /// The 16-hex-digit key ID of the primary key.
        key_id: String,
        /// What is wrong, and where possible how to fix it.
        reason: String,
    },

    /// The key has been revoked by its owner.
    #[error("the key {key_id} has been revoked by its owner; Terraform refuses signatures made with it")]
    KeyRevoked {
        /// The 16-hex-digit key ID of the revoked key or subkey.
        key_id: String,
    },

    /// The key (or the subkey that signed) has expired.
    #[error("the key {key_id} expired at {expired_at} (seconds since the Unix epoch); extend its expiry (`gpg --quick-set-expire`) and publish the public key again")]
    KeyExpired {
        /// The 16-hex-digit key ID of the expired key or subkey.
        key_id: String,
        /// When it expired, in seconds since the Unix epoch.
        expired_at: u64,
    },

    /// The signature bytes are not an OpenPGP detached signature.
    #[error("the signature is not a valid OpenPGP detached signature (expected the binary or armored output of `gpg --detach-sign`): {detail}")]
    MalformedSignature {
        /// What is wrong with it.
        detail: String,
    },

    /// The signature has no Issuer key ID subpacket, which Terraform needs to find the key.
    #[error("the signature does not name its key (no Issuer key ID subpacket), so Terraform cannot find the key to check it with; sign with gpg or another tool that records the issuer")]
    MissingIssuer,

    /// The signature was made by another key.
    #[error("the signature was made by key {signed_by}, not by key {expected} or one of its signing subkeys; publish the public key that made the signature")]
    WrongKey {
        /// The key ID(s) the signature names, comma-separated.
        signed_by: String,
        /// The key ID of the key it was checked against.
        expected: String,
    },

    /// The signature was made by a subkey that is not marked for signing.
    #[error("the signature was made by subkey {key_id}, which is not marked for signing (no sign flag); Terraform rejects it. Sign with a signing-capable key")]
    NotASigningKey {
        /// The 16-hex-digit key ID of the subkey.
        key_id: String,
    },

    /// The signature uses a hash algorithm Terraform does not accept.
    #[error("the signature uses the {hash} hash, but Terraform needs SHA-256 or stronger (SHA-224/256/384/512); sign with `--digest-algo SHA256`")]
    WeakHash {
        /// The hash algorithm in the signature.
        hash: String,
    },

    /// The signature is not of a kind made over a file.
    #[error("the signature is a {kind} signature, not a detached signature over a file; make it with `gpg --detach-sign`")]
    WrongSignatureType {
        /// The signature type, in words.
        kind: String,
    },

    /// The signature has no creation time, or a creation time Terraform rejects.
    #[error("the signature's creation time is unusable: {reason}")]
    BadCreationTime {
        /// What is wrong with it; a time in the future usually means the signing machine's clock
        /// is wrong.
        reason: String,
    },

    /// The signature has expired.
    #[error("the signature expired at {expired_at} (seconds since the Unix epoch); sign SHA256SUMS again")]
    SignatureExpired {
        /// When it expired, in seconds since the Unix epoch.
        expired_at: u64,
    },

    /// The signature is by the right key but does not match the data.
    #[error("the signature does not match SHA256SUMS: the file was changed after it was signed, or the signature was made over another file")]
    BadSignature,

    /// The OpenPGP library failed to generate, sign or serialize.
    #[error("OpenPGP operation failed while {action}: {detail}")]
    Internal {
        /// What was being done.
        action: &'static str,
        /// What the OpenPGP library reported.
        detail: String,
    },
}

impl PgpError {
    /// An [`PgpError::Internal`] from an rPGP error.
    pub(crate) fn internal(action: &'static str, err: impl std::fmt::Display) -> Self {
        PgpError::Internal { action, detail: err.to_string() }
    }
}
