//! `.tar.gz` inputs that must be refused.

use super::*;

#[test]
fn traversal_and_absolute_paths_are_refused() {
    for (name, reason) in [
        (&b"../evil.tf"[..], ".."),
        (b"/abs.tf", "absolute"),
        (b"a/../../x", ".."),
        (b"ok/../../../etc/cron.d/x", ".."),
        (b"C:/windows.tf", "drive"),
        (b"dir\\main.tf", "backslash"),
        (b"bad\x1bname.tf", "control"),
    ] {
        let input = tar_gz(|b| {
            add_file(b, "main.tf", b"", 0o644);
            add_raw(b, name, EntryType::Regular, b"x", b"");
        });
        let err = normalize_err(&input);
        let shown = String::from_utf8_lossy(name).into_owned();
        match &err {
            ArchiveError::UnsafePath { path, reason: why } => {
                assert_eq!(path, &shown);
                assert!(why.contains(reason), "{why}");
            }
            other => panic!("{shown}: expected UnsafePath, got {other:?}"),
        }
        assert_names(&err, &format!("{shown:?}"));
    }
}

#[test]
fn traversal_in_directory_entries_is_refused() {
    let input = tar_gz(|b| {
        add_file(b, "main.tf", b"", 0o644);
        add_raw(b, b"../outside/", EntryType::Directory, b"", b"");
    });
    assert!(matches!(
        normalize_err(&input),
        ArchiveError::UnsafePath { path, .. } if path == "../outside/"
    ));
}

#[test]
fn links_devices_and_fifos_are_refused() {
    for (name, ty, link, kind) in [
        ("link.tf", EntryType::Symlink, &b"/etc/passwd"[..], "symbolic link"),
        ("hard.tf", EntryType::Link, b"main.tf", "hard link"),
        ("tty", EntryType::Char, b"", "character device"),
        ("disk", EntryType::Block, b"", "block device"),
        ("pipe", EntryType::Fifo, b"", "FIFO"),
        ("vol", EntryType::new(b'V'), b"", "unsupported type 'V'"),
    ] {
        let input = tar_gz(|b| {
            add_file(b, "main.tf", b"", 0o644);
            add_raw(b, name.as_bytes(), ty, b"", link);
        });
        let err = normalize_err(&input);
        match &err {
            ArchiveError::UnsupportedEntryType { path, kind: k } => {
                assert_eq!(path, name);
                assert!(k.contains(kind), "{k}");
            }
            other => panic!("{name}: expected UnsupportedEntryType, got {other:?}"),
        }
        assert_names(&err, &format!("{name:?}"));
    }
    let err = normalize_err(&tar_gz(|b| {
        add_raw(b, b"link.tf", EntryType::Symlink, b"", b"/etc/passwd");
    }));
    assert_names(&err, "/etc/passwd");
}

#[test]
fn sparse_files_are_refused() {
    // An old-GNU sparse entry with an empty sparse map.
    let gnu_sparse = tar_gz(|b| {
        let mut header = Header::new_gnu();
        header.as_gnu_mut().unwrap().name[..9].copy_from_slice(b"sparse.tf");
        header.set_entry_type(EntryType::GNUSparse);
        header.set_size(0);
        header.set_mode(0o644);
        header.as_gnu_mut().unwrap().set_real_size(0);
        header.set_cksum();
        b.append(&header, &[][..]).unwrap();
    });
    let err = normalize_err(&gnu_sparse);
    assert!(
        matches!(&err, ArchiveError::UnsupportedEntryType { path, kind } if path == "sparse.tf" && kind.contains("sparse")),
        "{err:?}"
    );

    // A pax (format 1.0) sparse file: regular type, GNU.sparse.* keys.
    let pax_sparse = tar_gz(|b| {
        b.append_pax_extensions([
            ("GNU.sparse.major", &b"1"[..]),
            ("GNU.sparse.minor", b"0"),
            ("GNU.sparse.name", b"data.tf"),
            ("GNU.sparse.realsize", b"1024"),
        ])
        .unwrap();
        add_raw(b, b"./GNUSparseFile.0/data.tf", EntryType::Regular, b"1\n0\n0\n", b"");
    });
    let err = normalize_err(&pax_sparse);
    assert!(
        matches!(&err, ArchiveError::UnsupportedEntryType { kind, .. } if kind.contains("sparse")),
        "{err:?}"
    );
    assert_names(&err, "GNUSparseFile.0/data.tf");
}

#[test]
fn too_many_entries() {
    let limits = ArchiveLimits { max_entries: 3, ..ArchiveLimits::default() };
    let input = tar_gz(|b| {
        add_dir(b, "m/");
        add_file(b, "m/a.tf", b"", 0o644);
        add_file(b, "m/b.tf", b"", 0o644);
        add_file(b, "m/c.tf", b"", 0o644);
    });
    let err = normalize_module_archive(&input, &limits).unwrap_err();
    assert_eq!(err, ArchiveError::TooManyEntries { limit: 3, path: Some("m/c.tf".into()) });
    assert_names(&err, "\"m/c.tf\"");
    let fits = ArchiveLimits { max_entries: 4, ..limits };
    assert!(normalize_module_archive(&input, &fits).is_ok());
}

#[test]
fn file_too_big() {
    let limits = ArchiveLimits { max_file_bytes: 10, ..ArchiveLimits::default() };
    let ok = tar_gz_files(&[("main.tf", &[b'x'; 10]), ("b.tf", &[b'y'; 10])]);
    assert!(normalize_module_archive(&ok, &limits).is_ok());
    let big = tar_gz_files(&[("main.tf", b""), ("big.tf", &[b'x'; 11])]);
    let err = normalize_module_archive(&big, &limits).unwrap_err();
    assert_eq!(err, ArchiveError::FileTooLarge { path: "big.tf".into(), limit: 10 });
    assert_names(&err, "\"big.tf\"");
}

#[test]
fn total_too_big() {
    let limits = ArchiveLimits { max_total_bytes: 25, ..ArchiveLimits::default() };
    let ok = tar_gz_files(&[("main.tf", &[1; 10]), ("b.tf", &[2; 15])]);
    assert!(normalize_module_archive(&ok, &limits).is_ok());
    let big = tar_gz_files(&[("main.tf", &[1; 10]), ("b.tf", &[2; 10]), ("c.tf", &[3; 10])]);
    let err = normalize_module_archive(&big, &limits).unwrap_err();
    assert_eq!(err, ArchiveError::TotalTooLarge { path: "c.tf".into(), limit: 25 });
    assert_names(&err, "\"c.tf\"");
}

#[test]
fn decompression_bomb_is_refused_by_ratio() {
    // 20 MiB of zeros, compressed once per MiB (gzip members concatenate)
    // to keep the test fast in debug builds.
    let header = |name: &str, size: u64| {
        let mut header = Header::new_gnu();
        header.set_path(name).unwrap();
        header.set_size(size);
        header.set_mode(0o644);
        header.set_cksum();
        header.as_bytes().to_vec()
    };
    let mut input = gzip(&[header("main.tf", 0), header("bomb.tf", 20 << 20)].concat());
    let zeros = gzip(&vec![0u8; 1 << 20]);
    for _ in 0..20 {
        input.extend_from_slice(&zeros);
    }
    input.extend(gzip(&[0u8; 1024]));
    assert!(input.len() < 100 << 10, "compresses well: {}", input.len());
    let err = normalize_err(&input);
    assert_eq!(err, ArchiveError::CompressionRatio { path: "bomb.tf".into(), limit: 200 });
    assert_names(&err, "\"bomb.tf\"");
    // Below 1 MiB unpacked the ratio is not enforced.
    let small = tar_gz_files(&[("main.tf", &[0; 1 << 19])]);
    assert!(normalize(&small).is_ok());
}

#[test]
fn oversized_headers_are_refused() {
    let limits = ArchiveLimits { max_entries: 2, max_total_bytes: 1024, ..ArchiveLimits::default() };
    let input = tar_gz(|b| {
        add_file(b, "main.tf", b"", 0o644);
        let comment = vec![b'a'; 200 << 10];
        b.append_pax_extensions([("comment", &comment[..])]).unwrap();
        add_file(b, "b.tf", b"", 0o644);
    });
    let err = normalize_module_archive(&input, &limits).unwrap_err();
    assert!(
        matches!(&err, ArchiveError::MetadataTooLarge { entry: Some(e), .. } if e == "main.tf"),
        "{err:?}"
    );
    assert!(normalize(&input).is_ok());
}

#[test]
fn garbage_and_truncated_gzip_are_refused() {
    let valid = tar_gz_files(&[("main.tf", &[7; 4096]), ("b.tf", b"b")]);
    for cut in [valid.len() - 1, valid.len() - 8, valid.len() / 2, 12] {
        let err = normalize_err(&valid[..cut]);
        assert!(
            matches!(err, ArchiveError::Corrupt { format: ArchiveFormat::TarGz, .. }),
            "cut at {cut}: {err:?}"
        );
        assert_names(&err, "corrupt or truncated .tar.gz archive");
    }
    let mut garbage = vec![0x1f, 0x8b];
    garbage.extend_from_slice(b"this is not deflate data at all");
    assert!(matches!(normalize_err(&garbage), ArchiveError::Corrupt { .. }));

    // A gzip stream that is not a tar.
    assert!(matches!(normalize_err(&gzip(b"resource \"x\" \"y\" {}\n")), ArchiveError::Corrupt { .. }));

    let mut trailing = valid.clone();
    trailing.extend_from_slice(b"junk after the gzip stream");
    assert!(matches!(normalize_err(&trailing), ArchiveError::Corrupt { .. }));
}

#[test]
fn corrupt_file_data_is_refused() {
    // The tar ends in the middle of a file's data; the gzip stream is fine.
    let mut tar = tar::Builder::new(Vec::new());
    add_file(&mut tar, "main.tf", &[b'x'; 2000], 0o644);
    let tar = tar.into_inner().unwrap();
    let err = normalize_err(&gzip(&tar[..1000]));
    assert!(matches!(&err, ArchiveError::Corrupt { entry: Some(e), .. } if e == "main.tf"), "{err:?}");
    assert_names(&err, "\"main.tf\"");
}

#[test]
fn duplicate_paths_are_refused() {
    for input in [
        tar_gz_files(&[("main.tf", b"1"), ("main.tf", b"2")]),
        tar_gz_files(&[("main.tf", b"1"), ("./main.tf", b"2")]),
        tar_gz_files(&[("m/a//main.tf", b"1"), ("m/a/main.tf", b"2")]),
    ] {
        let err = normalize_err(&input);
        assert!(matches!(&err, ArchiveError::DuplicatePath { .. }), "{err:?}");
        assert_names(&err, "main.tf\"");
    }
}

#[test]
fn a_corrupt_header_is_described_without_echoing_its_bytes() {
    let mut tar = tar::Builder::new(Vec::new());
    add_file(&mut tar, "main.tf", b"# x\n", 0o644);
    let mut raw = tar.into_inner().unwrap();
    // The size field (12 bytes at offset 124) filled with control bytes and invalid UTF-8.
    raw[124..136].copy_from_slice(b"\x01\x02\x1b[31m\xff\xfe\x7f\x00a");
    let message = normalize_err(&gzip(&raw)).to_string();
    assert!(message.chars().all(|c| c == ' ' || c.is_ascii_graphic() || c == '…'), "{message:?}");
    assert!(message.contains("corrupt"), "{message}");
}
