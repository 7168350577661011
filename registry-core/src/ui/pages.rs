//! The UI's pages as compile-time-checked templates (`templates/ui/*.html`, askama), and the
//! plain values they show.

use askama::Template;

use crate::protocol::{Deprecation, ModulePart, ProviderVersionView, Yank};

/// What every page shows around its content.
#[derive(Clone, Debug)]
pub(crate) struct Chrome {
    /// The stylesheet's URL.
    pub(crate) css: String,
    /// The script's URL.
    pub(crate) js: String,
    /// The UI's root, ending in `/`.
    pub(crate) home: String,
    /// What the search box holds.
    pub(crate) query: String,
    /// Whether a session is open.
    pub(crate) signed_in: bool,
}

/// A module in a list.
#[derive(Debug)]
pub(crate) struct ModuleCard {
    pub(crate) url: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) system: String,
    pub(crate) version: String,
    pub(crate) description: String,
    pub(crate) published: String,
    pub(crate) downloads: u64,
    pub(crate) pinned: bool,
    /// Whether the latest version is registered from an external source.
    pub(crate) external: bool,
}

/// A provider in a list.
#[derive(Debug)]
pub(crate) struct ProviderCard {
    pub(crate) url: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) description: String,
    pub(crate) published: String,
    pub(crate) downloads: u64,
    pub(crate) upstream: Option<String>,
}

/// The home page, a search's results and a namespace's page.
#[derive(Template)]
#[template(path = "ui/home.html")]
pub(crate) struct HomePage<'a> {
    pub(crate) page: &'a Chrome,
    pub(crate) title: String,
    pub(crate) namespaces: Vec<String>,
    pub(crate) module_count: usize,
    pub(crate) provider_count: usize,
    pub(crate) modules: Vec<ModuleCard>,
    pub(crate) providers: Vec<ProviderCard>,
}

/// Search results alone, for search as you type.
#[derive(Template)]
#[template(path = "ui/results.html")]
pub(crate) struct Results {
    pub(crate) modules: Vec<ModuleCard>,
    pub(crate) providers: Vec<ProviderCard>,
}

/// The sign-in form.
#[derive(Template)]
#[template(path = "ui/signin.html")]
pub(crate) struct SignInPage<'a> {
    pub(crate) page: &'a Chrome,
    pub(crate) error: Option<String>,
    /// Whether people may sign in through the identity provider.
    pub(crate) sso: bool,
}

/// The registry's own page at the end of a sign-in through the provider, moving on to the UI.
#[derive(Template)]
#[template(path = "ui/signed_in.html")]
pub(crate) struct SignedInPage<'a> {
    pub(crate) home: &'a str,
}

/// A page for what could not be shown.
#[derive(Template)]
#[template(path = "ui/error.html")]
pub(crate) struct ErrorPage<'a> {
    pub(crate) page: &'a Chrome,
    pub(crate) heading: String,
    pub(crate) message: String,
}

/// A link to one part of a module (root, submodule, example).
#[derive(Debug)]
pub(crate) struct PartLink {
    pub(crate) url: String,
    pub(crate) label: String,
    pub(crate) current: bool,
}

/// A module version's page.
#[derive(Template)]
#[template(path = "ui/module.html")]
pub(crate) struct ModulePage<'a> {
    pub(crate) page: &'a Chrome,
    pub(crate) address: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) system: String,
    pub(crate) version: String,
    pub(crate) versions: Vec<String>,
    pub(crate) description: String,
    pub(crate) source: Option<String>,
    pub(crate) published: String,
    pub(crate) downloads: u64,
    pub(crate) providers: Vec<String>,
    pub(crate) deprecation: Option<Deprecation>,
    pub(crate) yanked: Option<Yank>,
    /// An external version's location (Terraform fetches it from there).
    pub(crate) location: Option<String>,
    /// Where an imported version was fetched from.
    pub(crate) imported_from: Option<String>,
    pub(crate) snippet: String,
    pub(crate) parts: Vec<PartLink>,
    /// The part shown (`""` for the root).
    pub(crate) part: String,
    pub(crate) shown: ModulePart,
}

/// A link to a provider version or documentation page.
#[derive(Debug)]
pub(crate) struct VersionLink {
    pub(crate) url: String,
    pub(crate) version: String,
    pub(crate) current: bool,
    pub(crate) yanked: bool,
    pub(crate) deprecated: bool,
}

/// A link to a documentation page.
#[derive(Debug)]
pub(crate) struct DocLink {
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) category: String,
    pub(crate) current: bool,
}

/// A provider version's page.
#[derive(Template)]
#[template(path = "ui/provider.html")]
pub(crate) struct ProviderPage<'a> {
    pub(crate) page: &'a Chrome,
    pub(crate) address: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) source: Option<String>,
    pub(crate) shown: ProviderVersionView,
    pub(crate) key_owner: String,
    pub(crate) snippet: String,
    pub(crate) docs: Vec<DocLink>,
    pub(crate) doc_html: Option<String>,
    pub(crate) versions: Vec<VersionLink>,
}

/// `"~> X.Y"` for a release, the exact version for a pre-release.
pub(crate) fn pessimistic(version: &str) -> String {
    match crate::types::Version::parse(version) {
        Ok(v) if !v.is_prerelease() => format!("~> {}.{}", v.major(), v.minor()),
        _ => version.to_owned(),
    }
}

/// An RFC 3339 time as a date (`2026-12-02`).
pub(crate) fn date(rfc3339: &str) -> String {
    rfc3339.get(..10).unwrap_or(rfc3339).to_owned()
}
