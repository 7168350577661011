//! Imports of external module versions for `tfreg serve` ([`SourceFetcher`]): `https://`
//! archives downloaded with `reqwest`, git repositories fetched over `https://` with the `git`
//! CLI, both only from the hosts the operator allows (`--import-allow-host`), within the
//! registry's upload size limit and `--import-timeout-secs`. A git credential
//! (`--import-git-token HOST=FILE`) goes to its own host only, in git's environment (never in
//! its arguments or a log).

pub(crate) mod archive;
mod git;

use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use bytes::Bytes;
use tfreg_core::modules::external::fetch::{FetchError, SourceFetcher};
use tfreg_core::types::ImportSource;

use crate::cli::ServeArgs;

/// At most this many redirects are followed for an archive, each to an allowed host.
const MAX_REDIRECTS: usize = 5;

/// The server's importer.
pub(crate) struct Importer {
    /// Hosts imports may reach, lower-case.
    hosts: Vec<String>,
    /// `(host, Authorization header value)` for git imports.
    credentials: Vec<(String, String)>,
    client: reqwest::Client,
    timeout: Duration,
}

impl std::fmt::Debug for Importer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hosts: Vec<&str> = self.credentials.iter().map(|(host, _)| host.as_str()).collect();
        f.debug_struct("Importer")
            .field("hosts", &self.hosts)
            .field("git_credentials_for", &hosts)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Importer {
    /// The importer `tfreg serve`'s flags configure (one that refuses every import when no
    /// host is allowed).
    pub(crate) fn from_args(args: &ServeArgs) -> crate::Result<Self> {
        let hosts: Vec<String> =
            args.import_allow_hosts.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
        let mut credentials = Vec::new();
        for spec in &args.import_git_tokens {
            let (host, file) = spec
                .split_once('=')
                .ok_or_else(|| format!("--import-git-token takes HOST=FILE, got {spec:?}"))?;
            let token = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read the git token file of {host} ({file}): {e}"))?;
            let token = token.trim();
            if token.is_empty() || token.contains(['\r', '\n']) {
                return Err(format!("the git token file of {host} ({file}) must hold one token").into());
            }
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{token}", args.import_git_username));
            credentials.push((host.trim().to_ascii_lowercase(), format!("Basic {basic}")));
        }
        let timeout = Duration::from_secs(args.import_timeout_secs.max(1));
        let allowed = hosts.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if allows(&allowed, attempt.url()) {
                attempt.follow()
            } else {
                let to = attempt.url().host_str().unwrap_or_default().to_owned();
                attempt
                    .error(format!("redirected to {to}, which imports may not reach (--import-allow-host)"))
            }
        });
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(Duration::from_secs(10))
            .timeout(timeout)
            .redirect(redirects)
            .user_agent(concat!("tfreg/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { hosts, credentials, client, timeout })
    }
}

/// Whether `url` is on an allowed host, over https (or http to a loopback host).
fn allows(hosts: &[String], url: &url::Url) -> bool {
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let scheme = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    scheme && hosts.iter().any(|h| h.trim_start_matches('[').trim_end_matches(']').eq_ignore_ascii_case(host))
}

#[async_trait]
impl SourceFetcher for Importer {
    async fn fetch(&self, source: &ImportSource, limit: u64) -> Result<Bytes, FetchError> {
        if self.hosts.is_empty() {
            return Err(FetchError::Refused(
                "this registry does not import (its operator allows hosts with tfreg serve --import-allow-host); register the location without \"import\"".into(),
            ));
        }
        let url = url::Url::parse(source.url()).map_err(|e| FetchError::Refused(e.to_string()))?;
        if !allows(&self.hosts, &url) {
            return Err(FetchError::Refused(format!(
                "this registry may not import from {} (it imports from {})",
                source.host(),
                self.hosts.join(", ")
            )));
        }
        match source {
            ImportSource::Archive { url } => archive::download(&self.client, url, limit).await,
            ImportSource::Git { url, reference } => {
                let host = source.host();
                let credential = self.credentials.iter().find(|(h, _)| *h == host).map(|(_, c)| c.as_str());
                git::fetch(url, reference.as_deref(), credential, limit, self.timeout).await
            }
            _ => Err(FetchError::Refused(format!("{} cannot be imported", source.url()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::allows;

    #[test]
    fn only_allowed_hosts_over_https_or_loopback_http() {
        let hosts = vec!["github.com".to_owned(), "127.0.0.1".to_owned(), "[::1]".to_owned()];
        let ok = |u: &str| allows(&hosts, &url::Url::parse(u).unwrap());
        assert!(ok("https://github.com/acme/net.git"));
        assert!(ok("https://GitHub.com/acme/net.git"));
        assert!(ok("http://127.0.0.1:9000/net.tar.gz"));
        assert!(ok("http://[::1]:9000/net.tar.gz"));
        assert!(!ok("http://github.com/acme/net.git"), "plain http to a remote host");
        assert!(!ok("https://codeload.github.com/acme/net"), "a host not allowed");
        assert!(!ok("https://127.0.0.2/x"));
    }
}
