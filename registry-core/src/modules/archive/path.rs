//! Validation and normalisation of entry paths.

use super::ArchiveError;

/// An entry path after validation.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct EntryPath {
    /// Non-empty components joined by single `/`; empty for the archive
    /// root itself (`./`).
    pub(super) path: String,
    /// Whether the name ended in `/` (or `/.`), marking a directory in
    /// formats that have no separate directory type.
    pub(super) trailing_slash: bool,
}

/// Validates and normalises an entry's raw path.
///
/// Refuses empty names, non-UTF-8 names, NUL and other control characters,
/// backslashes, absolute paths, Windows drive prefixes (`C:`) in any
/// component and `..` components. Removes empty and `.` components, so that
/// `./a//b` becomes `a/b`.
pub(super) fn normalize(raw: &[u8]) -> Result<EntryPath, ArchiveError> {
    let unsafe_path =
        |reason| ArchiveError::UnsafePath { path: String::from_utf8_lossy(raw).into_owned(), reason };
    let name = std::str::from_utf8(raw).map_err(|_| unsafe_path("is not valid UTF-8"))?;
    if name.is_empty() {
        return Err(unsafe_path("is empty"));
    }
    if name.contains('\0') {
        return Err(unsafe_path("contains a NUL character"));
    }
    if name.chars().any(char::is_control) {
        return Err(unsafe_path("contains a control character"));
    }
    if name.contains('\\') {
        return Err(unsafe_path("contains a backslash (archives must use '/' as the path separator)"));
    }
    if name.starts_with('/') {
        return Err(unsafe_path("is absolute (starts with '/')"));
    }

    let mut path = String::with_capacity(name.len());
    for component in name.split('/') {
        match component {
            "" | "." => continue,
            ".." => return Err(unsafe_path("contains a '..' component")),
            c if has_drive_prefix(c) => {
                return Err(unsafe_path("contains a Windows drive prefix such as 'C:'"))
            }
            c => {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(c);
            }
        }
    }
    let last = name.rsplit('/').next().unwrap_or(name);
    Ok(EntryPath { path, trailing_slash: name.contains('/') && matches!(last, "" | ".") })
}

/// Whether a component starts like a Windows drive (`C:`, `c:foo`).
fn has_drive_prefix(component: &str) -> bool {
    let bytes = component.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        normalize(raw.as_bytes()).expect(raw).path
    }

    fn reason(raw: &[u8]) -> &'static str {
        match normalize(raw) {
            Err(ArchiveError::UnsafePath { reason, .. }) => reason,
            other => panic!("{raw:?}: expected UnsafePath, got {other:?}"),
        }
    }

    #[test]
    fn normalises_dots_and_slashes() {
        assert_eq!(ok("main.tf"), "main.tf");
        assert_eq!(ok("./main.tf"), "main.tf");
        assert_eq!(ok("././a//b///c.tf"), "a/b/c.tf");
        assert_eq!(ok("a/./b"), "a/b");
        assert_eq!(ok("./"), "");
        assert_eq!(ok("."), "");
        assert_eq!(ok("dir:x/file"), "dir:x/file");
        assert!(normalize(b"dir/").unwrap().trailing_slash);
        assert!(normalize(b"dir/.").unwrap().trailing_slash);
        assert!(!normalize(b"dir/f").unwrap().trailing_slash);
    }

    #[test]
    fn refuses_unsafe_names() {
        assert!(reason(b"").contains("empty"));
        assert!(reason(b"../x.tf").contains(".."));
        assert!(reason(b"a/../../x").contains(".."));
        assert!(reason(b"a/..").contains(".."));
        assert!(reason(b"/abs.tf").contains("absolute"));
        assert!(reason(b"C:/x.tf").contains("drive"));
        assert!(reason(b"c:x.tf").contains("drive"));
        assert!(reason(b"a/D:/x.tf").contains("drive"));
        assert!(reason(b"a\\b.tf").contains("backslash"));
        assert!(reason(b"a\0b").contains("NUL"));
        assert!(reason(b"a\nb").contains("control"));
        assert!(reason(b"a\x7fb").contains("control"));
        assert!(reason(b"\xff.tf").contains("UTF-8"));
    }
}
