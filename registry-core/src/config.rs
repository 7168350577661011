//! How a registry is set up: where it is mounted, its public URL, and its limits.

use std::time::Duration;

use crate::http::pace::BodyPace;
use crate::modules::archive::ArchiveLimits;

/// The settings of a [`Registry`](crate::Registry).
#[derive(Clone)]
pub struct RegistryConfig {
    /// The path the registry is mounted under (`""` at the root, or e.g. `"/registry"`), without
    /// a trailing slash. Service discovery is always answered at `/.well-known/terraform.json`.
    pub base_path: String,
    /// The URL clients reach the host at (`https://registry.example.com`), to make links
    /// absolute. `None` gives links relative to the host, which Terraform resolves itself.
    pub public_url: Option<String>,
    /// Other host names this registry is known by in provider source addresses (without a
    /// port: Terraform's network mirror client cannot handle one); the network mirror serves
    /// this registry's own providers under them, beside the request's `Host` and the public
    /// URL's host.
    pub hostnames: Vec<String>,
    /// An armored OpenPGP secret key to sign providers with, for teams that manage their key
    /// themselves. `None`: a key is generated on first use and kept in the store.
    pub provider_signing_key: Option<String>,
    /// The largest request body accepted, in bytes (default 64 MiB).
    pub max_upload_bytes: u64,
    /// The largest file accepted through an upload session (default 1 GiB); module archives
    /// uploaded that way are also held to `max_upload_bytes`, as they are checked in memory.
    pub max_session_upload_bytes: u64,
    /// How long an upload session, and its upload URL, stays usable (default 1 hour).
    pub upload_ttl: Duration,
    /// Limits on the contents of uploaded archives.
    pub archive_limits: ArchiveLimits,
    /// How many module archives are unpacked and re-packed at once (default: the number of
    /// CPUs); more publishes wait their turn. Each one works through temporary files with a
    /// small, fixed amount of memory, whatever the archive.
    pub archive_workers: usize,
    /// How request bodies must keep arriving (408 for a body that stalls or trickles).
    pub body_pace: BodyPace,
    /// The most uploads (publishing requests and upload-session data) in progress at once
    /// (default 64); more answer 429 with `Retry-After`.
    pub max_uploads: usize,
    /// The most uploads one principal may have in progress at once (default 8).
    pub max_uploads_per_principal: usize,
    /// How long a download link stays valid (default 10 minutes).
    pub link_ttl: Duration,
    /// How long version lists are cached in memory (default 5 s); changes made through this
    /// instance are seen at once, changes made by other instances on the same store within it.
    pub cache_ttl: Duration,
    /// The proxies in front of the registry whose `X-Forwarded-For` the access log believes
    /// (none by default: the peer's address is logged).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Where the web UI is served, below the base path (`/ui` by default); `None` switches it
    /// off. The root path then redirects there.
    pub ui_path: Option<String>,
    /// How often at most an instance writes the download counts it gathered (default 30 s):
    /// the bound on how far counts lag (see [`crate::downloads`]).
    pub download_flush: Duration,
    /// The most modules whose version lists are cached at once (default 100,000).
    pub cache_capacity: usize,
    /// How old an orphan (an archive no index names) or a crash's leftover must be before
    /// [`Registry::collect_garbage`](crate::Registry::collect_garbage) removes it (default 24
    /// hours): younger ones may belong to a publish in flight. See [`crate::maintenance`].
    pub orphan_grace: Duration,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self {
            base_path: String::new(),
            public_url: None,
            hostnames: Vec::new(),
            provider_signing_key: None,
            max_upload_bytes: 64 * 1024 * 1024,
            max_session_upload_bytes: 1 << 30,
            upload_ttl: Duration::from_secs(3600),
            archive_limits: ArchiveLimits::default(),
            archive_workers: std::thread::available_parallelism().map_or(2, usize::from),
            body_pace: BodyPace::default(),
            max_uploads: 64,
            max_uploads_per_principal: 8,
            link_ttl: Duration::from_secs(600),
            cache_ttl: Duration::from_secs(5),
            download_flush: Duration::from_secs(30),
            ui_path: Some("/ui".to_owned()),
            trusted_proxies: Vec::new(),
            cache_capacity: 100_000,
            orphan_grace: crate::maintenance::DEFAULT_GRACE,
        }
    }
}

impl std::fmt::Debug for RegistryConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryConfig")
            .field("base_path", &self.base_path)
            .field("public_url", &self.public_url)
            .field("hostnames", &self.hostnames)
            .field("provider_signing_key", &self.provider_signing_key.as_ref().map(|_| "<redacted>"))
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("max_session_upload_bytes", &self.max_session_upload_bytes)
            .field("upload_ttl", &self.upload_ttl)
            .field("archive_limits", &self.archive_limits)
            .field("archive_workers", &self.archive_workers)
            .field("body_pace", &self.body_pace)
            .field("max_uploads", &self.max_uploads)
            .field("max_uploads_per_principal", &self.max_uploads_per_principal)
            .field("link_ttl", &self.link_ttl)
            .field("cache_ttl", &self.cache_ttl)
            .field("cache_capacity", &self.cache_capacity)
            .field("orphan_grace", &self.orphan_grace)
            .field("download_flush", &self.download_flush)
            .field("ui_path", &self.ui_path)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

impl RegistryConfig {
    /// Normalises the base path (`registry/` -> `/registry`) and the public URL (no trailing
    /// slash), and checks both.
    pub(crate) fn normalised(mut self) -> crate::Result<Self> {
        let trimmed = self.base_path.trim_matches('/');
        if trimmed.split('/').any(|s| s.is_empty() || s == "." || s == "..") && !trimmed.is_empty() {
            return Err(crate::Error::bad_request(format!("invalid base path {:?}", self.base_path)));
        }
        self.base_path = if trimmed.is_empty() { String::new() } else { format!("/{trimmed}") };
        if let Some(ui) = &self.ui_path {
            let ui = ui.trim_matches('/');
            if ui.is_empty()
                || ui.split('/').any(|s| s.is_empty() || s == "." || s == ".." || s == "v1" || s == "v2")
            {
                return Err(crate::Error::bad_request(format!(
                    "invalid UI path {ui:?}: use a path such as /ui"
                )));
            }
            self.ui_path = Some(format!("/{ui}"));
        }
        if let Some(url) = &mut self.public_url {
            let stripped = url.trim_end_matches('/');
            if !(stripped.starts_with("https://") || stripped.starts_with("http://")) {
                return Err(crate::Error::bad_request(format!(
                    "the public URL {url:?} must start with https:// or http://"
                )));
            }
            *url = stripped.to_owned();
        }
        Ok(self)
    }
}
