//! The `module_archive` target: normalising uploaded module archives (`.tar.gz`, bare gzip,
//! `.zip`, anything else).

use sha2::{Digest, Sha256};

use super::{assert_explained, Verdict};
use crate::modules::archive::{normalize_module_archive, ArchiveLimits, NormalizedModule};

/// Limits small enough that no input makes the fuzzer inflate more than a few hundred KiB.
pub fn fuzz_archive_limits() -> ArchiveLimits {
    ArchiveLimits { max_entries: 64, max_total_bytes: 256 << 10, max_file_bytes: 128 << 10, max_ratio: 200 }
}

/// Checks [`normalize_module_archive`] on `input` under [`fuzz_archive_limits`]: it never
/// panics; a refusal is an [`ArchiveError`](crate::modules::archive::ArchiveError) with a
/// message; an accepted archive lists at least one Terraform file and only safe, sorted, distinct
/// relative paths, its `sha256` is that of its bytes, and normalising it again gives the very
/// same archive (same SHA-256, same files).
pub fn check_module_archive(input: &[u8]) -> Verdict {
    let limits = fuzz_archive_limits();
    let first = match normalize_module_archive(input, &limits) {
        Ok(first) => first,
        Err(err) => {
            assert_explained(&err);
            return Verdict::Refused;
        }
    };
    check_listing(&first.files);
    let bytes = archive_bytes(&first);
    assert_eq!(first.sha256, hex::encode(Sha256::digest(bytes)), "sha256 is not that of the archive");
    let again = normalize_module_archive(bytes, &limits)
        .unwrap_or_else(|err| panic!("the normalised archive is refused: {err}"));
    assert_eq!(again.files, first.files, "normalising twice changes the files");
    assert_eq!(again.sha256, first.sha256, "normalising twice changes the archive");
    Verdict::Accepted
}

/// The normalised archive's bytes: the one place that reads them, so that a change to how
/// [`NormalizedModule`] holds its archive is a change here only.
fn archive_bytes(module: &NormalizedModule) -> &[u8] {
    &module.tar_gz
}

/// The paths of an accepted module: at least one `.tf` or `.tf.json` file, sorted, distinct,
/// relative, with no empty, `.` or `..` component, backslash, control character or macOS
/// metadata.
fn check_listing(files: &[String]) {
    assert!(
        files.iter().any(|f| f.ends_with(".tf") || f.ends_with(".tf.json")),
        "accepted without a Terraform file: {files:?}"
    );
    assert!(files.windows(2).all(|w| w[0] < w[1]), "paths not sorted and distinct: {files:?}");
    for path in files {
        assert!(!path.contains('\\') && !path.chars().any(char::is_control), "unsafe path {path:?}");
        assert!(
            path.split('/').all(|c| !c.is_empty() && c != "." && c != ".."),
            "unsafe component in {path:?}"
        );
        let name = path.rsplit('/').next().unwrap_or(path);
        assert!(
            !path.starts_with("__MACOSX/") && name != ".DS_Store" && !name.starts_with("._"),
            "macOS metadata kept: {path:?}"
        );
    }
}
