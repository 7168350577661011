//! Links the registry hands out: to its own endpoints (relative to the host, or absolute with a
//! public URL) and signed, expiring links to archives and upload URLs.

use std::time::Duration;

use crate::clock::SharedClock;
use crate::http::signing::{SignedLink, UrlSigner};
use crate::Result;

/// Makes and checks the registry's links.
#[derive(Debug)]
pub struct Links {
    /// The public URL (if any) and the base path, prefixed to every link.
    prefix: String,
    signer: UrlSigner,
    ttl: Duration,
    clock: SharedClock,
}

impl Links {
    /// Links under `public_url` (or host-relative) and `base_path`, signed with `signer` for
    /// `ttl` by `clock`.
    pub fn new(
        public_url: Option<&str>,
        base_path: &str,
        signer: UrlSigner,
        ttl: Duration,
        clock: SharedClock,
    ) -> Self {
        Self { prefix: format!("{}{base_path}", public_url.unwrap_or("")), signer, ttl, clock }
    }

    /// The link to `path` (relative to the base path, starting with `/`).
    pub fn to(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }

    /// A link to `path` signed until `expires` (seconds since the epoch).
    pub fn signed_until(&self, path: &str, expires: u64) -> String {
        format!("{}?{}", self.to(path), self.signer.sign(path, expires))
    }

    /// A link to `path` signed for the link lifetime from now.
    pub fn signed(&self, path: &str) -> String {
        self.signed_until(path, self.clock.unix_now() + self.ttl.as_secs())
    }

    /// Checks the signature of a request for `path` with query `raw_query`: 403 if it is
    /// missing, tampered with or expired, in words that name `link`.
    pub fn verify(&self, path: &str, raw_query: Option<&str>, link: &SignedLink) -> Result<()> {
        self.signer.verify(path, raw_query, self.clock.unix_now(), link)
    }

    /// The signer behind the links (the UI's session cookie is signed with it too).
    pub fn signer(&self) -> &UrlSigner {
        &self.signer
    }

    /// How long a signed link lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The registry's clock.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }
}
