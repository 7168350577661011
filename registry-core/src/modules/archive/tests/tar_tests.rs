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
    assert!(module.sha256.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
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
        [out("main.tf", b"root", 0o644), out("modules/child/main.tf", b"child", 0o644)]
    );
}

#[test]
fn only_one_wrapping_level_is_stripped() {
    let module = normalize_ok(&tar_gz_files(&[("a/main.tf", b""), ("a/b/main.tf", b""), ("a/b/c.tf", b"")]));
    assert_eq!(module.files, ["b/c.tf", "b/main.tf", "main.tf"]);
}

#[test]
fn a_folder_without_terraform_files_of_its_own_is_not_a_wrapper() {
    let module = normalize_ok(&tar_gz_files(&[("modules/child/main.tf", b""), ("modules/README.md", b"")]));
    assert_eq!(module.files, ["modules/README.md", "modules/child/main.tf"]);
}

#[test]
fn macos_metadata_is_dropped() {
    let module = normalize_ok(&tar_gz_files(&[
        ("mod/main.tf", b""),
        ("mod/._main.tf", b"apple"),
        ("mod/.DS_Store", b"apple"),
        ("__MACOSX/mod/._main.tf", b"apple"),
    ]));
    assert_eq!(module.files, ["main.tf"]);
}

#[test]
fn nothing_is_stripped_when_a_file_is_at_the_root() {
    let module = normalize_ok(&tar_gz_files(&[
        ("main.tf", b""),
        ("modules/child/main.tf", b""),
        ("modules/other/main.tf", b""),
    ]));
    assert_eq!(module.files, ["main.tf", "modules/child/main.tf", "modules/other/main.tf"]);
}

#[test]
fn dot_slash_prefixes_and_repeated_slashes_are_removed() {
    let input = tar_gz(|b| {
        add_raw(b, b"./", EntryType::Directory, b"", b"");
        add_raw(b, b"./main.tf", EntryType::Regular, b"m", b"");
        add_raw(b, b"./modules//child/", EntryType::Directory, b"", b"");
        add_raw(b, b"./modules//child//main.tf", EntryType::Regular, b"c", b"");
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
    let modes: Vec<_> = unpack(&normalize_ok(&input)).into_iter().map(|f| (f.path, f.mode)).collect();
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
        b.append_pax_extensions([("path", long_name.as_bytes())]).unwrap();
        add_raw(b, b"truncated-name.tf", EntryType::Regular, b"pax", b"");
    });
    let files = unpack(&normalize_ok(&input));
    assert_eq!(
        files,
        [out("main.tf", b"root", 0o644), out(&long_name, b"pax", 0o644), out(&deep, b"deep", 0o644),]
    );
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
