//! `.zip` inputs.

use super::*;

/// Offsets of every occurrence of a 4-byte signature.
fn offsets(bytes: &[u8], signature: &[u8; 4]) -> Vec<usize> {
    (0..bytes.len().saturating_sub(3)).filter(|&i| &bytes[i..i + 4] == signature).collect()
}

const LOCAL: &[u8; 4] = b"PK\x03\x04";
const CENTRAL: &[u8; 4] = b"PK\x01\x02";

/// Incompressible bytes from a fixed linear congruential generator.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) as u8
        })
        .collect()
}

#[test]
fn plain_zip() {
    let input = zip_archive(|w| {
        w.add_directory("modules/", zip_options(0o755)).unwrap();
        zip_add(w, "main.tf", b"output \"y\" { value = 1 }\n", 0o644);
        zip_add(w, "modules/run.sh", b"#!/bin/sh\n", 0o755);
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        w.start_file("stored.tf", stored).unwrap();
        w.write_all(b"stored").unwrap();
    });
    let module = normalize_ok(&input);
    assert_eq!(
        unpack(&module),
        [
            out("main.tf", b"output \"y\" { value = 1 }\n", 0o644),
            out("modules/run.sh", b"#!/bin/sh\n", 0o755),
            out("stored.tf", b"stored", 0o644),
        ]
    );
}

#[test]
fn zip_wrapping_folder_is_stripped() {
    let input = zip_archive(|w| {
        w.add_directory("mod-main/", zip_options(0o755)).unwrap();
        zip_add(w, "mod-main/main.tf", b"", 0o644);
        w.add_directory("mod-main/modules/child/", zip_options(0o755)).unwrap();
        zip_add(w, "mod-main/modules/child/main.tf", b"", 0o644);
    });
    assert_eq!(normalize_ok(&input).files, ["main.tf", "modules/child/main.tf"]);
}

#[test]
fn zip_unsafe_paths_are_refused() {
    for (name, reason) in [
        ("../evil.tf", ".."),
        ("/abs.tf", "absolute"),
        ("a/../../x", ".."),
        ("dir\\main.tf", "backslash"),
        ("C:\\main.tf", "backslash"),
        ("D:/main.tf", "drive"),
    ] {
        let input = zip_files(&[("main.tf", b""), (name, b"x")]);
        let err = normalize_err(&input);
        assert!(
            matches!(&err, ArchiveError::UnsafePath { path, reason: why } if path == name && why.contains(reason)),
            "{name}: {err:?}"
        );
        assert_names(&err, &format!("{name:?}"));
    }
}

#[test]
fn zip_symlink_is_refused() {
    let input = zip_archive(|w| {
        zip_add(w, "main.tf", b"", 0o644);
        w.add_symlink("link.tf", "/etc/passwd", SimpleFileOptions::default()).unwrap();
    });
    let err = normalize_err(&input);
    assert!(
        matches!(&err, ArchiveError::UnsupportedEntryType { path, kind } if path == "link.tf" && kind == "symbolic link"),
        "{err:?}"
    );
    assert_names(&err, "\"link.tf\"");
}

#[test]
fn zip_special_files_are_refused() {
    for (mode, kind) in [
        (0o010_644u32, "FIFO"),
        (0o020_644, "character device"),
        (0o060_644, "block device"),
        (0o140_644, "socket"),
    ] {
        let mut input = zip_files(&[("main.tf", b""), ("special", b"")]);
        let central = offsets(&input, CENTRAL)[1];
        input[central + 38..central + 42].copy_from_slice(&(mode << 16).to_le_bytes());
        let err = normalize_err(&input);
        assert!(
            matches!(&err, ArchiveError::UnsupportedEntryType { path, kind: k } if path == "special" && k.contains(kind)),
            "{err:?}"
        );
    }
}

#[test]
fn encrypted_zip_entry_is_refused() {
    // The zip writer cannot encrypt without the aes-crypto feature, so set
    // the "encrypted" flag bit on a stored entry by hand.
    let mut input = zip_archive(|w| {
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        w.start_file("secret.tf", stored).unwrap();
        w.write_all(b"ciphertext").unwrap();
    });
    let (local, central) = (offsets(&input, LOCAL)[0], offsets(&input, CENTRAL)[0]);
    input[local + 6] |= 1;
    input[central + 8] |= 1;
    let err = normalize_err(&input);
    assert_eq!(err, ArchiveError::Encrypted { path: "secret.tf".into() });
    assert_names(&err, "\"secret.tf\"");
}

#[test]
fn unsupported_compression_is_refused() {
    let mut input = zip_archive(|w| {
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        w.start_file("main.tf", stored).unwrap();
        w.write_all(b"data").unwrap();
    });
    // Claim bzip2 (method 12).
    let (local, central) = (offsets(&input, LOCAL)[0], offsets(&input, CENTRAL)[0]);
    input[local + 8] = 12;
    input[central + 10] = 12;
    let err = normalize_err(&input);
    assert!(
        matches!(&err, ArchiveError::UnsupportedCompression { path, .. } if path == "main.tf"),
        "{err:?}"
    );
}

#[test]
fn zip_duplicate_names_are_refused() {
    let mut input = zip_files(&[("main.tf", b"1"), ("evil.tf", b"2")]);
    assert_eq!(patch_all(&mut input, b"evil.tf", b"main.tf"), 2);
    let err = normalize_err(&input);
    assert_eq!(err, ArchiveError::DuplicatePath { path: "main.tf".into() });
    assert_names(&err, "\"main.tf\"");

    let normalised = zip_files(&[("main.tf", b"1"), ("./main.tf", b"2")]);
    assert_eq!(normalize_err(&normalised), ArchiveError::DuplicatePath { path: "main.tf".into() });
}

#[test]
fn zip_too_many_entries() {
    let limits = ArchiveLimits { max_entries: 2, ..ArchiveLimits::default() };
    let input = zip_files(&[("a.tf", b""), ("b.tf", b""), ("c.tf", b"")]);
    let err = normalize_module_archive(&input, &limits).unwrap_err();
    assert_eq!(err, ArchiveError::TooManyEntries { limit: 2, path: None });
    assert_names(&err, "more than 2 entries");

    // When the end record cannot be found cheaply (here: junk after it),
    // the entry over the limit is named once the directory is read.
    let mut input = input;
    input.extend_from_slice(b"trailing junk");
    let err = normalize_module_archive(&input, &limits).unwrap_err();
    assert_eq!(err, ArchiveError::TooManyEntries { limit: 2, path: Some("c.tf".into()) });
}

#[test]
fn zip_size_limits() {
    let limits = ArchiveLimits { max_file_bytes: 100, max_total_bytes: 150, ..ArchiveLimits::default() };
    let big_file = zip_files(&[("main.tf", b""), ("big.tf", &[b'x'; 101])]);
    assert_eq!(
        normalize_module_archive(&big_file, &limits).unwrap_err(),
        ArchiveError::FileTooLarge { path: "big.tf".into(), limit: 100 }
    );
    let big_total = zip_files(&[("main.tf", &[b'x'; 100]), ("b.tf", &[b'y'; 51])]);
    assert_eq!(
        normalize_module_archive(&big_total, &limits).unwrap_err(),
        ArchiveError::TotalTooLarge { path: "b.tf".into(), limit: 150 }
    );
}

#[test]
fn zip_declared_sizes_are_not_trusted() {
    let limits = ArchiveLimits { max_file_bytes: 100, ..ArchiveLimits::default() };
    let mut input = zip_files(&[("main.tf", &[b'x'; 1000])]);
    // Claim an uncompressed size of 10 bytes in both headers.
    let local = offsets(&input, LOCAL)[0];
    input[local + 22..local + 26].copy_from_slice(&10u32.to_le_bytes());
    let central = offsets(&input, CENTRAL)[0];
    input[central + 24..central + 28].copy_from_slice(&10u32.to_le_bytes());
    // Limits apply to the bytes actually decompressed…
    assert_eq!(
        normalize_module_archive(&input, &limits).unwrap_err(),
        ArchiveError::FileTooLarge { path: "main.tf".into(), limit: 100 }
    );
    // … and a size mismatch is corruption, as for Go's archive/zip.
    let err = normalize_err(&input);
    assert!(matches!(&err, ArchiveError::Corrupt { entry: Some(e), .. } if e == "main.tf"), "{err:?}");
}

#[test]
fn zip_bomb_is_refused_by_ratio() {
    let zeros = vec![0u8; 20 << 20];
    let input = zip_files(&[("main.tf", b""), ("bomb.tf", &zeros)]);
    assert!(input.len() < 100 << 10, "compresses well: {}", input.len());
    let err = normalize_err(&input);
    assert_eq!(err, ArchiveError::CompressionRatio { path: "bomb.tf".into(), limit: 200 });
    assert_names(&err, "\"bomb.tf\"");
}

#[test]
fn truncated_and_corrupt_zips_are_refused() {
    let valid = zip_files(&[("main.tf", &noise(5000)), ("b.tf", b"b")]);
    for cut in [valid.len() - 1, valid.len() - 30, valid.len() / 2, 4] {
        let err = normalize_err(&valid[..cut]);
        assert!(
            matches!(err, ArchiveError::Corrupt { format: ArchiveFormat::Zip, .. }),
            "cut at {cut}: {err:?}"
        );
        assert_names(&err, "corrupt or truncated .zip archive");
    }
    // Damaged compressed data: caught by deflate or the CRC check.
    let mut damaged = valid.clone();
    let local = offsets(&damaged, LOCAL)[0];
    let data_start = local + 30 + "main.tf".len();
    for byte in &mut damaged[data_start + 2..data_start + 12] {
        *byte ^= 0x5a;
    }
    let err = normalize_err(&damaged);
    assert!(matches!(&err, ArchiveError::Corrupt { entry: Some(e), .. } if e == "main.tf"), "{err:?}");
}
