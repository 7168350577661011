//! `SHA256SUMS` files, as published next to provider packages.

use std::collections::BTreeMap;

use super::ProviderError;

/// Length of a SHA-256 digest written in hexadecimal.
const HEX_LEN: usize = 64;

/// The content of a provider release's `SHA256SUMS` file: the SHA-256 of each
/// package, by file name.
///
/// The format is the one `sha256sum` writes in text mode and the one
/// Terraform reads: one line per file, `{64 lower-case hex digits}`, two
/// spaces, the file name, `\n`. [`ShaSums::parse`] accepts exactly that
/// (see there for the details) and [`ShaSums::render`] writes it with lines
/// sorted by file name, so `render` of a parsed file gives back the same
/// bytes whenever its lines were sorted and it ended with a newline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShaSums {
    /// File name -> lower-case hex SHA-256, sorted bytewise by name.
    entries: BTreeMap<String, String>,
}

impl ShaSums {
    /// An empty list.
    pub fn new() -> ShaSums {
        ShaSums::default()
    }

    /// Parses a `SHA256SUMS` file strictly.
    ///
    /// Each line must be 64 lower-case hex digits, exactly two spaces and a
    /// file name, and end with `\n`; only the last line may leave its newline
    /// out. Refused, naming the line: an empty file, blank lines, CRLF line
    /// endings, the binary-mode marker (`{hex} *{name}`), upper-case or
    /// malformed hex, text that is not UTF-8, a name that is empty, contains
    /// whitespace, a control character, `/` or `\`, or starts with `*`, and a
    /// name listed twice. Lines may come in any order.
    pub fn parse(text: &[u8]) -> Result<ShaSums, ProviderError> {
        if text.is_empty() {
            return Err(ProviderError::InvalidShaSums { line: 1, reason: "the file is empty".to_owned() });
        }
        let body = text.strip_suffix(b"\n").unwrap_or(text);
        let mut entries = BTreeMap::new();
        for (index, line) in body.split(|&b| b == b'\n').enumerate() {
            let number = index + 1;
            let (name, hash) = parse_line(line).map_err(|reason| ProviderError::InvalidShaSums {
                line: number,
                reason: reason.to_owned(),
            })?;
            if entries.insert(name.to_owned(), hash.to_owned()).is_some() {
                return Err(ProviderError::InvalidShaSums {
                    line: number,
                    reason: format!("{name:?} is listed more than once"),
                });
            }
        }
        Ok(ShaSums { entries })
    }

    /// Writes the file: one `{hex}  {name}\n` line per file, sorted bytewise
    /// by file name. An empty list renders as an empty string (which
    /// [`ShaSums::parse`] refuses).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(self.entries.keys().map(|name| HEX_LEN + 3 + name.len()).sum());
        for (name, hash) in &self.entries {
            out.push_str(hash);
            out.push_str("  ");
            out.push_str(name);
            out.push('\n');
        }
        out
    }

    /// Adds a file, or replaces the hash of a file already listed.
    ///
    /// The values are not checked: pass a plain file name, such as one from
    /// [`package_filename`](crate::types::package_filename), and a lower-case hex
    /// SHA-256, such as [`CheckedPackage::sha256`](super::CheckedPackage::sha256),
    /// so that [`ShaSums::render`] writes a file that parses back.
    pub fn insert(&mut self, filename: String, sha256_hex: String) {
        self.entries.insert(filename, sha256_hex);
    }

    /// The lower-case hex SHA-256 listed for a file name.
    pub fn get(&self, filename: &str) -> Option<&str> {
        self.entries.get(filename).map(String::as_str)
    }

    /// The files and their hashes, sorted bytewise by file name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(name, hash)| (name.as_str(), hash.as_str()))
    }

    /// How many files are listed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no file is listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Splits one line (without its `\n`) into file name and hash.
fn parse_line(line: &[u8]) -> Result<(&str, &str), &'static str> {
    if line.is_empty() {
        return Err("blank lines are not allowed");
    }
    if line.ends_with(b"\r") {
        return Err("ends with a carriage return; lines must end with \\n alone, not CRLF");
    }
    let hash = line.get(..HEX_LEN).unwrap_or(line);
    if hash.len() < HEX_LEN || !hash.iter().all(u8::is_ascii_hexdigit) {
        return Err("must start with a SHA-256 written as 64 hexadecimal digits");
    }
    if hash.iter().any(u8::is_ascii_uppercase) {
        return Err("the SHA-256 must be written in lower-case hexadecimal");
    }
    let rest = &line[HEX_LEN..];
    if rest.starts_with(b" *") {
        return Err("uses the binary-mode marker `*`; write `{sha256}  {file name}` with two spaces");
    }
    let Some(name) = rest.strip_prefix(b"  ") else {
        return Err("the SHA-256 must be followed by exactly two spaces and the file name");
    };
    let name = std::str::from_utf8(name).map_err(|_| "the file name is not valid UTF-8")?;
    check_filename(name)?;
    // The first 64 bytes are ASCII, so this cannot fail.
    let hash = std::str::from_utf8(hash).map_err(|_| "the SHA-256 is not ASCII")?;
    Ok((name, hash))
}

/// Checks a file name listed in `SHA256SUMS`.
fn check_filename(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("the file name is missing");
    }
    if name.chars().any(char::is_control) {
        return Err("the file name contains a control character");
    }
    if name.chars().any(char::is_whitespace) {
        return Err("the file name contains whitespace, or more than two spaces follow the SHA-256");
    }
    if name.starts_with('*') {
        return Err("the file name starts with `*`, the binary-mode marker");
    }
    if name.contains(['/', '\\']) {
        return Err("the file name contains a path separator");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const B: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    fn refused(text: &str) -> (usize, String) {
        match ShaSums::parse(text.as_bytes()) {
            Err(ProviderError::InvalidShaSums { line, reason }) => (line, reason),
            other => panic!("expected a refusal of {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn parses_and_renders() {
        let text = format!(
            "{A}  terraform-provider-null_2.1.2_darwin_amd64.zip\n{B}  terraform-provider-null_2.1.2_linux_amd64.zip\n"
        );
        let sums = ShaSums::parse(text.as_bytes()).unwrap();
        assert_eq!(sums.len(), 2);
        assert!(!sums.is_empty());
        assert_eq!(sums.get("terraform-provider-null_2.1.2_linux_amd64.zip"), Some(B));
        assert_eq!(sums.get("terraform-provider-null_2.1.2_windows_amd64.zip"), None);
        assert_eq!(
            sums.iter().collect::<Vec<_>>(),
            vec![
                ("terraform-provider-null_2.1.2_darwin_amd64.zip", A),
                ("terraform-provider-null_2.1.2_linux_amd64.zip", B)
            ]
        );
        assert_eq!(sums.render(), text);
    }

    #[test]
    fn render_sorts_and_insert_replaces() {
        let mut sums = ShaSums::new();
        assert!(sums.is_empty());
        assert_eq!(sums.render(), "");
        sums.insert("b.zip".to_owned(), A.to_owned());
        sums.insert("a.zip".to_owned(), A.to_owned());
        sums.insert("b.zip".to_owned(), B.to_owned());
        assert_eq!(sums.render(), format!("{A}  a.zip\n{B}  b.zip\n"));
        assert_eq!(ShaSums::parse(sums.render().as_bytes()).unwrap(), sums);
    }

    #[test]
    fn accepts_unsorted_lines_and_a_missing_final_newline() {
        let sums = ShaSums::parse(format!("{B}  b.zip\n{A}  a.zip").as_bytes()).unwrap();
        assert_eq!(sums.render(), format!("{A}  a.zip\n{B}  b.zip\n"));
    }

    #[test]
    fn refuses_the_binary_marker() {
        assert!(refused(&format!("{A} *a.zip\n")).1.contains("binary-mode marker"));
        assert!(refused(&format!("{A}  *a.zip\n")).1.contains("starts with `*`"));
    }

    #[test]
    fn refuses_blank_lines() {
        assert_eq!(refused(""), (1, "the file is empty".to_owned()));
        assert_eq!(refused("\n").0, 1);
        assert_eq!(
            refused(&format!("{A}  a.zip\n\n{B}  b.zip\n")),
            (2, "blank lines are not allowed".to_owned())
        );
        assert_eq!(refused(&format!("{A}  a.zip\n\n")).0, 2);
        assert_eq!(refused(&format!("\n{A}  a.zip\n")).0, 1);
    }

    #[test]
    fn refuses_bad_hex() {
        let upper = A.to_uppercase();
        assert!(refused(&format!("{upper}  a.zip\n")).1.contains("lower-case"));
        assert!(refused(&format!("{}  a.zip\n", &A[..63])).1.contains("64 hexadecimal digits"));
        assert!(refused(&format!("{A}0  a.zip\n")).1.contains("two spaces"));
        assert!(refused(&format!("{}g  a.zip\n", &A[..63])).1.contains("64 hexadecimal digits"));
        assert!(refused("short  a.zip\n").1.contains("64 hexadecimal digits"));
        assert!(refused(&format!("{}é  a.zip\n", &A[..63])).1.contains("64 hexadecimal digits"));
    }

    #[test]
    fn refuses_missing_two_spaces() {
        assert!(refused(&format!("{A} a.zip\n")).1.contains("two spaces"));
        assert!(refused(&format!("{A}\ta.zip\n")).1.contains("two spaces"));
        assert!(refused(&format!("{A}a.zip\n")).1.contains("two spaces"));
        assert!(refused(&format!("{A}   a.zip\n")).1.contains("whitespace"));
        assert!(refused(&format!("{A}  \n")).1.contains("missing"));
        assert!(refused(&format!("{A}\n")).1.contains("two spaces"));
    }

    #[test]
    fn refuses_crlf() {
        assert_eq!(refused(&format!("{A}  a.zip\r\n{B}  b.zip\r\n")).0, 1);
        assert!(refused(&format!("{A}  a.zip\n{B}  b.zip\r\n")).1.contains("CRLF"));
        assert_eq!(refused(&format!("{A}  a.zip\n{B}  b.zip\r\n")).0, 2);
        assert!(refused(&format!("{A}  a\rb.zip\n")).1.contains("control character"));
    }

    #[test]
    fn refuses_duplicates() {
        let (line, reason) = refused(&format!("{A}  a.zip\n{B}  b.zip\n{B}  a.zip\n"));
        assert_eq!((line, reason.as_str()), (3, "\"a.zip\" is listed more than once"));
    }

    #[test]
    fn refuses_odd_file_names() {
        for name in ["dir/a.zip", "dir\\a.zip", "a b.zip", "a\tb.zip", "a\u{a0}b.zip"] {
            assert_eq!(refused(&format!("{A}  {name}\n")).0, 1, "{name:?}");
        }
        let mut text = format!("{A}  ").into_bytes();
        text.extend_from_slice(b"a\xffb.zip\n");
        assert!(matches!(ShaSums::parse(&text), Err(ProviderError::InvalidShaSums { line: 1, .. })));
    }

    #[test]
    fn error_messages_name_the_line() {
        let err = ShaSums::parse(format!("{A}  a.zip\n{A} a.zip\n").as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SHA256SUMS line 2: the SHA-256 must be followed by exactly two spaces and the file name"
        );
    }
}
