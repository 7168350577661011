//! The UI's stylesheet and script, embedded in the binary and served under names that carry a
//! hash of their content, so browsers may keep them for a year.

use sha2::{Digest, Sha256};

/// One embedded file.
#[derive(Debug)]
pub(crate) struct Asset {
    /// `ui-{hash}.css`.
    pub(crate) name: String,
    pub(crate) content_type: &'static str,
    pub(crate) body: &'static str,
}

/// The UI's files.
#[derive(Debug)]
pub(crate) struct Assets {
    pub(crate) css: Asset,
    pub(crate) js: Asset,
}

impl Assets {
    pub(crate) fn new() -> Self {
        Self {
            css: Asset::new("ui", "css", "text/css; charset=utf-8", include_str!("assets/ui.css")),
            js: Asset::new("ui", "js", "text/javascript; charset=utf-8", include_str!("assets/ui.js")),
        }
    }

    /// The file named `name`, if it is one of them.
    pub(crate) fn get(&self, name: &str) -> Option<&Asset> {
        [&self.css, &self.js].into_iter().find(|a| a.name == name)
    }
}

impl Asset {
    fn new(stem: &str, extension: &str, content_type: &'static str, body: &'static str) -> Self {
        let hash = hex::encode(&Sha256::digest(body.as_bytes())[..6]);
        Self { name: format!("{stem}-{hash}.{extension}"), content_type, body }
    }
}
