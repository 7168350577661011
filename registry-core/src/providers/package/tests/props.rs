//! Property tests of package checks, hashes and `SHA256SUMS`.

use std::io::Read;

use base64::Engine;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::*;

/// The `h1:` hash of a zip computed without the registry's code: the zip crate reads every file
/// entry, and the dirhash is assembled by hand (see `dirhash.rs` for the format).
fn independent_h1(zip: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).ok()?;
    let mut lines = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).ok()?;
        if entry.is_dir() {
            continue;
        }
        let mut content = Vec::new();
        entry.read_to_end(&mut content).ok()?;
        lines.push((entry.name().to_owned(), hex::encode(Sha256::digest(&content))));
    }
    // Sorted by file name, bytewise; then one line per file.
    lines.sort();
    let lines: Vec<String> = lines.iter().map(|(name, hash)| format!("{hash}  {name}\n")).collect();
    let summary = Sha256::digest(lines.concat().as_bytes());
    Some(format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(summary)))
}

fn valid_shasums() -> impl Strategy<Value = String> {
    proptest::collection::btree_map("[A-Za-z0-9._+-]{1,40}", "[0-9a-f]{64}", 1..12)
        .prop_map(|map| map.iter().map(|(name, hash)| format!("{hash}  {name}\n")).collect::<String>())
}

/// A small package, then random bytes overwritten and an optional cut.
fn mangled_zip() -> impl Strategy<Value = Vec<u8>> {
    let base = build(&[
        Entry::Exe(NULL_EXE, b"\x7fELF provider provider provider"),
        Entry::Stored("README.md", b"hi\n"),
        Entry::File("docs/a.md", b"aaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
    ]);
    let len = base.len();
    (proptest::collection::vec((0..len, any::<u8>()), 0..6), 0..=len).prop_map(move |(edits, cut)| {
        let mut zip = base.clone();
        for (pos, byte) in edits {
            zip[pos] = byte;
        }
        zip.truncate(cut.max(len / 2));
        zip
    })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = check(&bytes, "null");
        let _ = h1_of_zip(&bytes);
        let _ = ShaSums::parse(&bytes);
    }

    #[test]
    fn mangled_zips_never_panic(zip in mangled_zip()) {
        if let Ok(package) = check(&zip, "null") {
            // What got through hashes as an independent reading of the same zip does.
            prop_assert_eq!(&package.sha256, &hex::encode(Sha256::digest(&zip)));
            prop_assert_eq!(&package.zh, &format!("zh:{}", package.sha256));
            let independent = independent_h1(&zip);
            prop_assert_eq!(Some(&package.h1), independent.as_ref());
        }
    }

    #[test]
    fn shasums_like_text_never_panics(text in "([0-9a-fA-F]{60,66}[ *\t]{0,3}[a-z.*/ \r]{0,8}\n?){0,4}") {
        if let Ok(sums) = ShaSums::parse(text.as_bytes()) {
            prop_assert_eq!(ShaSums::parse(sums.render().as_bytes()).unwrap(), sums);
        }
    }

    #[test]
    fn render_of_parse_is_identity(text in valid_shasums()) {
        let sums = ShaSums::parse(text.as_bytes()).unwrap();
        prop_assert_eq!(sums.render(), text);
    }

    #[test]
    fn platforms_round_trip(os in "[a-z][a-z0-9]{0,31}", arch in "[a-z0-9]{1,32}") {
        let platform = Platform::new(&os, &arch).unwrap();
        prop_assert_eq!(Platform::parse(&platform.to_string()).unwrap(), platform);
    }
}
