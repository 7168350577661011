//! ASCII armor: recognising which block a text holds before parsing it, so a wrong paste gets a
//! useful message, and the options every armored output is written with.

use pgp::composed::ArmorOptions;

use super::PgpError;

/// The armor label of a public key block.
pub(super) const PUBLIC_KEY: &str = "PGP PUBLIC KEY BLOCK";
/// The armor label of a secret key block.
pub(super) const PRIVATE_KEY: &str = "PGP PRIVATE KEY BLOCK";
/// The armor label of a signature block.
pub(super) const SIGNATURE: &str = "PGP SIGNATURE";

/// Options for every armored output: no headers, and always the CRC-24 checksum line, because
/// golang.org/x/crypto/openpgp before 2020 (vendored by older Terraform releases) rejects armor
/// without it.
pub(super) fn options() -> ArmorOptions<'static> {
    ArmorOptions { headers: None, include_checksum: true }
}

/// The label of the first `-----BEGIN LABEL-----` line in `text`, if there is one.
pub(super) fn begin_label(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find_map(|line| line.strip_prefix("-----BEGIN ")?.strip_suffix("-----"))
}

/// Whether `bytes` look like armored text rather than binary OpenPGP packets: the first
/// non-blank content is an armor header line.
pub(super) fn looks_armored(bytes: &[u8]) -> bool {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    bytes[start..].starts_with(b"-----BEGIN ")
}

/// Checks that `text` holds an armored block labelled `expected`, describing what it holds
/// otherwise.
pub(super) fn expect_block(text: &str, expected: &'static str) -> Result<(), PgpError> {
    match begin_label(text) {
        Some(label) if label == expected => Ok(()),
        Some(label) => Err(PgpError::NotArmored {
            expected,
            found: format!("found a \"-----BEGIN {label}-----\" block{}", hint(label, expected)),
        }),
        None if text.trim().is_empty() => {
            Err(PgpError::NotArmored { expected, found: "the text is empty".to_owned() })
        }
        None => Err(PgpError::NotArmored {
            expected,
            found: "found no \"-----BEGIN\" line (binary keys must be exported with `gpg --armor`)"
                .to_owned(),
        }),
    }
}

/// What to do when one kind of block was given for another.
fn hint(found: &str, expected: &str) -> &'static str {
    match (found, expected) {
        (PUBLIC_KEY, PRIVATE_KEY) => {
            "; that is a public key: export the secret key with `gpg --armor --export-secret-keys KEYID`"
        }
        (SIGNATURE, _) => "; that is a signature, not a key",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_label_after_leading_text() {
        let text = "comment\n  -----BEGIN PGP PUBLIC KEY BLOCK-----  \n\nabc\n";
        assert_eq!(begin_label(text), Some(PUBLIC_KEY));
        assert_eq!(begin_label("no armor here"), None);
    }

    #[test]
    fn tells_binary_from_armored() {
        assert!(looks_armored(b"\n -----BEGIN PGP SIGNATURE-----\n"));
        assert!(!looks_armored(&[0xc2, 0x01, 0x02]));
        assert!(!looks_armored(b""));
    }

    #[test]
    fn explains_a_public_key_given_for_a_secret_key() {
        let err = expect_block("-----BEGIN PGP PUBLIC KEY BLOCK-----\n", PRIVATE_KEY).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("--export-secret-keys"), "{message}");
        let err = expect_block("  \n", PUBLIC_KEY).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }
}
