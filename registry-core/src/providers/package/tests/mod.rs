//! Tests of package checks and hashes over zips built in code, and property
//! tests of the parsers.

use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};

use sha2::{Digest, Sha256};
use zip::write::{FullFileOptions, SimpleFileOptions};
use zip::{CompressionMethod, ZipWriter};

use super::*;
use crate::types::{InvalidValue, Platform};
use crate::zip_directory::{declared_entry_count, DeclaredCount, END_RECORDS_MAX_LEN};

mod props;
mod zip64;

/// One entry of a test zip.
enum Entry<'a> {
    /// A deflated regular file, mode 0644.
    File(&'a str, &'a [u8]),
    /// A deflated regular file, mode 0755.
    Exe(&'a str, &'a [u8]),
    /// A stored regular file, mode 0644.
    Stored(&'a str, &'a [u8]),
    /// A directory entry.
    Dir(&'a str),
    /// A symbolic link to a target.
    Symlink(&'a str, &'a str),
}

fn options(mode: u32) -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).unix_permissions(mode)
}

fn build(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for entry in entries {
        match *entry {
            Entry::File(name, data) | Entry::Exe(name, data) | Entry::Stored(name, data) => {
                let opts = match entry {
                    Entry::Exe(..) => options(0o755),
                    Entry::Stored(..) => options(0o644).compression_method(CompressionMethod::Stored),
                    _ => options(0o644),
                };
                writer.start_file(name, opts).unwrap();
                writer.write_all(data).unwrap();
            }
            Entry::Dir(name) => writer.add_directory(name, options(0o755)).unwrap(),
            Entry::Symlink(name, target) => writer.add_symlink(name, target, options(0o777)).unwrap(),
        }
    }
    writer.finish().unwrap().into_inner()
}

fn linux() -> Platform {
    Platform::parse("linux_amd64").unwrap()
}

fn windows() -> Platform {
    Platform::parse("windows_amd64").unwrap()
}

/// Writes `zip` to a temporary file, leaving its position at the end.
fn temp_file(zip: &[u8]) -> File {
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(zip).unwrap();
    file
}

/// Checks `zip` both in memory and from a temporary file, and asserts that
/// both give the same result.
fn check_both(
    zip: &[u8],
    type_: &str,
    platform: &Platform,
    limits: &PackageLimits,
) -> Result<CheckedPackage, ProviderError> {
    let in_memory = check_package(zip, type_, platform, limits);
    let from_file = check_package_reader(temp_file(zip), type_, platform, limits);
    assert_eq!(from_file, in_memory, "checked from a file and in memory");
    in_memory
}

fn check(zip: &[u8], type_: &str) -> Result<CheckedPackage, ProviderError> {
    check_both(zip, type_, &linux(), &PackageLimits::default())
}

fn refused(zip: &[u8], type_: &str) -> ProviderError {
    match check(zip, type_) {
        Ok(package) => panic!("expected a refusal, got {package:?}"),
        Err(err) => err,
    }
}

/// Replaces every occurrence of `from` in `bytes` by `to` (same length).
fn patch_all(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let mut found = false;
    for pos in 0..=bytes.len() - from.len() {
        if &bytes[pos..pos + from.len()] == from {
            bytes[pos..pos + from.len()].copy_from_slice(to);
            found = true;
        }
    }
    assert!(found, "nothing to patch");
}

/// Offsets of the local (`PK\3\4`) and central (`PK\1\2`) headers.
fn headers(zip: &[u8]) -> (Vec<usize>, Vec<usize>) {
    let find = |sig: &[u8]| (0..zip.len() - 4).filter(|&p| &zip[p..p + 4] == sig).collect::<Vec<_>>();
    (find(b"PK\x03\x04"), find(b"PK\x01\x02"))
}

const NULL_EXE: &str = "terraform-provider-null_v2.1.2_x4";

fn null_package() -> Vec<u8> {
    build(&[Entry::Exe(NULL_EXE, b"\x7fELF pretend provider"), Entry::File("LICENSE", b"MPL-2.0\n")])
}

#[test]
fn accepts_the_null_provider_layout() {
    let zip = null_package();
    let package = check(&zip, "null").unwrap();
    let sha256 = hex::encode(Sha256::digest(&zip));
    assert_eq!(package.executable, NULL_EXE);
    assert_eq!(package.size, zip.len() as u64);
    assert_eq!(package.sha256, sha256);
    assert_eq!(package.zh, format!("zh:{sha256}"));
    let files = [
        (NULL_EXE.to_owned(), b"\x7fELF pretend provider".to_vec()),
        ("LICENSE".to_owned(), b"MPL-2.0\n".to_vec()),
    ];
    assert_eq!(package.h1, h1_of_files(&files).unwrap());
    assert_eq!(package.h1, h1_of_zip(&zip).unwrap());
}

#[test]
fn accepts_every_executable_form() {
    for name in
        ["terraform-provider-null", "terraform-provider-null_v2.1.2", "terraform-provider-null_v2.1.2_x4"]
    {
        let zip = build(&[Entry::Exe(name, b"bin")]);
        assert_eq!(check(&zip, "null").unwrap().executable, name);
    }
    let zip = build(&[Entry::Exe("terraform-provider-google-beta_v5.0.0_x5", b"bin")]);
    assert_eq!(check(&zip, "google-beta").unwrap().executable, "terraform-provider-google-beta_v5.0.0_x5");
}

#[test]
fn accepts_windows_executables() {
    for name in ["terraform-provider-foo.exe", "terraform-provider-foo_v1.0.0_x5.exe"] {
        let zip = build(&[Entry::Exe(name, b"MZ"), Entry::File("README.md", b"hi\n")]);
        let package = check_package(&zip, "foo", &windows(), &PackageLimits::default()).unwrap();
        assert_eq!(package.executable, name);
    }
}

#[test]
fn windows_executables_need_exe_and_others_must_not_have_it() {
    let bare = build(&[Entry::Exe("terraform-provider-foo_v1.0.0", b"MZ")]);
    let err = check_package(&bare, "foo", &windows(), &PackageLimits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the package has no terraform-provider-foo executable at its root (expected a file named \
         terraform-provider-foo.exe or terraform-provider-foo_*.exe, for windows)"
    );
    let exe = build(&[Entry::Exe("terraform-provider-foo.exe", b"MZ")]);
    assert!(matches!(refused(&exe, "foo"), ProviderError::MissingExecutable { .. }));
}

#[test]
fn h1_of_zip_matches_h1_of_files() {
    let entries = [
        ("terraform-provider-foo_v1.0.0", b"hello\n".as_slice()),
        ("README.md", b"hi\n"),
        ("docs/guide.md", b"# Guide\n"),
        ("CHANGELOG.md", b""),
        ("Z", &[0u8; 100_000]),
    ];
    let zip = build(&[
        Entry::Exe(entries[0].0, entries[0].1),
        Entry::Stored(entries[1].0, entries[1].1),
        Entry::File(entries[2].0, entries[2].1),
        Entry::File(entries[3].0, entries[3].1),
        Entry::Stored(entries[4].0, entries[4].1),
    ]);
    let files: Vec<(String, Vec<u8>)> = entries.iter().map(|(n, c)| ((*n).to_owned(), c.to_vec())).collect();
    assert_eq!(h1_of_zip(&zip).unwrap(), h1_of_files(&files).unwrap());
    assert_eq!(check(&zip, "foo").unwrap().h1, h1_of_files(&files).unwrap());
}

#[test]
fn h1_of_zip_worked_example() {
    let zip =
        build(&[Entry::File("terraform-provider-foo_v1.0.0", b"hello\n"), Entry::File("README.md", b"hi\n")]);
    assert_eq!(h1_of_zip(&zip).unwrap(), "h1:1QCgj9e+1yo8QHGDc2vIPJIPfQN+8c3QVy7j+9LF9dQ=");
}

#[test]
fn zh_is_the_sha256_of_the_zip() {
    let zip = null_package();
    let package = check(&zip, "null").unwrap();
    let mut hasher = Sha256::new();
    hasher.update(&zip);
    assert_eq!(package.zh, format!("zh:{:x}", hasher.finalize()));
}

#[test]
fn refuses_directory_entries() {
    let zip = build(&[Entry::Dir("docs/"), Entry::Exe(NULL_EXE, b"bin")]);
    let err = refused(&zip, "null");
    assert!(matches!(&err, ProviderError::DirectoryEntry { entry } if entry == "docs/"), "{err}");
    assert!(err.to_string().contains("\"docs/\""), "{err}");
    assert!(matches!(h1_of_zip(&zip), Err(ProviderError::DirectoryEntry { .. })));
}

#[test]
fn refuses_unsafe_names() {
    for name in
        ["../x", "a/../../x", "/etc/passwd", "a\\b", "a\u{1}b", "a\nb", "./x", "a/./b", "a//b", "C:x", "x:y"]
    {
        let zip = build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File(name, b"x")]);
        let err = refused(&zip, "null");
        assert!(matches!(&err, ProviderError::UnsafeName { entry, .. } if entry == name), "{name:?}: {err}");
    }
    let err = refused(&build(&[Entry::File("../x", b"x")]), "null");
    assert_eq!(
        err.to_string(),
        "the package's entry \"../x\" has an unsafe name: it climbs out of the package folder with `..`"
    );
}

#[test]
fn refuses_an_empty_or_non_utf8_name() {
    let mut zip = build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("Q", b"x")]);
    patch_all(&mut zip, b"Q", b"\xff");
    assert!(matches!(refused(&zip, "null"), ProviderError::UnsafeName { reason: "is not valid UTF-8", .. }));

    let zip = build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("", b"x")]);
    assert!(matches!(refused(&zip, "null"), ProviderError::UnsafeName { reason: "is empty", .. }));
}

#[test]
fn refuses_symlinks() {
    let zip = build(&[Entry::Symlink("terraform-provider-null", "/bin/sh")]);
    let err = refused(&zip, "null");
    assert_eq!(
        err.to_string(),
        "the package's entry \"terraform-provider-null\" is a symbolic link, not a regular file"
    );
}

#[test]
fn refuses_a_package_without_executable() {
    let zip = build(&[Entry::File("README.md", b"hi\n")]);
    assert_eq!(
        refused(&zip, "null").to_string(),
        "the package has no terraform-provider-null executable at its root (expected a file named \
         terraform-provider-null or terraform-provider-null_*)"
    );
    let empty = build(&[]);
    assert!(matches!(refused(&empty, "null"), ProviderError::MissingExecutable { .. }));
}

#[test]
fn refuses_an_executable_in_a_subfolder() {
    for name in ["bin/terraform-provider-null", "terraform-provider-null_v1/terraform-provider-null"] {
        let zip = build(&[Entry::Exe(name, b"bin")]);
        assert!(matches!(refused(&zip, "null"), ProviderError::MissingExecutable { .. }), "{name}");
    }
}

#[test]
fn refuses_the_wrong_type_name() {
    let zip = build(&[Entry::Exe("terraform-provider-foo_v1.0.0", b"bin")]);
    assert!(matches!(refused(&zip, "null"), ProviderError::MissingExecutable { .. }));
    for name in ["terraform-provider-nullx", "terraform-provider-null-extra_v1", "terraform-provider-nul"] {
        let zip = build(&[Entry::Exe(name, b"bin")]);
        assert!(matches!(refused(&zip, "null"), ProviderError::MissingExecutable { .. }), "{name}");
    }
    assert!(matches!(refused(&zip, "Foo"), ProviderError::Invalid(InvalidValue::ProviderType { .. })));
}

#[test]
fn picks_the_executable_terraform_runs() {
    let zip =
        build(&[Entry::Exe("terraform-provider-null_v2", b"2"), Entry::Exe("terraform-provider-null", b"1")]);
    assert_eq!(check(&zip, "null").unwrap().executable, "terraform-provider-null");
    // Terraform would run "terraform-provider-null.sig" ('.' sorts before '_').
    let zip = build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("terraform-provider-null.sig", b"sig")]);
    let err = refused(&zip, "null");
    assert_eq!(
        err,
        ProviderError::ShadowedExecutable {
            type_name: "null".into(),
            executable: NULL_EXE.into(),
            picked: "terraform-provider-null.sig".into()
        }
    );
    // On Windows, an extension-less file sorts before the `.exe`.
    let zip = build(&[
        Entry::Exe("terraform-provider-foo.exe", b"MZ"),
        Entry::File("terraform-provider-foo", b"?"),
    ]);
    let err = check_package(&zip, "foo", &windows(), &PackageLimits::default()).unwrap_err();
    assert!(matches!(err, ProviderError::ShadowedExecutable { .. }), "{err}");
}

#[test]
fn refuses_garbage() {
    for bytes in [&b""[..], b"not a zip at all", b"PK\x03\x04garbage", &[0u8; 4096]] {
        let err = refused(bytes, "null");
        assert!(matches!(err, ProviderError::NotAZip { .. }), "{bytes:?}: {err}");
        assert!(err.to_string().starts_with("the package is not a readable zip archive: "), "{err}");
        assert!(h1_of_zip(bytes).is_err());
    }
    let zip = null_package();
    for cut in [1, 10, zip.len() / 2, zip.len() - 1] {
        assert!(check(&zip[..cut], "null").is_err(), "cut at {cut}");
    }
}

#[test]
fn refuses_too_many_entries() {
    let names: Vec<String> = (0..64).map(|i| format!("file{i:02}")).collect();
    let mut entries = vec![Entry::Exe(NULL_EXE, b"bin")];
    entries.extend(names.iter().take(63).map(|n| Entry::File(n, b"x")));
    assert!(check(&build(&entries), "null").is_ok(), "64 entries are allowed");
    entries.push(Entry::File(&names[63], b"x"));
    assert_eq!(refused(&build(&entries), "null"), ProviderError::TooManyEntries { limit: 64 });

    let few = PackageLimits { max_entries: 1, ..PackageLimits::default() };
    let err = check_package(&null_package(), "null", &linux(), &few).unwrap_err();
    assert_eq!(err.to_string(), "the package has more than 1 entries");
}

#[test]
fn refuses_zip_bombs() {
    let zeros = vec![0u8; 4 << 20];
    let zip = build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("zeros", &zeros)]);
    assert!(zip.len() < 40_000, "deflate squeezes zeros: {}", zip.len());
    let err = refused(&zip, "null");
    assert_eq!(err, ProviderError::CompressionRatio { entry: "zeros".into(), limit: 100 });
    assert!(err.to_string().contains("zip bomb"), "{err}");

    // Under 1 MiB the ratio is not enforced.
    let small = build(&[Entry::Exe(NULL_EXE, &zeros[..1 << 20])]);
    assert!(check(&small, "null").is_ok());

    let tight = PackageLimits { max_total_bytes: 1000, ..PackageLimits::default() };
    let err = check_package(&small, "null", &linux(), &tight).unwrap_err();
    assert_eq!(err, ProviderError::TooLarge { entry: NULL_EXE.into(), limit: 1000 });
}

#[test]
fn refuses_duplicate_names() {
    let mut zip = build(&[
        Entry::Exe(NULL_EXE, b"one"),
        Entry::File("README.md", b"1"),
        Entry::File("README.mX", b"2"),
    ]);
    patch_all(&mut zip, b"README.mX", b"README.md");
    assert_eq!(refused(&zip, "null"), ProviderError::DuplicateEntry { entry: "README.md".into() });
    assert!(matches!(h1_of_zip(&zip), Err(ProviderError::DuplicateEntry { .. })));
}

#[test]
fn refuses_names_that_clash_once_unpacked() {
    let zip =
        build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("README", b"1"), Entry::File("readme", b"2")]);
    let err = refused(&zip, "null");
    assert!(
        matches!(&err, ProviderError::ConflictingEntries { entry, other, .. } if entry == "readme" && other == "README"),
        "{err}"
    );
    let zip = build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("docs", b"1"), Entry::File("docs/a", b"2")]);
    assert!(matches!(refused(&zip, "null"), ProviderError::ConflictingEntries { .. }));
    let zip = build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("docs/a", b"1"), Entry::File("Docs", b"2")]);
    assert!(matches!(refused(&zip, "null"), ProviderError::ConflictingEntries { .. }));
    let zip =
        build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("docs/a", b"1"), Entry::File("Docs/b", b"2")]);
    assert!(matches!(refused(&zip, "null"), ProviderError::ConflictingEntries { .. }));
    let zip =
        build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("docs/a", b"1"), Entry::File("docs/b/c", b"2")]);
    assert!(check(&zip, "null").is_ok());
}

#[test]
fn refuses_encrypted_entries() {
    let mut zip = null_package();
    let (local, central) = headers(&zip);
    for pos in local.iter().map(|p| p + 6).chain(central.iter().map(|p| p + 8)) {
        zip[pos] |= 1;
    }
    assert_eq!(refused(&zip, "null"), ProviderError::Encrypted { entry: NULL_EXE.into() });
}

#[test]
fn refuses_other_compression_methods() {
    let mut zip = null_package();
    let (local, central) = headers(&zip);
    // Method 12 is bzip2.
    for pos in local.iter().map(|p| p + 8).chain(central.iter().map(|p| p + 10)) {
        zip[pos] = 12;
    }
    let err = refused(&zip, "null");
    assert!(matches!(err, ProviderError::UnsupportedCompression { .. }), "{err}");
}

#[test]
fn refuses_corrupt_entries() {
    // A flipped content byte fails the CRC.
    let mut zip = build(&[Entry::Stored(NULL_EXE, b"provider bytes")]);
    patch_all(&mut zip, b"provider bytes", b"provider bytez");
    let err = refused(&zip, "null");
    assert!(matches!(&err, ProviderError::Corrupt { entry, .. } if entry == NULL_EXE), "{err}");

    // A deflated entry whose central header understates its size.
    let mut zip = build(&[Entry::Exe(NULL_EXE, &[7u8; 5000])]);
    let (_, central) = headers(&zip);
    zip[central[0] + 24..central[0] + 28].copy_from_slice(&100u32.to_le_bytes());
    let err = refused(&zip, "null");
    assert!(matches!(err, ProviderError::Corrupt { .. }), "{err}");
}

/// CRC-32 (IEEE), for building an Info-ZIP Unicode Path field.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn refuses_names_renamed_by_a_unicode_path_field() {
    let mut field = vec![1u8];
    field.extend_from_slice(&crc32(b"README.md").to_le_bytes());
    field.extend_from_slice(b"terraform-provider-null");
    let mut opts = FullFileOptions::default().compression_method(CompressionMethod::Deflated);
    opts.add_extra_data(0xcafe, field.into_boxed_slice(), true).unwrap();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer.start_file("README.md", opts).unwrap();
    writer.write_all(b"hi\n").unwrap();
    let mut zip = writer.finish().unwrap().into_inner();
    patch_all(&mut zip, &[0xfe, 0xca, 28, 0], &[0x75, 0x70, 28, 0]);
    let err = refused(&zip, "null");
    assert!(matches!(&err, ProviderError::UnsafeName { entry, .. } if entry == "README.md"), "{err}");
}

/// A few files, deflated and stored, in a folder too.
fn few_files_package() -> Vec<u8> {
    build(&[
        Entry::Exe(NULL_EXE, b"\x7fELF pretend provider, pretend provider"),
        Entry::File("LICENSE", b"MPL-2.0\n"),
        Entry::Stored("README.md", b"# null\n"),
        Entry::File("docs/guide.md", b"# Guide\n"),
    ])
}

#[test]
fn reader_over_a_file_matches_check_package() {
    let zip = few_files_package();
    let in_memory = check_package(&zip, "null", &linux(), &PackageLimits::default()).unwrap();
    assert_eq!(in_memory.size, zip.len() as u64);
    assert_eq!(in_memory.sha256, hex::encode(Sha256::digest(&zip)));

    // The position is at the end after writing: the package is still read from offset 0.
    let mut file = temp_file(&zip);
    let from_file = check_package_reader(&mut file, "null", &linux(), &PackageLimits::default()).unwrap();
    assert_eq!(from_file, in_memory);
    // And from the middle, by value.
    file.seek(SeekFrom::Start(7)).unwrap();
    assert_eq!(check_package_reader(file, "null", &linux(), &PackageLimits::default()).unwrap(), in_memory);
    assert_eq!(
        check_package_reader(Cursor::new(&zip), "null", &linux(), &PackageLimits::default()),
        Ok(in_memory)
    );
}

/// `len` bytes from a xorshift generator: incompressible, and the same every run.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

#[test]
fn large_package_from_a_file() {
    let executable = noise(20 << 20);
    let mut file = tempfile::tempfile().unwrap();
    let mut writer = ZipWriter::new(&mut file);
    writer.start_file(NULL_EXE, options(0o755).compression_method(CompressionMethod::Stored)).unwrap();
    writer.write_all(&executable).unwrap();
    writer.start_file("LICENSE", options(0o644)).unwrap();
    writer.write_all(b"MPL-2.0\n").unwrap();
    writer.finish().unwrap();

    let from_file = check_package_reader(&mut file, "null", &linux(), &PackageLimits::default()).unwrap();
    let mut zip = Vec::new();
    file.seek(SeekFrom::Start(0)).unwrap();
    file.read_to_end(&mut zip).unwrap();
    assert!(zip.len() > 20 << 20, "stored, not compressed: {}", zip.len());
    assert_eq!(from_file, check_package(&zip, "null", &linux(), &PackageLimits::default()).unwrap());
    assert_eq!(from_file.size, zip.len() as u64);
    assert_eq!(from_file.sha256, hex::encode(Sha256::digest(&zip)));
    assert_eq!(from_file.executable, NULL_EXE);
    let files = [(NULL_EXE.to_owned(), executable), ("LICENSE".to_owned(), b"MPL-2.0\n".to_vec())];
    assert_eq!(from_file.h1, h1_of_files(&files).unwrap());
}

#[test]
fn refusals_are_the_same_from_a_file() {
    let limits = PackageLimits::default();
    let from_file = |zip: &[u8], limits: &PackageLimits| {
        check_package_reader(temp_file(zip), "null", &linux(), limits).unwrap_err()
    };

    let mut duplicate =
        build(&[Entry::Exe(NULL_EXE, b"1"), Entry::File("README.md", b"1"), Entry::File("README.mX", b"2")]);
    patch_all(&mut duplicate, b"README.mX", b"README.md");
    assert_eq!(from_file(&duplicate, &limits), ProviderError::DuplicateEntry { entry: "README.md".into() });

    for garbage in [&b""[..], b"not a zip at all", &[0u8; 100_000]] {
        let err = from_file(garbage, &limits);
        assert!(matches!(err, ProviderError::NotAZip { .. }), "{err}");
        assert_eq!(Err(err), check(garbage, "null"));
    }

    let few = PackageLimits { max_entries: 3, ..limits };
    assert_eq!(from_file(&few_files_package(), &few), ProviderError::TooManyEntries { limit: 3 });

    let zeros = vec![0u8; 4 << 20];
    let bomb = build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("zeros", &zeros)]);
    assert_eq!(
        from_file(&bomb, &limits),
        ProviderError::CompressionRatio { entry: "zeros".into(), limit: 100 }
    );

    let unsafe_name = build(&[Entry::Exe(NULL_EXE, b"bin"), Entry::File("../x", b"x")]);
    assert!(matches!(from_file(&unsafe_name, &limits), ProviderError::UnsafeName { .. }));

    let mut corrupt = build(&[Entry::Stored(NULL_EXE, b"provider bytes")]);
    patch_all(&mut corrupt, b"provider bytes", b"provider bytez");
    assert!(matches!(from_file(&corrupt, &limits), ProviderError::Corrupt { .. }));
}
