//! Archives and packages the integration tests publish, built in memory.

#![allow(dead_code, unreachable_pub)]

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
        builder.append(&header, content.as_bytes()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
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
            writer.add_directory(name.trim_end_matches('/'), options).unwrap();
        } else {
            writer.start_file(*name, options).unwrap();
            writer.write_all(content).unwrap();
        }
    }
    writer.finish().unwrap().into_inner()
}
