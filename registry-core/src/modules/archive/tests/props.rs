//! Property tests: no input panics, and safe file sets round-trip.

use std::collections::BTreeMap;

use proptest::prelude::*;
use sha2::Digest;

use super::*;

/// Path -> (contents, executable).
type FileSet = BTreeMap<String, (Vec<u8>, bool)>;

/// A safe path component (never `.` or `..`).
fn component() -> impl Strategy<Value = String> {
    "[a-z0-9 _.\u{e9}\u{4e2d}-]{1,12}".prop_filter("not . or .. or macOS metadata", |c| {
        c != "." && c != ".." && !c.starts_with("._") && c != ".DS_Store"
    })
}

/// A set of safe relative file paths, none of which is another's parent,
/// plus a root `Main.tf` (upper case, so no generated path can clash with
/// it) so that no wrapping folder is stripped.
fn file_set() -> impl Strategy<Value = FileSet> {
    let path = prop::collection::vec(component(), 1..5).prop_map(|c| c.join("/"));
    let contents = (prop::collection::vec(any::<u8>(), 0..600), any::<bool>());
    prop::collection::btree_map(path, contents, 0..10).prop_map(|mut files| {
        let paths: Vec<String> = files.keys().cloned().collect();
        files.retain(|p, _| !paths.iter().any(|q| q.starts_with(&format!("{p}/"))));
        files.insert("Main.tf".to_owned(), (b"root".to_vec(), false));
        files
    })
}

fn tar_of(files: &FileSet, prefix: &str, reverse: bool) -> Vec<u8> {
    let mut list: Vec<_> = files.iter().collect();
    if reverse {
        list.reverse();
    }
    tar_gz(|b| {
        for (path, (data, exec)) in list {
            add_file(b, &format!("{prefix}{path}"), data, if *exec { 0o750 } else { 0o640 });
        }
    })
}

fn zip_of(files: &FileSet) -> Vec<u8> {
    zip_archive(|w| {
        for (path, (data, exec)) in files {
            zip_add(w, path, data, if *exec { 0o755 } else { 0o644 });
        }
    })
}

/// A small valid archive of each format, to mutate.
fn seeds() -> [Vec<u8>; 2] {
    let long = format!("modules/{}/main.tf", "x".repeat(120));
    let files: [(&str, &[u8]); 3] = [
        ("main.tf", b"variable \"a\" {}"),
        ("sub/b.tf", b"output \"b\" { value = 2 }"),
        (&long, b"locals {}"),
    ];
    let tar = tar_gz(|b| {
        add_dir(b, "sub/");
        for (p, d) in files {
            add_file(b, p, d, 0o644);
        }
    });
    [tar, zip_files(&files)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(
        prefix in prop::sample::select(vec![&b""[..], b"\x1f\x8b", b"\x1f\x8b\x08\x00", b"PK\x03\x04", b"PK\x05\x06"]),
        body in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut input = prefix.to_vec();
        input.extend(body);
        let _ = normalize(&input);
    }

    #[test]
    fn mutated_archives_never_panic(
        seed in 0usize..2,
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut input = seeds()[seed].clone();
        for (at, value) in flips {
            let i = at.index(input.len());
            input[i] = value;
        }
        if truncate {
            input.truncate(cut.index(input.len() + 1));
        }
        if let Ok(module) = normalize(&input) {
            // Whatever got through is a well-formed, safe, canonical module: its hash is its
            // archive's, it holds files at safe relative paths with the two modes the output
            // uses, and normalising it again changes nothing.
            prop_assert_eq!(&module.sha256, &hex::encode(sha2::Sha256::digest(&module.tar_gz)));
            let files = unpack(&module);
            prop_assert!(!files.is_empty(), "an accepted archive has files");
            for file in &files {
                let unsafe_part = file.path.split('/').any(|p| p.is_empty() || p == "." || p == "..");
                prop_assert!(!unsafe_part && !file.path.starts_with('/'), "unsafe path {:?}", file.path);
                prop_assert!(file.mode == 0o644 || file.mode == 0o755, "mode {:o} of {:?}", file.mode, file.path);
            }
            let again = normalize(&module.tar_gz).expect("a normalised archive is accepted again");
            prop_assert_eq!(&again.tar_gz, &module.tar_gz, "normalising is idempotent");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn safe_file_sets_round_trip(files in file_set()) {
        let module = normalize(&tar_of(&files, "", false)).unwrap();
        let expected: Vec<OutFile> = files
            .iter()
            .map(|(p, (d, exec))| out(p, d, if *exec { 0o755 } else { 0o644 }))
            .collect();
        prop_assert_eq!(unpack(&module), expected);

        for (what, variant) in [
            ("reversed", tar_of(&files, "", true)),
            ("wrapped", tar_of(&files, "wrapper-v1.0.0/", false)),
            ("dotted", tar_of(&files, "./", true)),
            ("zip", zip_of(&files)),
        ] {
            let other = normalize(&variant).unwrap();
            prop_assert_eq!(&other.tar_gz, &module.tar_gz, "{}", what);
            prop_assert_eq!(&other.sha256, &module.sha256, "{}", what);
        }
    }
}
