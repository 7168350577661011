//! Zip64 records, huge central directories and failing readers.

use super::*;

/// Rewrites the end of central directory record of `zip` (which must have no
/// comment) as a zip64 record declaring `count` entries, its locator, and an
/// end record pointing to them, followed by a comment of `comment_len` bytes.
fn as_zip64(zip: &[u8], count: u64, comment_len: u16) -> Vec<u8> {
    let eocd = zip.len() - 22;
    assert_eq!(&zip[eocd..eocd + 4], b"PK\x05\x06");
    let u32_at = |pos: usize| u64::from(u32::from_le_bytes(zip[pos..pos + 4].try_into().unwrap()));
    let (directory_size, directory_offset) = (u32_at(eocd + 12), u32_at(eocd + 16));
    let mut out = zip[..eocd].to_vec();
    let record = out.len() as u64;
    out.extend_from_slice(b"PK\x06\x06");
    out.extend_from_slice(&44u64.to_le_bytes());
    out.extend_from_slice(&[45, 0, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    for field in [count, count, directory_size, directory_offset] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(b"PK\x06\x07\0\0\0\0");
    out.extend_from_slice(&record.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff");
    out.extend_from_slice(&comment_len.to_le_bytes());
    out.resize(out.len() + usize::from(comment_len), b'c');
    out
}

#[test]
fn zip64_counts_are_found_in_and_out_of_the_tail() {
    let zip = few_files_package();
    let tail = |zip: &[u8]| {
        let base = zip.len().saturating_sub(END_RECORDS_MAX_LEN);
        declared_entry_count(&zip[base..], base as u64)
    };
    let short = as_zip64(&zip, 4, 10);
    assert_eq!(declared_entry_count(&short, 0), Some(DeclaredCount::Entries(4)));
    assert_eq!(tail(&short), Some(DeclaredCount::Entries(4)));
    // A longest comment pushes the zip64 record out of the last bytes.
    let long = as_zip64(&zip, 4, u16::MAX);
    let record = (zip.len() - 22) as u64;
    assert_eq!(declared_entry_count(&long, 0), Some(DeclaredCount::Entries(4)));
    assert_eq!(tail(&long), Some(DeclaredCount::Zip64RecordAt(record)));
    assert_eq!(tail(&long[..long.len() - 1]), None, "the comment must end the zip");

    // Both are valid packages, checked alike from memory and from a file.
    let expected = check(&zip, "null").unwrap();
    for zip64 in [short, long] {
        let package = check(&zip64, "null").unwrap();
        assert_eq!((package.h1, package.executable), (expected.h1.clone(), expected.executable.clone()));
    }
    // A count past the limit is refused before the zip is opened, wherever the record is.
    for comment_len in [0, u16::MAX] {
        let lying = as_zip64(&zip, 1 << 40, comment_len);
        assert_eq!(check(&lying, "null"), Err(ProviderError::TooManyEntries { limit: 64 }));
    }
}

#[test]
fn refuses_a_huge_central_directory() {
    // 300 entries whose central headers carry 60 000 bytes of extra data.
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..300 {
        let mut opts = FullFileOptions::default().compression_method(CompressionMethod::Stored);
        opts.add_extra_data(0xcafe, vec![b'x'; 60_000].into_boxed_slice(), true).unwrap();
        let name = if i == 0 { NULL_EXE.to_owned() } else { format!("file{i:03}") };
        writer.start_file(name, opts).unwrap();
        writer.write_all(b"x").unwrap();
    }
    let zip = writer.finish().unwrap().into_inner();
    let many = PackageLimits { max_entries: 1000, ..PackageLimits::default() };
    let err = check_both(&zip, "null", &linux(), &many).unwrap_err();
    let ProviderError::NotAZip { reason } = &err else { panic!("{err}") };
    assert!(reason.starts_with("its central directory and end records take 18"), "{err}");
    assert!(reason.ends_with("more than the 16777216 a provider package may use"), "{err}");
}

/// A reader that fails to read the bytes in `broken`.
struct FailingReader {
    inner: Cursor<Vec<u8>>,
    broken: std::ops::Range<u64>,
}

impl Read for FailingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let position = self.inner.position();
        if self.broken.contains(&position) {
            return Err(io::Error::other("disk on fire"));
        }
        let readable = self.broken.start.checked_sub(position).filter(|&n| n > 0).unwrap_or(u64::MAX);
        let len = buf.len().min(usize::try_from(readable).unwrap_or(usize::MAX));
        self.inner.read(&mut buf[..len])
    }
}

impl Seek for FailingReader {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn read_errors_are_refusals() {
    // Larger than the end records read first, so the entry is read on its own.
    let zip = build(&[Entry::Stored(NULL_EXE, &noise(200_000))]);
    let check_failing = |broken| {
        let reader = FailingReader { inner: Cursor::new(zip.clone()), broken };
        check_package_reader(reader, "null", &linux(), &PackageLimits::default())
    };
    let len = zip.len() as u64;
    let err = check_failing(len - 10..len).unwrap_err();
    assert_eq!(err, ProviderError::NotAZip { reason: "disk on fire".into() });
    let err = check_failing(50_000..50_001).unwrap_err();
    assert_eq!(err, ProviderError::Corrupt { entry: NULL_EXE.into(), reason: "disk on fire".into() });
    assert_eq!(check_failing(0..0), check(&zip, "null"));
}
