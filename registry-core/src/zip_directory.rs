//! Low-level reading of a zip's directory records, shared by the module archive and provider
//! package checks: the zip crate silently merges entries with the same name and trusts declared
//! counts, so both read the central directory themselves before unpacking anything.

/// Unix file type bits of a zip entry's external attributes.
pub(crate) const S_IFMT: u32 = 0o170_000;
pub(crate) const S_IFSOCK: u32 = 0o140_000;
pub(crate) const S_IFLNK: u32 = 0o120_000;
pub(crate) const S_IFREG: u32 = 0o100_000;
pub(crate) const S_IFBLK: u32 = 0o060_000;
pub(crate) const S_IFDIR: u32 = 0o040_000;
pub(crate) const S_IFCHR: u32 = 0o020_000;
pub(crate) const S_IFIFO: u32 = 0o010_000;

/// Record signatures and sizes from the zip specification (APPNOTE 4.3).
pub(crate) const EOCD_SIGNATURE: &[u8; 4] = b"PK\x05\x06";
pub(crate) const EOCD_LEN: usize = 22;
pub(crate) const ZIP64_LOCATOR_SIGNATURE: &[u8; 4] = b"PK\x06\x07";
pub(crate) const ZIP64_LOCATOR_LEN: usize = 20;
pub(crate) const ZIP64_EOCD_SIGNATURE: &[u8; 4] = b"PK\x06\x06";
pub(crate) const CENTRAL_HEADER_SIGNATURE: &[u8; 4] = b"PK\x01\x02";
pub(crate) const CENTRAL_HEADER_LEN: usize = 46;
pub(crate) const ZIP64_EOCD_MIN_LEN: usize = 56;

/// Raw names of the consecutive central directory headers from `start`.
pub(crate) fn central_names(input: &[u8], start: usize) -> impl Iterator<Item = &[u8]> {
    let mut pos = start;
    std::iter::from_fn(move || {
        let header = input.get(pos..pos.checked_add(CENTRAL_HEADER_LEN)?)?;
        if !header.starts_with(CENTRAL_HEADER_SIGNATURE) {
            return None;
        }
        let name_len = usize::from(u16_at(header, 28));
        let extra_len = usize::from(u16_at(header, 30));
        let comment_len = usize::from(u16_at(header, 32));
        let name_start = pos + CENTRAL_HEADER_LEN;
        let name = input.get(name_start..name_start + name_len)?;
        pos = name_start + name_len + extra_len + comment_len;
        Some(name)
    })
}

/// Most bytes the end of central directory record and its comment can take, plus the zip64
/// locator before it: a reader that holds the last `END_RECORDS_MAX_LEN` bytes of a zip (or all
/// of it, when shorter) can always pass them to [`declared_entry_count`].
pub(crate) const END_RECORDS_MAX_LEN: usize = EOCD_LEN + u16::MAX as usize + ZIP64_LOCATOR_LEN;

/// The entry count of a zip, as [`declared_entry_count`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeclaredCount {
    /// The declared number of entries.
    Entries(u64),
    /// The count is in the zip64 end of central directory record, which starts at this absolute
    /// offset, outside the bytes given: read its [`ZIP64_EOCD_MIN_LEN`] bytes there and pass them
    /// to [`zip64_entry_count`].
    Zip64RecordAt(u64),
}

/// The entry count declared by the end of central directory record (or its
/// zip64 counterpart), when it can be found cheaply and unambiguously.
///
/// `input` is the end of a zip (or all of it), and `base` the offset in the zip of its first byte
/// (0 for the whole zip). The end of central directory record must lie in `input`, which must
/// therefore hold the last [`END_RECORDS_MAX_LEN`] bytes of the zip, or all of it. When the count
/// is in a zip64 record that lies (even partly) outside `input`, returns its absolute offset; for
/// the whole zip that means the zip64 record is missing, and the count unknown.
pub(crate) fn declared_entry_count(input: &[u8], base: u64) -> Option<DeclaredCount> {
    let last = input.len().checked_sub(EOCD_LEN)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    // The record is followed by its comment, which must end the input.
    let eocd = (first..=last).rev().find(|&pos| {
        input[pos..].starts_with(EOCD_SIGNATURE)
            && pos + EOCD_LEN + usize::from(u16_at(input, pos + 20)) == input.len()
    })?;
    let count = u16_at(input, eocd + 10);
    if count != u16::MAX {
        return Some(DeclaredCount::Entries(u64::from(count)));
    }
    let locator = input.get(eocd.checked_sub(ZIP64_LOCATOR_LEN)?..eocd)?;
    if !locator.starts_with(ZIP64_LOCATOR_SIGNATURE) {
        return None;
    }
    let record = u64_at(locator, 8);
    let inside = record
        .checked_sub(base)
        .and_then(|start| usize::try_from(start).ok())
        .and_then(|start| input.get(start..start.checked_add(ZIP64_EOCD_MIN_LEN)?));
    match inside {
        Some(zip64) => zip64_entry_count(zip64).map(DeclaredCount::Entries),
        None => Some(DeclaredCount::Zip64RecordAt(record)),
    }
}

/// The entry count of a zip64 end of central directory record, given its first
/// [`ZIP64_EOCD_MIN_LEN`] bytes; `None` when they are not such a record.
pub(crate) fn zip64_entry_count(record: &[u8]) -> Option<u64> {
    let record = record.get(..ZIP64_EOCD_MIN_LEN)?;
    record.starts_with(ZIP64_EOCD_SIGNATURE).then(|| u64_at(record, 32))
}

pub(crate) fn u16_at(bytes: &[u8], pos: usize) -> u16 {
    u16::from_le_bytes([bytes[pos], bytes[pos + 1]])
}

pub(crate) fn u64_at(bytes: &[u8], pos: usize) -> u64 {
    let mut le = [0u8; 8];
    le.copy_from_slice(&bytes[pos..pos + 8]);
    u64::from_le_bytes(le)
}
