//! The `provider_package` target: the checks an uploaded provider package goes through.

use std::io::{self, Cursor, Read, Seek, SeekFrom};

use sha2::{Digest, Sha256};

use super::{assert_explained, Verdict};
use crate::providers::package::{check_package, check_package_reader, h1_of_zip, PackageLimits};
use crate::types::Platform;

/// The provider type every fuzz input is checked as: seeds name their executables
/// `terraform-provider-demo…`.
const TYPE: &str = "demo";

/// The platforms a selector byte picks from.
const PLATFORMS: [&str; 3] = ["linux_amd64", "windows_amd64", "darwin_arm64"];

/// Limits small enough that the fuzzer never inflates more than 1 MiB for one input.
const LIMITS: PackageLimits = PackageLimits { max_entries: 16, max_total_bytes: 1 << 20, max_ratio: 100 };

/// Checks [`check_package`] on a fuzz input: its first byte picks the platform (and how many
/// bytes at most each read returns below), the rest is the zip, checked as a package of the
/// `demo` provider.
///
/// Never panics; the package read from memory and through a reader that returns a few bytes at
/// a time gives the same answer; a refusal has a message; an accepted package's `sha256`, `zh:`
/// and size are those of the zip, its `h1:` is [`h1_of_zip`]'s, and its executable is a root
/// file named `terraform-provider-demo…` (ending in `.exe` for Windows).
pub fn check_provider_package(input: &[u8]) -> Verdict {
    let Some((&selector, zip)) = input.split_first() else { return Verdict::Refused };
    let platform = Platform::parse(PLATFORMS[usize::from(selector) % PLATFORMS.len()]).expect("a platform");
    let in_memory = check_package(zip, TYPE, &platform, &LIMITS);
    let trickle = Trickle { inner: Cursor::new(zip), most: 1 + usize::from(selector / 3) % 64 };
    let trickled = check_package_reader(trickle, TYPE, &platform, &LIMITS);
    assert_eq!(in_memory, trickled, "a reader with short reads changes the answer");
    let checked = match in_memory {
        Ok(checked) => checked,
        Err(err) => {
            assert_explained(&err);
            return Verdict::Refused;
        }
    };
    assert_eq!(checked.sha256, hex::encode(Sha256::digest(zip)));
    assert_eq!(checked.zh, format!("zh:{}", checked.sha256));
    assert_eq!(checked.size, zip.len() as u64);
    assert_eq!(h1_of_zip(zip).ok().as_ref(), Some(&checked.h1), "h1: differs from h1_of_zip");
    let executable = &checked.executable;
    assert!(executable.starts_with("terraform-provider-demo") && !executable.contains('/'), "{executable:?}");
    assert!(executable.ends_with(".exe") || !platform.is_windows(), "{executable:?} on {platform}");
    Verdict::Accepted
}

/// A reader over bytes that returns at most `most` bytes from each read.
struct Trickle<'a> {
    inner: Cursor<&'a [u8]>,
    most: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let len = buf.len().min(self.most);
        self.inner.read(&mut buf[..len])
    }
}

impl Seek for Trickle<'_> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}
