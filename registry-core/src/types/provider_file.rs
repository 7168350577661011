//! The files of a provider version that signed links name.

/// A file of a provider version behind a signed link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderFile {
    /// A platform package, by its SHA-256.
    Package(String),
    /// The version's SHA256SUMS.
    ShaSums,
    /// The binary signature over SHA256SUMS.
    ShaSumsSig,
}

impl ProviderFile {
    /// The last path segment naming the file.
    pub fn parse(segment: &str) -> Option<Self> {
        match segment {
            "SHA256SUMS" => Some(Self::ShaSums),
            "SHA256SUMS.sig" => Some(Self::ShaSumsSig),
            other => other
                .strip_suffix(".zip")
                .filter(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
                .map(|h| Self::Package(h.to_owned())),
        }
    }

    /// The path segment that names the file in links.
    pub fn segment(&self) -> String {
        match self {
            Self::Package(sha) => format!("{sha}.zip"),
            Self::ShaSums => "SHA256SUMS".into(),
            Self::ShaSumsSig => "SHA256SUMS.sig".into(),
        }
    }
}
