//! `.tar.gz` inputs.

use super::*;

#[test]
fn plain_tar_gz() {
    let input = tar_gz_files(&[
        ("variables.tf", b"variable \"x\" {}\n"),
        ("main.tf", b"output \"y\" { value = 1 }\n"),
        ("README.md", b"# module\n"),
    ]);
    let module = normalize_ok(&input);
    assert_eq!(module.files, ["README.md", "main.tf", "variables.tf"]);
    assert_eq!(
        unpack(&module),
        [
            out("README.md", b"# module\n", 0o644),
            out("main.tf", b"output \"y\" { value = 1 }\n", 0o644),
            out("variables.tf", b"variable \"x\" {}\n", 0o644),
        ]
    );
    assert_eq!(module.sha256.len(), 64);
    assert!(module
        .sha256
        .chars()
        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
}

#[test]
fn github_style_wrapping_folder_is_stripped() {
    let input = tar_gz(|b| {
        // GitHub tarballs start with a pax global header holding the commit.
        let mut global = Header::new_ustar();
        global.set_path("pax_global_header").unwrap();
        global.set_entry_type(EntryType::XGlobalHeader);
        let comment = b"52 comment=0123456789abcdef0123456789abcdef01234567\n";
        global.set_size(comment.len() as u64);
        global.set_cksum();
        b.append(&global, &comment[..]).unwrap();
        add_dir(b, "repo-1.2.0/");
        add_file(b, "repo-1.2.0/main.tf", b"root", 0o664);
        add_dir(b, "repo-1.2.0/modules/");
        add_dir(b, "repo-1.2.0/modules/child/");
        add_file(b, "repo-1.2.0/modules/child/main.tf", b"child", 0o664);
    });
    let module = normalize_ok(&input);
    assert_eq!(module.files, ["main.tf", "modules/child/main.tf"]);
    assert_eq!(
        unpack(&module),
        [
            out("main.tf", b"root", 0o644),
            out("modules/child/main.tf", b"child", 0o644)
        ]
    );
}

#[test]
fn only_one_wrapping_level_is_stripped() {
    let module = normalize_ok(&tar_gz_files(&[("a/b/main.tf", b""), ("a/b/c.tf", b"")]));
    assert_eq!(module.files, ["b/c.tf", "b/main.tf"]);
}

#[test]
fn nothing_is_stripped_when_a_file_is_at_the_root() {
    let module = normalize_ok(&tar_gz_files(&[
        ("main.tf", b""),
        ("modules/child/main.tf", b""),
        ("modules/other/main.tf", b""),
    ]));
    assert_eq!(
        module.files,
        ["main.tf", "modules/child/main.tf", "modules/other/main.tf"]
    );
}

#[test]
fn dot_slash_prefixes_and_repeated_slashes_are_removed() {
    let input = tar_gz(|b| {
        add_raw(b, b"./", EntryType::Directory, b"", b"");
        add_raw(b, b"./main.tf", EntryType::Regular, b"m", b"");
        add_raw(b, b"./modules//child/", EntryType::Directory, b"", b"");
        add_raw(
            b,
            b"./modules//child//main.tf",
            EntryType::Regular,
            b"c",
            b"",
        );
    });
    let module = normalize_ok(&input);
    assert_eq!(module.files, ["main.tf", "modules/child/main.tf"]);
}

#[test]
fn executable_bit_is_kept() {
    let input = tar_gz(|b| {
        add_file(b, "main.tf", b"", 0o600);
        add_file(b, "scripts/run.sh", b"#!/bin/sh\n", 0o700);
        add_file(b, "scripts/group.sh", b"", 0o610);
        add_file(b, "scripts/setuid.sh", b"", 0o4644);
    });
    let modes: Vec<_> = unpack(&normalize_ok(&input))
        .into_iter()
        .map(|f| (f.path, f.mode))
        .collect();
    assert_eq!(
        modes,
        [
            ("main.tf".to_owned(), 0o644),
            ("scripts/group.sh".to_owned(), 0o755),
            ("scripts/run.sh".to_owned(), 0o755),
            ("scripts/setuid.sh".to_owned(), 0o644),
        ]
    );
}

#[test]
fn long_paths_survive() {
    let deep = format!("{}/main.tf", ["segment-of-a-long-path"; 12].join("/"));
    let long_name = format!("modules/{}.tf", "n".repeat(150));
    assert!(deep.len() > 255 && long_name.len() > 100);
    let input = tar_gz(|b| {
        add_file(b, "main.tf", b"root", 0o644);
        add_file(b, &deep, b"deep", 0o644);
        // A pax extended header carrying the path, as bsdtar writes them.
        b.append_pax_extensions([("path", long_name.as_bytes())])
            .unwrap();
        add_raw(b, b"truncated-name.tf", EntryType::Regular, b"pax", b"");
    });
    let files = unpack(&normalize_ok(&input));
    assert_eq!(
        files,
        [
            out("main.tf", b"root", 0o644),
            out(&long_name, b"pax", 0o644),
            out(&deep, b"deep", 0o644),
        ]
    );
}

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
        (
            "link.tf",
            EntryType::Symlink,
            &b"/etc/passwd"[..],
            "symbolic link",
        ),
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
        add_raw(
            b,
            b"./GNUSparseFile.0/data.tf",
            EntryType::Regular,
            b"1\n0\n0\n",
            b"",
        );
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
    let limits = ArchiveLimits {
        max_entries: 3,
        ..ArchiveLimits::default()
    };
    let input = tar_gz(|b| {
        add_dir(b, "m/");
        add_file(b, "m/a.tf", b"", 0o644);
        add_file(b, "m/b.tf", b"", 0o644);
        add_file(b, "m/c.tf", b"", 0o644);
    });
    let err = normalize_module_archive(&input, &limits).unwrap_err();
    assert_eq!(
        err,
        ArchiveError::TooManyEntries {
            limit: 3,
            path: Some("m/c.tf".into())
        }
    );
    assert_names(&err, "\"m/c.tf\"");
    let fits = ArchiveLimits {
        max_entries: 4,
        ..limits
    };
    assert!(normalize_module_archive(&input, &fits).is_ok());
}

#[test]
fn file_too_big() {
    let limits = ArchiveLimits {
        max_file_bytes: 10,
        ..ArchiveLimits::default()
    };
    let ok = tar_gz_files(&[("main.tf", &[b'x'; 10]), ("b.tf", &[b'y'; 10])]);
    assert!(normalize_module_archive(&ok, &limits).is_ok());
    let big = tar_gz_files(&[("main.tf", b""), ("big.tf", &[b'x'; 11])]);
    let err = normalize_module_archive(&big, &limits).unwrap_err();
    assert_eq!(
        err,
        ArchiveError::FileTooLarge {
            path: "big.tf".into(),
            limit: 10
        }
    );
    assert_names(&err, "\"big.tf\"");
}

#[test]
fn total_too_big() {
    let limits = ArchiveLimits {
        max_total_bytes: 25,
        ..ArchiveLimits::default()
    };
    let ok = tar_gz_files(&[("main.tf", &[1; 10]), ("b.tf", &[2; 15])]);
    assert!(normalize_module_archive(&ok, &limits).is_ok());
    let big = tar_gz_files(&[
        ("main.tf", &[1; 10]),
        ("b.tf", &[2; 10]),
        ("c.tf", &[3; 10]),
    ]);
    let err = normalize_module_archive(&big, &limits).unwrap_err();
    assert_eq!(
        err,
        ArchiveError::TotalTooLarge {
            path: "c.tf".into(),
            limit: 25
        }
    );
    assert_names(&err, "\"c.tf\"");
}

#[test]
fn decompression_bomb_is_refused_by_ratio() {
    let zeros = vec![0u8; 20 << 20];
    let input = tar_gz_files(&[("main.tf", b""), ("bomb.tf", &zeros)]);
    assert!(input.len() < 100 << 10, "compresses well: {}", input.len());
    let err = normalize_err(&input);
    assert_eq!(
        err,
        ArchiveError::CompressionRatio {
            path: "bomb.tf".into(),
            limit: 200
        }
    );
    assert_names(&err, "\"bomb.tf\"");
    // Below 1 MiB unpacked the ratio is not enforced.
    let small = tar_gz_files(&[("main.tf", &[0; 1 << 19])]);
    assert!(normalize(&small).is_ok());
}

#[test]
fn oversized_headers_are_refused() {
    let limits = ArchiveLimits {
        max_entries: 2,
        max_total_bytes: 1024,
        ..ArchiveLimits::default()
    };
    let input = tar_gz(|b| {
        add_file(b, "main.tf", b"", 0o644);
        let comment = vec![b'a'; 200 << 10];
        b.append_pax_extensions([("comment", &comment[..])])
            .unwrap();
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
            matches!(
                err,
                ArchiveError::Corrupt {
                    format: ArchiveFormat::TarGz,
                    ..
                }
            ),
            "cut at {cut}: {err:?}"
        );
        assert_names(&err, "corrupt or truncated .tar.gz archive");
    }
    let mut garbage = vec![0x1f, 0x8b];
    garbage.extend_from_slice(b"this is not deflate data at all");
    assert!(matches!(
        normalize_err(&garbage),
        ArchiveError::Corrupt { .. }
    ));

    // A gzip stream that is not a tar.
    assert!(matches!(
        normalize_err(&gzip(b"resource \"x\" \"y\" {}\n")),
        ArchiveError::Corrupt { .. }
    ));

    let mut trailing = valid.clone();
    trailing.extend_from_slice(b"junk after the gzip stream");
    assert!(matches!(
        normalize_err(&trailing),
        ArchiveError::Corrupt { .. }
    ));
}

#[test]
fn corrupt_file_data_is_refused() {
    // The tar ends in the middle of a file's data; the gzip stream is fine.
    let mut tar = tar::Builder::new(Vec::new());
    add_file(&mut tar, "main.tf", &[b'x'; 2000], 0o644);
    let tar = tar.into_inner().unwrap();
    let err = normalize_err(&gzip(&tar[..1000]));
    assert!(
        matches!(&err, ArchiveError::Corrupt { entry: Some(e), .. } if e == "main.tf"),
        "{err:?}"
    );
    assert_names(&err, "\"main.tf\"");
}

#[test]
fn concatenated_gzip_members_are_read() {
    let mut tar = tar::Builder::new(Vec::new());
    add_file(&mut tar, "main.tf", b"x", 0o644);
    let tar = tar.into_inner().unwrap();
    let (head, tail) = tar.split_at(700);
    let mut input = gzip(head);
    input.extend(gzip(tail));
    assert_eq!(normalize_ok(&input).files, ["main.tf"]);
}

#[test]
fn duplicate_paths_are_refused() {
    for input in [
        tar_gz_files(&[("main.tf", b"1"), ("main.tf", b"2")]),
        tar_gz_files(&[("main.tf", b"1"), ("./main.tf", b"2")]),
        tar_gz_files(&[("m/a//main.tf", b"1"), ("m/a/main.tf", b"2")]),
    ] {
        let err = normalize_err(&input);
        assert!(
            matches!(&err, ArchiveError::DuplicatePath { .. }),
            "{err:?}"
        );
        assert_names(&err, "main.tf\"");
    }
}
