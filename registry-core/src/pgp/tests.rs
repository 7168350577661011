//! Tests of keys, signing and verification, on committed fixtures (see `testdata/README.md`).

use std::sync::OnceLock;
use std::time::Instant;

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey, SignedSecretKey, SubpacketConfig};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{Subpacket, SubpacketData};
use pgp::ser::Serialize;
use pgp::types::{Duration, KeyDetails, Password, Timestamp};

use super::{armor, now_secs, verify, PgpError, PublicKey, SigningKey};

/// The registry's test key: RSA 3072, made by `SigningKey::generate`.
const SIGNING_KEY: &str = include_str!("testdata/signing-key.asc");
/// Another key made the same way.
const OTHER_SIGNING_KEY: &str = include_str!("testdata/other-signing-key.asc");
/// A gpg key as a provider author would have it: RSA primary [C], RSA subkeys [S] and [E].
const GPG_PUBLIC: &str = include_str!("testdata/gpg-rsa-public.asc");
/// The same key's unencrypted secret key export.
const GPG_SECRET: &str = include_str!("testdata/gpg-rsa-secret.asc");
/// The same key after its revocation certificate was imported.
const GPG_REVOKED: &str = include_str!("testdata/gpg-rsa-revoked-public.asc");
/// gpg 2.4's default kind of key: Ed25519.
const GPG_ED25519: &str = include_str!("testdata/gpg-ed25519-public.asc");
/// The file signed by gpg.
const SUMS: &[u8] = include_bytes!("testdata/SHA256SUMS");
/// `gpg --detach-sign --digest-algo SHA512 SHA256SUMS` with the gpg key (its [S] subkey).
const GPG_SIG: &[u8] = include_bytes!("testdata/gpg-SHA256SUMS.sig");
/// `gpg --armor --detach-sign SHA256SUMS` with the gpg key.
const GPG_SIG_ASC: &[u8] = include_bytes!("testdata/gpg-SHA256SUMS.sig.asc");

/// Key IDs of the fixtures, as gpg lists them.
const GPG_PRIMARY_ID: &str = "C83E51EE97E567A1";
const GPG_SIGNING_SUBKEY_ID: &str = "FB49010D35352114";
const GPG_ENCRYPTION_SUBKEY_ID: &str = "8D14D6B02908EBCE";

fn signing_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_armored(SIGNING_KEY).expect("fixture signing key loads"))
}

fn other_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_armored(OTHER_SIGNING_KEY).expect("fixture other key loads"))
}

fn is_key_id(id: &str) -> bool {
    id.len() == 16 && id.chars().all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
}

/// The OpenPGP packet tag of the first packet in `bytes`, old or new header format.
fn first_packet_tag(bytes: &[u8]) -> u8 {
    let ctb = bytes[0];
    assert_ne!(ctb & 0x80, 0, "first byte {ctb:#04x} lacks the packet tag bit");
    if ctb & 0x40 != 0 {
        ctb & 0x3f
    } else {
        (ctb >> 2) & 0x0f
    }
}

/// A signature over `SUMS` by the fixture key's primary key with exactly the given subpackets.
fn custom_signature(hash: HashAlgorithm, hashed: Vec<SubpacketData>) -> Vec<u8> {
    let hashed = hashed.into_iter().map(|data| Subpacket::regular(data).unwrap()).collect();
    DetachedSignature::sign_binary_data_with_subpackets(
        rand::thread_rng(),
        &signing_key().secret.primary_key,
        &Password::empty(),
        hash,
        SUMS,
        SubpacketConfig::UserDefined { hashed, unhashed: Vec::new() },
    )
    .unwrap()
    .to_bytes()
    .unwrap()
}

fn issuer_id() -> SubpacketData {
    SubpacketData::IssuerKeyId(signing_key().secret.primary_key.legacy_key_id())
}

#[test]
fn fixture_key_loads_with_a_terraform_style_key_id() {
    let key = signing_key();
    let id = key.key_id();
    assert!(is_key_id(&id), "{id}");
    let public = key.public_key().unwrap();
    assert_eq!(public.key_id(), id);
    assert_eq!(public.info.user_ids, ["tfreg test registry <registry@tfreg.invalid>"]);
    assert_ne!(other_key().key_id(), id);
}

#[test]
fn debug_shows_no_secret_material() {
    let key = signing_key();
    let debug = format!("{key:?}");
    assert!(debug.contains(&key.key_id()), "{debug}");
    assert!(debug.len() < 300, "Debug is suspiciously long: {debug}");
    for secret_hint in ["BEGIN", "Plain", "Rsa", "SecretKey", "Mpi", "BigUint"] {
        assert!(!debug.contains(secret_hint), "Debug shows {secret_hint:?}: {debug}");
    }
    let public = format!("{:?}", key.public_key().unwrap());
    assert!(public.contains(&key.key_id()), "{public}");
}

#[test]
fn sign_then_verify_round_trips() {
    let key = signing_key();
    let signature = key.sign_detached(SUMS).unwrap();
    key.public_key().unwrap().verify_detached(SUMS, &signature).unwrap();
    // Also through the armored public key, as Terraform receives it.
    let public = PublicKey::from_armored(&key.public_key().unwrap().to_armored().unwrap()).unwrap();
    public.verify_detached(SUMS, &signature).unwrap();
    // Empty data signs and verifies too.
    let empty = key.sign_detached(b"").unwrap();
    public.verify_detached(b"", &empty).unwrap();
}

#[test]
fn signature_is_a_binary_packet_not_armor() {
    let signature = signing_key().sign_detached(SUMS).unwrap();
    assert!(!signature.starts_with(b"-----BEGIN"));
    assert!(!armor::looks_armored(&signature));
    assert_eq!(first_packet_tag(&signature), 2, "a Signature packet");
}

#[test]
fn signature_carries_what_terraform_needs() {
    let key = signing_key();
    let before = now_secs();
    let bytes = key.sign_detached(SUMS).unwrap();
    let sigs = verify::parse(&bytes).unwrap();
    assert_eq!(sigs.len(), 1);
    let sig = &sigs[0];
    let config = sig.config().unwrap();
    assert_eq!(sig.version(), pgp::packet::SignatureVersion::V4);
    assert_eq!(sig.typ(), Some(pgp::packet::SignatureType::Binary));
    assert_eq!(sig.hash_alg(), Some(HashAlgorithm::Sha256));
    let primary = &key.secret.primary_key;
    // Issuer key ID and fingerprint, and the creation time, all in the hashed area.
    let hashed: Vec<&SubpacketData> = config.hashed_subpackets().map(|sp| &sp.data).collect();
    assert!(hashed.contains(&&SubpacketData::IssuerKeyId(primary.legacy_key_id())), "{hashed:?}");
    assert!(hashed.contains(&&SubpacketData::IssuerFingerprint(primary.fingerprint())), "{hashed:?}");
    let created = u64::from(sig.created().unwrap().as_secs());
    // Backdated a minute for clients whose clocks run behind, never before the key existed.
    let key_created = u64::from(primary.created_at().as_secs());
    let earliest = before.saturating_sub(60).max(key_created);
    assert!(created >= earliest && created <= now_secs(), "created {created}, now {}", now_secs());
    assert_eq!(super::key_id_hex(sig.issuer_key_id()[0]), key.key_id());
}

#[test]
fn tampered_data_fails_clearly() {
    let key = signing_key();
    let signature = key.sign_detached(SUMS).unwrap();
    let public = key.public_key().unwrap();
    for index in [0, SUMS.len() / 2, SUMS.len() - 1] {
        let mut tampered = SUMS.to_vec();
        tampered[index] ^= 0x01;
        let err = public.verify_detached(&tampered, &signature).unwrap_err();
        assert_eq!(err, PgpError::BadSignature);
        assert!(err.to_string().contains("does not match SHA256SUMS"), "{err}");
    }
    let mut longer = SUMS.to_vec();
    longer.push(b'\n');
    assert_eq!(public.verify_detached(&longer, &signature), Err(PgpError::BadSignature));
}

#[test]
fn tampered_signature_never_verifies() {
    let key = signing_key();
    let signature = key.sign_detached(SUMS).unwrap();
    let public = key.public_key().unwrap();
    // The last byte is inside the RSA signature value: a clean "does not match".
    let mut tampered = signature.clone();
    *tampered.last_mut().unwrap() ^= 0x01;
    assert_eq!(public.verify_detached(SUMS, &tampered), Err(PgpError::BadSignature));
    // Any other byte: some error, never success.
    for index in 0..signature.len() {
        let mut tampered = signature.clone();
        tampered[index] ^= 0x10;
        assert!(public.verify_detached(SUMS, &tampered).is_err(), "flipping byte {index} still verifies");
    }
    // Truncated.
    assert!(public.verify_detached(SUMS, &signature[..signature.len() - 10]).is_err());
}

#[test]
fn signature_by_another_key_fails() {
    let signature = other_key().sign_detached(SUMS).unwrap();
    let err = signing_key().public_key().unwrap().verify_detached(SUMS, &signature).unwrap_err();
    assert_eq!(err, PgpError::WrongKey { signed_by: other_key().key_id(), expected: signing_key().key_id() });
    assert!(err.to_string().contains(&other_key().key_id()), "{err}");
}

#[test]
fn armored_public_key_reparses_with_the_same_key_id() {
    let public = signing_key().public_key().unwrap();
    let armored = public.to_armored().unwrap();
    assert!(armored.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----"), "{armored}");
    assert!(armored.trim_end().ends_with("-----END PGP PUBLIC KEY BLOCK-----"), "{armored}");
    assert!(!armored.contains("PRIVATE"));
    // The CRC-24 checksum line old Terraform releases need, and short lines.
    let lines: Vec<&str> = armored.lines().collect();
    let checksum = lines[lines.len() - 2];
    assert!(checksum.starts_with('=') && checksum.len() == 5, "no checksum line: {checksum:?}");
    assert!(lines.iter().all(|l| l.len() <= 76));
    let reparsed = PublicKey::from_armored(&armored).unwrap();
    assert_eq!(reparsed.key_id(), public.key_id());
    assert_eq!(reparsed.to_armored().unwrap(), armored);
}

#[test]
fn armored_secret_key_round_trips() {
    let key = signing_key();
    let armored = key.to_armored().unwrap();
    assert!(armored.starts_with("-----BEGIN PGP PRIVATE KEY BLOCK-----"));
    let reloaded = SigningKey::from_armored(&armored).unwrap();
    assert_eq!(reloaded.key_id(), key.key_id());
    let signature = reloaded.sign_detached(SUMS).unwrap();
    key.public_key().unwrap().verify_detached(SUMS, &signature).unwrap();
}

#[test]
fn armored_signatures_are_accepted() {
    let key = signing_key();
    let binary = key.sign_detached(SUMS).unwrap();
    let armored =
        DetachedSignature::from_bytes(&binary[..]).unwrap().to_armored_string(armor::options()).unwrap();
    assert!(armored.starts_with("-----BEGIN PGP SIGNATURE-----"));
    key.public_key().unwrap().verify_detached(SUMS, armored.as_bytes()).unwrap();
    let padded = format!("\n\n{armored}");
    key.public_key().unwrap().verify_detached(SUMS, padded.as_bytes()).unwrap();
}

#[test]
fn generate_3072_makes_a_usable_key() {
    let start = Instant::now();
    let key = SigningKey::generate("tfreg registry <registry@localhost>", 3072).unwrap();
    let elapsed = start.elapsed();
    println!("SigningKey::generate(3072) took {elapsed:?}");
    assert!(is_key_id(&key.key_id()));
    let public = PublicKey::from_armored(&key.public_key().unwrap().to_armored().unwrap()).unwrap();
    assert_eq!(public.key_id(), key.key_id());
    assert_eq!(public.info.user_ids, ["tfreg registry <registry@localhost>"]);
    // RSA 3072, v4, certify + sign, SHA-256 self-signature with the Issuer key ID.
    let primary = &public.key.primary_key;
    assert_eq!(primary.version(), pgp::types::KeyVersion::V4);
    assert_eq!(primary.algorithm(), pgp::crypto::public_key::PublicKeyAlgorithm::RSA);
    // The public parameters start with the modulus as an MPI: its bit count, big-endian.
    let params = primary.public_params().to_bytes().unwrap();
    assert_eq!(u16::from_be_bytes([params[0], params[1]]), 3072);
    let self_sig = &public.key.details.users[0].signatures[0];
    assert_eq!(self_sig.hash_alg(), Some(HashAlgorithm::Sha256));
    assert!(self_sig.key_flags().sign() && self_sig.key_flags().certify());
    assert_eq!(self_sig.issuer_key_id(), [&primary.legacy_key_id()]);
    let signature = key.sign_detached(SUMS).unwrap();
    public.verify_detached(SUMS, &signature).unwrap();
    let reloaded = SigningKey::from_armored(&key.to_armored().unwrap()).unwrap();
    assert_eq!(reloaded.key_id(), key.key_id());
}

#[test]
fn generate_refuses_other_sizes_and_bad_user_ids() {
    for bits in [0, 1024, 2048, 3071, 8192] {
        assert_eq!(SigningKey::generate("a <a@b>", bits).unwrap_err(), PgpError::UnsupportedKeySize { bits });
    }
    for user_id in ["", "   ", "a\nb", "a\r"] {
        assert!(matches!(SigningKey::generate(user_id, 3072).unwrap_err(), PgpError::InvalidUserId { .. }));
    }
}

#[test]
fn gpg_made_public_key_and_signatures_verify() {
    let public = PublicKey::from_armored(GPG_PUBLIC).unwrap();
    assert_eq!(public.key_id(), GPG_PRIMARY_ID);
    assert_eq!(public.info.user_ids, ["Demo Provider Releases <releases@demo.invalid>"]);
    // Binary (as Terraform downloads it), SHA-512, by the signing subkey, old packet format.
    assert_eq!(first_packet_tag(GPG_SIG), 2);
    public.verify_detached(SUMS, GPG_SIG).unwrap();
    // Armored.
    public.verify_detached(SUMS, GPG_SIG_ASC).unwrap();
    let mut tampered = SUMS.to_vec();
    tampered[0] ^= 0x20;
    assert_eq!(public.verify_detached(&tampered, GPG_SIG), Err(PgpError::BadSignature));
    assert_eq!(public.verify_detached(&tampered, GPG_SIG_ASC), Err(PgpError::BadSignature));
    // And not by our registry key.
    let err = signing_key().public_key().unwrap().verify_detached(SUMS, GPG_SIG).unwrap_err();
    assert_eq!(
        err,
        PgpError::WrongKey { signed_by: GPG_SIGNING_SUBKEY_ID.to_owned(), expected: signing_key().key_id() }
    );
}

#[test]
fn gpg_made_secret_key_signs_with_its_signing_subkey() {
    let key = SigningKey::from_armored(GPG_SECRET).unwrap();
    assert_eq!(key.key_id(), GPG_PRIMARY_ID);
    assert_eq!(super::key_id_hex(&key.signer_key_id()), GPG_SIGNING_SUBKEY_ID);
    let signature = key.sign_detached(SUMS).unwrap();
    let sig = &verify::parse(&signature).unwrap()[0];
    assert_eq!(super::key_id_hex(sig.issuer_key_id()[0]), GPG_SIGNING_SUBKEY_ID);
    PublicKey::from_armored(GPG_PUBLIC).unwrap().verify_detached(SUMS, &signature).unwrap();
    key.public_key().unwrap().verify_detached(SUMS, GPG_SIG).unwrap();
}

#[test]
fn signature_by_an_encryption_subkey_is_refused() {
    let (secret, _) = SignedSecretKey::from_string(GPG_SECRET).unwrap();
    let encryption = secret
        .secret_subkeys
        .iter()
        .find(|sub| super::key_id_hex(&sub.key.legacy_key_id()) == GPG_ENCRYPTION_SUBKEY_ID)
        .unwrap();
    let signature = super::sign::sign_with(&encryption.key, SUMS).unwrap().to_bytes().unwrap();
    let err = PublicKey::from_armored(GPG_PUBLIC).unwrap().verify_detached(SUMS, &signature).unwrap_err();
    assert_eq!(err, PgpError::NotASigningKey { key_id: GPG_ENCRYPTION_SUBKEY_ID.to_owned() });
}

#[test]
fn ed25519_keys_are_refused_with_an_explanation() {
    let err = PublicKey::from_armored(GPG_ED25519).unwrap_err();
    assert!(matches!(err, PgpError::UnsupportedAlgorithm { component: "key", .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("not an RSA/ECDSA key Terraform can verify"), "{message}");
    assert!(message.contains("Ed25519"), "{message}");
}

#[test]
fn revoked_keys_are_refused() {
    let err = PublicKey::from_armored(GPG_REVOKED).unwrap_err();
    assert_eq!(err, PgpError::KeyRevoked { key_id: GPG_PRIMARY_ID.to_owned() });
}

#[test]
fn wrong_kinds_of_input_are_explained() {
    assert_eq!(PublicKey::from_armored(SIGNING_KEY).unwrap_err(), PgpError::SecretKeyGiven);
    let err = SigningKey::from_armored(GPG_PUBLIC).unwrap_err();
    assert!(err.to_string().contains("--export-secret-keys"), "{err}");
    let err = PublicKey::from_armored("not a key").unwrap_err();
    assert!(matches!(err, PgpError::NotArmored { .. }), "{err:?}");
    let sig_text = std::str::from_utf8(GPG_SIG_ASC).unwrap();
    let err = PublicKey::from_armored(sig_text).unwrap_err();
    assert!(err.to_string().contains("signature, not a key"), "{err}");
    let broken = GPG_PUBLIC.replacen("mQGNBG", "mQGNBX", 1);
    assert_ne!(broken, GPG_PUBLIC, "the fixture's first line changed; update this test");
    assert!(PublicKey::from_armored(&broken).is_err());
}

#[test]
fn several_keys_in_one_block_are_refused() {
    let (a, _) = SignedPublicKey::from_string(GPG_PUBLIC).unwrap();
    let b = signing_key().public.key.clone();
    let mut armored = Vec::new();
    pgp::armor::write(&[a, b].as_slice(), pgp::armor::BlockType::PublicKey, &mut armored, None, true)
        .unwrap();
    let err = PublicKey::from_armored(std::str::from_utf8(&armored).unwrap()).unwrap_err();
    assert_eq!(err, PgpError::MultipleKeys { count: 2 });
}

#[test]
fn passphrase_protected_secret_keys_are_refused() {
    let (mut secret, _) = SignedSecretKey::from_string(SIGNING_KEY).unwrap();
    secret.primary_key.set_password(rand::thread_rng(), &Password::from("hunter2")).unwrap();
    let armored = secret.to_armored_string(armor::options()).unwrap();
    let err = SigningKey::from_armored(&armored).unwrap_err();
    assert_eq!(err, PgpError::LockedSecretKey { key_id: signing_key().key_id() });
    assert!(err.to_string().contains("passphrase"), "{err}");
}

#[test]
fn garbage_signatures_are_malformed() {
    let public = signing_key().public_key().unwrap();
    for garbage in [&b""[..], b"   ", b"hello", &[0xff, 0x00, 0x01], SUMS, GPG_PUBLIC.as_bytes()] {
        let err = public.verify_detached(SUMS, garbage).unwrap_err();
        assert!(
            matches!(err, PgpError::MalformedSignature { .. } | PgpError::NotArmored { .. }),
            "{garbage:?}: {err:?}"
        );
    }
    // A public key's binary packets where a signature belongs.
    let key_bytes = public.key.to_bytes().unwrap();
    assert!(matches!(public.verify_detached(SUMS, &key_bytes), Err(PgpError::MalformedSignature { .. })));
}

#[test]
fn signatures_terraform_would_refuse_are_refused() {
    let public = signing_key().public_key().unwrap();
    let now = Timestamp::now();

    let no_issuer = custom_signature(HashAlgorithm::Sha256, vec![SubpacketData::SignatureCreationTime(now)]);
    assert_eq!(public.verify_detached(SUMS, &no_issuer), Err(PgpError::MissingIssuer));

    let sha1 =
        custom_signature(HashAlgorithm::Sha1, vec![SubpacketData::SignatureCreationTime(now), issuer_id()]);
    assert_eq!(public.verify_detached(SUMS, &sha1), Err(PgpError::WeakHash { hash: "SHA1".to_owned() }));

    let no_time = custom_signature(HashAlgorithm::Sha256, vec![issuer_id()]);
    assert!(matches!(public.verify_detached(SUMS, &no_time), Err(PgpError::BadCreationTime { .. })));

    let ok =
        custom_signature(HashAlgorithm::Sha512, vec![SubpacketData::SignatureCreationTime(now), issuer_id()]);
    public.verify_detached(SUMS, &ok).unwrap();
    // Seen from an hour earlier, it comes from the future.
    let sigs = verify::parse(&ok).unwrap();
    let err = public.verify_at(SUMS, &sigs, now_secs() - 3600).unwrap_err();
    assert!(err.to_string().contains("in the future"), "{err}");
    // A few seconds of clock difference are tolerated.
    public.verify_at(SUMS, &sigs, now_secs() - 5).unwrap();

    let key_created = signing_key().secret.primary_key.created_at().as_secs();
    let before_key = custom_signature(
        HashAlgorithm::Sha256,
        vec![SubpacketData::SignatureCreationTime(Timestamp::from_secs(key_created - 60)), issuer_id()],
    );
    let err = public.verify_detached(SUMS, &before_key).unwrap_err();
    assert!(err.to_string().contains("older than the key"), "{err}");

    let expiring = custom_signature(
        HashAlgorithm::Sha256,
        vec![
            SubpacketData::SignatureCreationTime(now),
            issuer_id(),
            SubpacketData::SignatureExpirationTime(Duration::from_secs(60)),
        ],
    );
    public.verify_detached(SUMS, &expiring).unwrap();
    let sigs = verify::parse(&expiring).unwrap();
    let err = public.verify_at(SUMS, &sigs, now_secs() + 3600).unwrap_err();
    assert!(matches!(err, PgpError::SignatureExpired { .. }), "{err:?}");
}

#[test]
fn error_messages_are_actionable() {
    let messages = [
        PgpError::BadSignature.to_string(),
        PgpError::MissingIssuer.to_string(),
        PgpError::UnsupportedKeySize { bits: 2048 }.to_string(),
        PgpError::SecretKeyGiven.to_string(),
    ];
    assert!(messages[0].starts_with("the signature does not match SHA256SUMS"));
    assert!(messages[1].contains("Issuer"));
    assert!(messages[2].contains("3072 or 4096"));
    assert!(messages[3].contains("gpg --armor --export"));
}

#[test]
fn a_bad_armor_footer_is_described_in_words_not_bytes() {
    let key = SigningKey::from_armored(include_str!("testdata/signing-key.asc")).unwrap();
    let armored = key.public_key().unwrap().to_armored().unwrap();
    let mut broken =
        armored.replace("-----END PGP PUBLIC KEY BLOCK-----", "-----END PGP PUBLIC KEY BLOCK----X");
    broken.push_str(&"A".repeat(300));
    let message = PublicKey::from_armored(&broken).unwrap_err().to_string();
    assert!(!message.contains("input: ["), "{message}");
    assert!(!message.contains("65, 65"), "{message}");
    assert!(message.len() < 400, "{message}");
}
