//! Normalising a module archive takes a small, fixed amount of memory whatever its files unpack
//! to: the files go through temporary files, never into memory whole. Measured with dhat's
//! counting global allocator (this file is its own test binary, with one test, so nothing else
//! allocates meanwhile).

use std::io::{self, Read, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use tfreg_core::modules::archive::{normalize_module_archive_to_file, ArchiveLimits};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const BIG: u64 = 96 << 20;

/// A `.tar.gz` holding `main.tf` and a 96 MiB file of zeros, built without holding either.
fn big_tar_gz() -> Vec<u8> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
    let mut add = |path: &str, len: u64, data: &mut dyn Read| {
        let mut header = tar::Header::new_gnu();
        header.set_size(len);
        header.set_mode(0o644);
        builder.append_data(&mut header, path, data).unwrap();
    };
    add("main.tf", 17, &mut &b"variable \"x\" {}\n\n"[..]);
    add("data/zeros.bin", BIG, &mut io::repeat(0).take(BIG));
    builder.into_inner().unwrap().finish().unwrap()
}

/// The same as a `.zip`.
fn big_zip() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().large_file(true);
    zip.start_file("main.tf", options).unwrap();
    zip.write_all(b"variable \"x\" {}\n").unwrap();
    zip.start_file("data/zeros.bin", options).unwrap();
    io::copy(&mut io::repeat(0).take(BIG), &mut zip).unwrap();
    zip.finish().unwrap().into_inner()
}

#[test]
fn normalising_an_archive_of_any_size_takes_a_few_megabytes() {
    // Zeros compress a thousandfold: allow it, so the file is really unpacked.
    let limits = ArchiveLimits { max_ratio: 1_000_000, ..ArchiveLimits::default() };
    for (format, input) in [("tar.gz", big_tar_gz()), ("zip", big_zip())] {
        let profiler = dhat::Profiler::builder().testing().build();
        let result = normalize_module_archive_to_file(&input, &limits);
        let peak = dhat::HeapStats::get().max_bytes;
        drop(profiler);
        let normalised = result.unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(normalised.unpacked_bytes, BIG + 16 + u64::from(format == "tar.gz"), "{format}");
        assert_eq!(normalised.files, ["data/zeros.bin", "main.tf"], "{format}");
        println!(
            "{format}: {} KiB input, {} MiB unpacked, peak {} KiB allocated",
            input.len() >> 10,
            BIG >> 20,
            peak >> 10
        );
        assert!(peak < 4 << 20, "{format}: normalising allocated {peak} bytes at its peak");
    }
}
