//! Tests for the archive module, with test archives built in code.

mod props;
mod tar_refusals;
mod tar_tests;
mod zip_tests;

use std::io::{Cursor, Read, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use tar::{EntryType, Header};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::*;

/// A file as found in the normalised output.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OutFile {
    path: String,
    data: Vec<u8>,
    mode: u32,
}

fn normalize(input: &[u8]) -> Result<NormalizedModule, ArchiveError> {
    normalize_module_archive(input, &ArchiveLimits::default())
}

fn normalize_ok(input: &[u8]) -> NormalizedModule {
    normalize(input).unwrap_or_else(|e| panic!("expected success, got: {e}"))
}

fn normalize_err(input: &[u8]) -> ArchiveError {
    match normalize(input) {
        Ok(m) => panic!("expected an error, got files {:?}", m.files),
        Err(e) => e,
    }
}

/// Asserts the error's message mentions `needle` (typically the entry).
fn assert_names(err: &ArchiveError, needle: &str) {
    let message = err.to_string();
    assert!(message.contains(needle), "message {message:?} does not mention {needle:?}");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// Builds a `.tar.gz` with `build`.
fn tar_gz(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    build(&mut builder);
    gzip(&builder.into_inner().unwrap())
}

/// A `.tar.gz` of regular files with mode 0644.
pub(crate) fn tar_gz_files(files: &[(&str, &[u8])]) -> Vec<u8> {
    tar_gz(|b| {
        for (path, data) in files {
            add_file(b, path, data, 0o644);
        }
    })
}

/// Appends a regular file (long paths get a GNU long-name entry).
fn add_file(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8], mode: u32) {
    let mut header = Header::new_gnu();
    header.set_entry_type(EntryType::Regular);
    header.set_size(data.len() as u64);
    header.set_mode(mode);
    header.set_mtime(1_700_000_000);
    b.append_data(&mut header, path, data).unwrap();
}

fn add_dir(b: &mut tar::Builder<Vec<u8>>, path: &str) {
    let mut header = Header::new_gnu();
    header.set_entry_type(EntryType::Directory);
    header.set_size(0);
    header.set_mode(0o755);
    b.append_data(&mut header, path, &[][..]).unwrap();
}

/// Appends an entry with its name and link name written verbatim into a
/// ustar header, bypassing the tar builder's own path checks.
fn add_raw(b: &mut tar::Builder<Vec<u8>>, name: &[u8], ty: EntryType, data: &[u8], link: &[u8]) {
    let mut header = Header::new_ustar();
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.as_old_mut().linkname[..link.len()].copy_from_slice(link);
    header.set_entry_type(ty);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_uid(1000);
    header.set_gid(1000);
    header.set_mtime(1_700_000_000);
    header.set_cksum();
    b.append(&header, data).unwrap();
}

/// Builds a `.zip` with `build`.
fn zip_archive(build: impl FnOnce(&mut ZipWriter<Cursor<Vec<u8>>>)) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    build(&mut writer);
    writer.finish().unwrap().into_inner()
}

fn zip_options(mode: u32) -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).unix_permissions(mode)
}

fn zip_add(w: &mut ZipWriter<Cursor<Vec<u8>>>, name: &str, data: &[u8], mode: u32) {
    w.start_file(name, zip_options(mode)).unwrap();
    w.write_all(data).unwrap();
}

/// A `.zip` of deflated regular files with mode 0644.
fn zip_files(files: &[(&str, &[u8])]) -> Vec<u8> {
    zip_archive(|w| {
        for (name, data) in files {
            zip_add(w, name, data, 0o644);
        }
    })
}

/// Unpacks a normalised archive, checking the fixed metadata of every entry.
fn unpack(module: &NormalizedModule) -> Vec<OutFile> {
    let bytes: &[u8] = &module.tar_gz;
    assert_eq!(&bytes[..4], &[0x1f, 0x8b, 8, 0], "gzip header with no file name");
    assert_eq!(&bytes[4..8], &[0, 0, 0, 0], "gzip mtime 0");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let header = entry.header().clone();
        assert_eq!(header.entry_type(), EntryType::Regular);
        assert_eq!(header.uid().unwrap(), 0);
        assert_eq!(header.gid().unwrap(), 0);
        assert_eq!(header.mtime().unwrap(), 1);
        assert_eq!(header.username_bytes(), Some(&b""[..]));
        assert_eq!(header.groupname_bytes(), Some(&b""[..]));
        let path = String::from_utf8(entry.path_bytes().into_owned()).unwrap();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push(OutFile { path, data, mode: header.mode().unwrap() });
    }
    assert_eq!(
        module.files,
        out.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
        "`files` lists the archive's entries in order"
    );
    assert_eq!(module.unpacked_bytes, out.iter().map(|f| f.data.len() as u64).sum::<u64>());
    assert_eq!(module.sha256, hex::encode(Sha256::digest(&module.tar_gz)));
    out
}

fn out(path: &str, data: &[u8], mode: u32) -> OutFile {
    OutFile { path: path.to_owned(), data: data.to_vec(), mode }
}

/// Overwrites every occurrence of `from` in `bytes` with `to` (same length).
fn patch_all(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len());
    let mut count = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            count += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    count
}

#[test]
fn detects_formats_by_magic() {
    assert_eq!(detect_format(&gzip(b"x")), Some(ArchiveFormat::TarGz));
    assert_eq!(detect_format(&zip_files(&[("a", b"b")])), Some(ArchiveFormat::Zip));
    assert_eq!(detect_format(&zip_archive(|_| {})), Some(ArchiveFormat::Zip), "empty zip");
    assert_eq!(detect_format(b""), None);
    assert_eq!(detect_format(b"\x1f"), None);
    assert_eq!(detect_format(b"BZh91AY&SY"), None);
    assert_eq!(detect_format(b"ustar\0"), None);
}

#[test]
fn refuses_unknown_formats() {
    for input in [&b""[..], b"garbage bytes", b"\xfd7zXZ\0", b"BZh9", b"PK\x07\x08"] {
        let err = normalize_err(input);
        assert_eq!(err, ArchiveError::NotAnArchive);
        assert_names(&err, "not a .tar.gz or .zip archive");
    }
    let mut plain_tar = tar::Builder::new(Vec::new());
    add_file(&mut plain_tar, "main.tf", b"", 0o644);
    assert_eq!(normalize_err(&plain_tar.into_inner().unwrap()), ArchiveError::NotAnArchive);
}

#[test]
fn default_limits() {
    let limits = ArchiveLimits::default();
    assert_eq!(limits.max_entries, 10_000);
    assert_eq!(limits.max_total_bytes, 512 * 1024 * 1024);
    assert_eq!(limits.max_file_bytes, 256 * 1024 * 1024);
    assert_eq!(limits.max_ratio, 200);
}

#[test]
fn same_files_give_identical_output_across_formats_and_layouts() {
    let files: [(&str, &[u8]); 3] = [
        ("main.tf", b"resource \"null_resource\" \"x\" {}\n"),
        ("modules/child/main.tf", b"variable \"v\" {}\n"),
        ("README.md", b"# readme\n"),
    ];
    let reference = normalize_ok(&tar_gz_files(&files));

    let reversed: Vec<_> = files.iter().rev().copied().collect();
    let wrapped: Vec<(String, &[u8])> =
        files.iter().map(|(p, d)| (format!("terraform-aws-thing-1.2.0/{p}"), *d)).collect();
    let variants = [
        tar_gz_files(&reversed),
        tar_gz(|b| {
            add_dir(b, "terraform-aws-thing-1.2.0/");
            for (p, d) in &wrapped {
                add_file(b, p, d, 0o664);
            }
        }),
        tar_gz(|b| {
            for (p, d) in &files {
                add_file(b, &format!("./{p}"), d, 0o600);
            }
        }),
        zip_files(&files),
        zip_files(&reversed),
        zip_archive(|w| {
            w.add_directory("terraform-aws-thing-1.2.0/", zip_options(0o755)).unwrap();
            for (p, d) in &wrapped {
                zip_add(w, p, d, 0o644);
            }
        }),
    ];
    for (i, variant) in variants.iter().enumerate() {
        let module = normalize_ok(variant);
        assert_eq!(module.files, reference.files, "variant {i}");
        assert_eq!(module.sha256, reference.sha256, "variant {i}");
        assert_eq!(module.tar_gz, reference.tar_gz, "variant {i}");
    }
}

#[test]
fn no_terraform_files_is_refused() {
    for input in [
        tar_gz_files(&[("README.md", b"hi"), ("main.tf.bak", b"")]),
        tar_gz(|b| add_dir(b, "modules/")),
        tar_gz(|_| {}),
        zip_files(&[("docs/x.tfvars", b"")]),
        zip_archive(|_| {}),
    ] {
        let err = normalize_err(&input);
        assert_eq!(err, ArchiveError::NoTerraformFiles);
        assert_names(&err, "archive has no .tf or .tf.json files");
    }
    let json_only = normalize_ok(&tar_gz_files(&[("main.tf.json", b"{}")]));
    assert_eq!(json_only.files, ["main.tf.json"]);
}

#[test]
fn files_and_directories_of_the_same_name_conflict() {
    let err = normalize_err(&tar_gz_files(&[("a", b""), ("a/main.tf", b"")]));
    assert_eq!(err, ArchiveError::PathConflict { path: "a".into(), other: "a/main.tf".into() });
    assert_names(&err, "\"a/main.tf\"");
}
