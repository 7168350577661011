//! Archives and packages the tests publish, built in memory.

use std::io::Write;

/// A `.tar.gz` of `files`. Names are written raw, so tests can build the unsafe paths the
/// registry must refuse (the tar crate would not).
pub fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder =
        tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    for (name, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, content.as_bytes()).expect("appending to a tar in memory");
    }
    builder.into_inner().and_then(|gz| gz.finish()).expect("finishing a tar.gz in memory")
}

/// A `.tar.gz` of `files`, each name after `prefix` (`"repo-1.0.0/"` for one top folder, as
/// GitHub tarballs have; `""` for none).
pub fn tar_gz_under(prefix: &str, files: &[(&str, &str)]) -> Vec<u8> {
    let named: Vec<(String, &str)> =
        files.iter().map(|(name, content)| (format!("{prefix}{name}"), *content)).collect();
    let borrowed: Vec<(&str, &str)> = named.iter().map(|(n, c)| (n.as_str(), *c)).collect();
    tar_gz(&borrowed)
}

/// The smallest valid module: one `main.tf`.
pub fn tiny_module() -> Vec<u8> {
    tar_gz(&[("main.tf", "# x")])
}

/// A zip of `entries` (names ending in `/` are directory entries), every file executable.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in entries {
        let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
        if name.ends_with('/') {
            writer.add_directory(name.trim_end_matches('/'), options).expect("a zip directory");
        } else {
            writer.start_file(*name, options).expect("a zip entry");
            writer.write_all(content).expect("writing a zip entry");
        }
    }
    writer.finish().expect("finishing a zip").into_inner()
}

/// A provider package: a zip holding `binary` as `terraform-provider-{type}_v{version}`.
pub fn provider_zip(r#type: &str, version: &str, binary: &[u8]) -> Vec<u8> {
    zip(&[(&format!("terraform-provider-{type}_v{version}"), binary)])
}

/// An unnamed temporary file holding `content`, positioned at its start.
pub fn temp_file(content: &[u8]) -> std::fs::File {
    use std::io::{Seek, SeekFrom};
    let mut file = tempfile::tempfile().expect("a temporary file");
    file.write_all(content).expect("writing a temporary file");
    file.seek(SeekFrom::Start(0)).expect("rewinding a temporary file");
    file
}
