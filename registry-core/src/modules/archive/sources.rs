//! The files a module's documentation is read from, kept in memory while the archive is
//! written: the Terraform files and README of the root module, of each `modules/*` and of each
//! `examples/*`, within a budget so a hostile archive cannot make them large.

/// At most this many bytes of one file are kept; a larger file is named in
/// [`Sources::skipped`].
pub const SOURCE_FILE_LIMIT: u64 = 512 << 10;

/// At most this many bytes are kept in all.
pub const SOURCES_LIMIT: u64 = 4 << 20;

/// One kept file: its path in the archive and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The normalised path, as in the archive.
    pub path: String,
    /// The contents.
    pub bytes: Vec<u8>,
}

/// The documentation sources of one archive, in path order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    /// The files kept.
    pub files: Vec<SourceFile>,
    /// Sources not kept because they were over [`SOURCE_FILE_LIMIT`] or the total
    /// [`SOURCES_LIMIT`].
    pub skipped: Vec<String>,
    kept_bytes: u64,
}

impl Sources {
    /// Sources from files already at hand (an archive read back from the store).
    pub fn from_files(files: impl IntoIterator<Item = SourceFile>) -> Self {
        let mut sources = Self::default();
        for file in files {
            if sources.wants(&file.path, file.bytes.len() as u64) {
                sources.keep(&file.path, file.bytes);
            }
        }
        sources
    }

    /// Whether the file at `path` of `len` bytes is to be kept; a source over the budget is
    /// recorded as skipped.
    pub(crate) fn wants(&mut self, path: &str, len: u64) -> bool {
        if !is_source(path) {
            return false;
        }
        if len > SOURCE_FILE_LIMIT || self.kept_bytes + len > SOURCES_LIMIT {
            self.skipped.push(path.to_owned());
            return false;
        }
        true
    }

    /// Keeps `bytes` as the file at `path` (after [`Sources::wants`] said so).
    pub(crate) fn keep(&mut self, path: &str, bytes: Vec<u8>) {
        self.kept_bytes += bytes.len() as u64;
        self.files.push(SourceFile { path: path.to_owned(), bytes });
    }
}

/// The folder of the module part `path` belongs to (`""`, `modules/x` or `examples/x`), when
/// it lies directly in one.
pub(crate) fn part_of(path: &str) -> Option<&str> {
    match path.rsplit_once('/') {
        None => Some(""),
        Some((folder, _)) => {
            let (top, name) = folder.split_once('/')?;
            ((top == "modules" || top == "examples") && !name.is_empty() && !name.contains('/'))
                .then_some(folder)
        }
    }
}

/// Whether `path` is a Terraform file or a README of a module part.
fn is_source(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let wanted =
        name.ends_with(".tf") || name.ends_with(".tf.json") || name.eq_ignore_ascii_case("readme.md");
    wanted && part_of(path).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_the_files_of_module_parts_within_the_budget() {
        assert_eq!(part_of("main.tf"), Some(""));
        assert_eq!(part_of("modules/vpc/main.tf"), Some("modules/vpc"));
        assert_eq!(part_of("examples/basic/README.md"), Some("examples/basic"));
        assert_eq!(part_of("modules/vpc/deep/main.tf"), None);
        assert_eq!(part_of("scripts/main.tf"), None);

        let mut sources = Sources::default();
        assert!(sources.wants("main.tf", 10));
        assert!(sources.wants("readme.MD", 10));
        assert!(!sources.wants("scripts/run.sh", 10));
        assert!(!sources.wants("big.tf", SOURCE_FILE_LIMIT + 1));
        for n in 0..8 {
            let path = format!("f{n}.tf");
            if sources.wants(&path, SOURCE_FILE_LIMIT) {
                sources.keep(&path, vec![b' '; SOURCE_FILE_LIMIT as usize]);
            }
        }
        assert_eq!(sources.files.len(), 8, "exactly the total budget");
        assert!(!sources.wants("one-more.tf", 1));
        assert_eq!(sources.skipped, ["big.tf", "one-more.tf"]);
    }
}
