//! The `h1:` package hash: Go's `golang.org/x/mod/sumdb/dirhash.Hash1`.
//!
//! For every file, sorted bytewise by its slash-separated name, Hash1 writes
//! the line `{lower-case hex SHA-256 of the content}  {name}\n`; the hash is
//! `h1:` followed by the standard (padded) base64 of the SHA-256 of all
//! those lines. Terraform records it in `.terraform.lock.hcl` for the
//! unpacked package, so it only equals the hash of a zip whose entries are
//! exactly the unpacked files: see [`check_package`](super::check_package).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::ProviderError;

/// Computes the `h1:` hash of files given as name and content pairs.
///
/// Names are used exactly as given (slash-separated, relative to the package
/// root) and may come in any order. Like dirhash, refuses a name containing a
/// newline; also refuses a name given twice, which no folder can hold.
///
/// ```
/// # use tfreg_core::providers::package::h1_of_files;
/// let files = [
///     ("README.md".to_owned(), b"hi\n".to_vec()),
///     ("terraform-provider-foo_v1.0.0".to_owned(), b"hello\n".to_vec()),
/// ];
/// assert_eq!(h1_of_files(&files).unwrap(), "h1:1QCgj9e+1yo8QHGDc2vIPJIPfQN+8c3QVy7j+9LF9dQ=");
/// ```
pub fn h1_of_files(files: &[(String, Vec<u8>)]) -> Result<String, ProviderError> {
    let mut digests: Vec<(&str, [u8; 32])> =
        files.iter().map(|(name, content)| (name.as_str(), Sha256::digest(content).into())).collect();
    h1_of_digests(&mut digests)
}

/// Computes the `h1:` hash from each file's name and the SHA-256 of its
/// content; sorts `files` by name.
pub(super) fn h1_of_digests<S: AsRef<str>>(files: &mut [(S, [u8; 32])]) -> Result<String, ProviderError> {
    files.sort_unstable_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
    let mut summary = Sha256::new();
    let mut previous: Option<&str> = None;
    for (name, digest) in files.iter() {
        let name = name.as_ref();
        if name.contains('\n') {
            return Err(ProviderError::UnhashableName {
                name: name.to_owned(),
                reason: "dirhash does not support file names containing a newline",
            });
        }
        if previous == Some(name) {
            return Err(ProviderError::UnhashableName {
                name: name.to_owned(),
                reason: "the name is given more than once",
            });
        }
        previous = Some(name);
        summary.update(hex::encode(digest));
        summary.update(b"  ");
        summary.update(name);
        summary.update(b"\n");
    }
    Ok(format!("h1:{}", STANDARD.encode(summary.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &[u8])]) -> Vec<(String, Vec<u8>)> {
        pairs.iter().map(|(name, content)| ((*name).to_owned(), content.to_vec())).collect()
    }

    #[test]
    fn worked_example() {
        let example = files(&[("README.md", b"hi\n"), ("terraform-provider-foo_v1.0.0", b"hello\n")]);
        assert_eq!(h1_of_files(&example).unwrap(), "h1:1QCgj9e+1yo8QHGDc2vIPJIPfQN+8c3QVy7j+9LF9dQ=");
    }

    #[test]
    fn order_of_input_does_not_matter() {
        let example = files(&[("terraform-provider-foo_v1.0.0", b"hello\n"), ("README.md", b"hi\n")]);
        assert_eq!(h1_of_files(&example).unwrap(), "h1:1QCgj9e+1yo8QHGDc2vIPJIPfQN+8c3QVy7j+9LF9dQ=");
    }

    #[test]
    fn sorts_bytewise() {
        // Upper case sorts before lower case, and "a/b" before "a0" ('/' < '0'),
        // as Go's sort.Strings does.
        let unsorted = files(&[("a0", b"2"), ("b", b"3"), ("a/b", b"1"), ("B", b"0")]);
        let mut lines = String::new();
        for (name, content) in [("B", "0"), ("a/b", "1"), ("a0", "2"), ("b", "3")] {
            lines.push_str(&format!("{}  {name}\n", hex::encode(Sha256::digest(content))));
        }
        let expected = format!("h1:{}", STANDARD.encode(Sha256::digest(lines)));
        assert_eq!(h1_of_files(&unsorted).unwrap(), expected);
    }

    #[test]
    fn empty_set_hashes_the_empty_string() {
        assert_eq!(h1_of_files(&[]).unwrap(), "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    #[test]
    fn refuses_newlines_and_repeated_names() {
        let err = h1_of_files(&files(&[("a\nb", b"")])).unwrap_err();
        assert!(matches!(err, ProviderError::UnhashableName { .. }));
        assert!(err.to_string().contains("newline"), "{err}");
        let err = h1_of_files(&files(&[("a", b"1"), ("a", b"2")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot compute an h1 hash over the file \"a\": the name is given more than once"
        );
    }
}
