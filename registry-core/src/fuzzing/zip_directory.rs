//! The `zip_directory` target: the zip end records and central directory as
//! [`crate::zip_directory`] reads them, and the provider package's entry reader behind
//! [`h1_of_zip`].

use std::io::{Cursor, Read};

use super::{assert_explained, Verdict};
use crate::providers::package::{h1_of_files, h1_of_zip};
use crate::zip_directory::{
    central_names, declared_entry_count, zip64_entry_count, DeclaredCount, CENTRAL_HEADER_LEN,
    CENTRAL_HEADER_SIGNATURE, END_RECORDS_MAX_LEN, ZIP64_EOCD_MIN_LEN, ZIP64_LOCATOR_SIGNATURE,
};

/// Most central directory starts tried per input.
const MAX_STARTS: usize = 16;

/// Checks the zip readers on `input`, taken as a whole zip:
///
/// - `declared_entry_count` never panics, and (for inputs with a zip64 locator) finds the same
///   count in the whole zip as in its last `END_RECORDS_MAX_LEN` bytes (the provider reader's
///   tail), the zip64 record read where the tail says it is;
/// - `central_names` never panics from any start, and yields names inside `input`, from
///   headers that do not overlap;
/// - [`h1_of_zip`] never panics; a refusal has a message, and an accepted zip's `h1:` equals
///   [`h1_of_files`] over the entries as the zip crate unpacks them.
///
/// Accepted when [`h1_of_zip`] accepts.
pub fn check_zip_directory(input: &[u8]) -> Verdict {
    // The padded reading below scans 64 KiB, which is dear under the fuzzer's instrumentation;
    // it can only disagree when the input has an end record (found here, in the input alone)
    // and a zip64 locator.
    if declared_entry_count(input, 0).is_some() && contains(input, ZIP64_LOCATOR_SIGNATURE) {
        check_tail_agrees(input);
    }
    check_central_names(input);
    match h1_of_zip(input) {
        Ok(h1) => {
            assert_eq!(h1.len(), 47, "{h1:?} is not h1: and a base64 SHA-256");
            assert_eq!(Some(h1), unpacked_h1(input), "h1: of the zip and of its unpacked files differ");
            Verdict::Accepted
        }
        Err(err) => {
            assert_explained(&err);
            Verdict::Refused
        }
    }
}

/// The count [`declared_entry_count`] finds in the whole zip and in its tail agree. `input` goes
/// after [`END_RECORDS_MAX_LEN`] zero bytes, so the tail is a strict part of the zip.
fn check_tail_agrees(input: &[u8]) {
    let mut zip = vec![0u8; END_RECORDS_MAX_LEN];
    zip.extend_from_slice(input);
    let base = zip.len() - END_RECORDS_MAX_LEN;
    let whole = declared_entry_count(&zip, 0);
    let from_tail = match declared_entry_count(&zip[base..], base as u64) {
        Some(DeclaredCount::Zip64RecordAt(at)) => {
            let end = at.checked_add(ZIP64_EOCD_MIN_LEN as u64);
            assert!(at < base as u64 || end.is_none_or(|end| end > zip.len() as u64), "{at} is in the tail");
            match end.filter(|&end| end <= zip.len() as u64) {
                Some(end) => zip64_entry_count(&zip[at as usize..end as usize]).map(DeclaredCount::Entries),
                None => Some(DeclaredCount::Zip64RecordAt(at)),
            }
        }
        other => other,
    };
    assert_eq!(from_tail, whole, "the tail and the whole zip declare different counts");
}

/// [`central_names`] from the start of the input, from each of the first central directory
/// header signatures in it, and from past its end.
fn check_central_names(input: &[u8]) {
    let signatures = input.windows(4).enumerate().filter(|(_, w)| w == CENTRAL_HEADER_SIGNATURE);
    let starts = signatures.map(|(at, _)| at).take(MAX_STARTS);
    let range = input.as_ptr_range();
    for start in starts.chain([0, input.len(), usize::MAX]) {
        let mut count = 0;
        for name in central_names(input, start) {
            let span = name.as_ptr_range();
            assert!(range.start <= span.start && span.end <= range.end, "a name outside the input");
            count += 1;
        }
        let room = input.len().saturating_sub(start) / CENTRAL_HEADER_LEN;
        assert!(count <= room, "{count} headers in {} bytes", input.len().saturating_sub(start));
    }
}

/// The `h1:` of the zip's entries as the zip crate unpacks them, if it can, under their raw
/// names (as Go's reader, and so Terraform, takes them: the zip crate would decode a name without
/// the UTF-8 flag as code page 437).
fn unpacked_h1(input: &[u8]) -> Option<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(input)).ok()?;
    let mut files = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).ok()?;
        let mut content = Vec::new();
        entry.read_to_end(&mut content).ok()?;
        files.push((String::from_utf8(entry.name_raw().to_vec()).ok()?, content));
    }
    h1_of_files(&files).ok()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
