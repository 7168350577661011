//! The server's [`ScmClient`]: GitHub's REST API (github.com or GitHub Enterprise Server)
//! through a GitHub App or a repository access token, GitLab's REST API v4, Bitbucket Cloud's
//! API 2.0 and Bitbucket Data Center's REST API, with `reqwest`. Archives are read within the
//! registry's upload limit and `--scm-timeout-secs`; a source's own API URL is only called on
//! the public services' hosts or those `--scm-allow-host` names.

mod app;
mod paths;

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tfreg_core::modules::external::fetch::FetchError;
use tfreg_core::scm::{RepositoryAccess, RepositoryInfo, RepositoryRef, ScmClient, ScmKind};

use crate::cli::ServeArgs;

/// The server's client of the source-control hosts.
pub(crate) struct HttpScm {
    client: reqwest::Client,
    app: Option<app::AppAuth>,
    /// GitHub's API root for the App (`https://api.github.com` by default).
    github_api: String,
    /// The hosts a source's own API URL may name, lower-case.
    allowed: Vec<String>,
}

impl std::fmt::Debug for HttpScm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpScm")
            .field("github_app", &self.app.is_some())
            .field("github_api", &self.github_api)
            .field("allowed", &self.allowed)
            .finish_non_exhaustive()
    }
}

impl HttpScm {
    /// The client `tfreg serve`'s flags configure; `private_key` is the App's PEM, when set up.
    pub(crate) fn from_args(args: &ServeArgs, private_key: Option<&[u8]>) -> crate::Result<Self> {
        let app = match (args.github_app_id, private_key) {
            (Some(id), Some(pem)) => Some(app::AppAuth::new(id, pem)?),
            _ => None,
        };
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(args.scm_timeout_secs.max(1)))
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!("tfreg/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let github_api = args.github_api_url.trim_end_matches('/').to_owned();
        let mut allowed: Vec<String> =
            args.scm_allow_hosts.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
        allowed.extend(url::Url::parse(&github_api).ok().and_then(|u| u.host_str().map(str::to_owned)));
        Ok(Self { client, app, github_api, allowed })
    }

    /// The API root for `repository`: its own (on an allowed host), else the kind's default.
    fn api(&self, repository: &RepositoryRef) -> Result<String, FetchError> {
        let Some(own) = &repository.api_url else {
            return Ok(match repository.kind {
                ScmKind::Github => self.github_api.clone(),
                kind => paths::default_api(kind).to_owned(),
            });
        };
        let url = url::Url::parse(own).map_err(|e| FetchError::Refused(format!("{own}: {e}")))?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if paths::PUBLIC_HOSTS.contains(&host.as_str()) || self.allowed.contains(&host) {
            Ok(own.trim_end_matches('/').to_owned())
        } else {
            Err(FetchError::Refused(format!(
                "this registry may not call {host} (its operator allows hosts with tfreg serve --scm-allow-host)"
            )))
        }
    }

    /// `request` with `repository`'s credentials.
    async fn authorized(
        &self,
        request: reqwest::RequestBuilder,
        repository: &RepositoryRef,
        api: &str,
    ) -> Result<reqwest::RequestBuilder, FetchError> {
        Ok(match (&repository.access, repository.kind) {
            (RepositoryAccess::Installation(id), _) => {
                let app = self.app.as_ref().ok_or_else(|| {
                    FetchError::Refused(
                        "this registry has no GitHub App key (--github-app-private-key)".into(),
                    )
                })?;
                let token = app.installation_token(&self.client, api, *id).await?;
                github_headers(request).header(reqwest::header::AUTHORIZATION, format!("token {token}"))
            }
            (RepositoryAccess::Token(token), ScmKind::Gitlab) => request.header("PRIVATE-TOKEN", token),
            (RepositoryAccess::Token(token), ScmKind::Github) => github_headers(request).bearer_auth(token),
            (RepositoryAccess::Token(token), _) => request.bearer_auth(token),
            (RepositoryAccess::Anonymous, ScmKind::Github) => github_headers(request),
            (RepositoryAccess::Anonymous, _) => request,
        })
    }
}

/// The headers GitHub's REST API asks for.
fn github_headers(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request
        .header(reqwest::header::ACCEPT, "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
}

/// Sends `request` and reads a JSON answer (of at most 8 MiB).
async fn send_json<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
    url: &str,
) -> Result<T, FetchError> {
    let body = crate::import::archive::read_limited(request, url, 8 << 20).await?;
    serde_json::from_slice(&body)
        .map_err(|e| FetchError::Failed(format!("{url} answered JSON that is not what was expected: {e}")))
}

#[derive(serde::Deserialize)]
struct Installation {
    account: Account,
}

#[derive(serde::Deserialize)]
struct Account {
    login: String,
}

#[derive(serde::Deserialize)]
struct Repositories {
    total_count: usize,
    repositories: Vec<RepositoryInfo>,
}

/// How many entries a page asks for.
const PAGE: usize = 100;

/// At most this many pages are read (10,000 tags or repositories).
const MAX_PAGES: usize = 100;

#[async_trait]
impl ScmClient for HttpScm {
    async fn installation_account(&self, installation: u64) -> Result<String, FetchError> {
        let app = self.app.as_ref().ok_or_else(|| FetchError::Refused("no GitHub App is set up".into()))?;
        let url = format!("{}/app/installations/{installation}", self.github_api);
        let found: Installation =
            send_json(github_headers(self.client.get(&url)).bearer_auth(app.jwt()?), &url).await?;
        Ok(found.account.login)
    }

    async fn installation_repositories(&self, installation: u64) -> Result<Vec<RepositoryInfo>, FetchError> {
        let reference = RepositoryRef {
            kind: ScmKind::Github,
            api_url: None,
            full_name: String::new(),
            access: RepositoryAccess::Installation(installation),
        };
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let url = format!("{}/installation/repositories?per_page={PAGE}&page={page}", self.github_api);
            let request = self.authorized(self.client.get(&url), &reference, &self.github_api).await?;
            let found: Repositories = send_json(request, &url).await?;
            let last = found.repositories.len() < PAGE;
            out.extend(found.repositories);
            if last || out.len() >= found.total_count {
                break;
            }
        }
        Ok(out)
    }

    async fn tags(&self, repository: &RepositoryRef) -> Result<Vec<String>, FetchError> {
        let api = self.api(repository)?;
        let mut out = Vec::new();
        let mut page = paths::TagPage::first(repository.kind);
        for _ in 0..MAX_PAGES {
            let url = paths::tags(repository, &api, &page);
            let request = self.authorized(self.client.get(&url), repository, &api).await?;
            let body: serde_json::Value = send_json(request, &url).await?;
            let (names, next) = paths::read_tags(repository.kind, &body, &page);
            out.extend(names);
            match next {
                Some(next) => page = next,
                None => break,
            }
        }
        Ok(out)
    }

    async fn archive(&self, repository: &RepositoryRef, tag: &str, limit: u64) -> Result<Bytes, FetchError> {
        let api = self.api(repository)?;
        let url = paths::archive(repository, &api, tag);
        let request = self.authorized(self.client.get(&url), repository, &api).await?;
        crate::import::archive::read_limited(request, &url, limit).await
    }
}

/// Sets up publishing from source control as `tfreg serve`'s flags say.
pub(crate) fn configure(
    builder: tfreg_core::RegistryBuilder,
    args: &ServeArgs,
) -> crate::Result<tfreg_core::RegistryBuilder> {
    let read = |path: &std::path::Path, what: &str| {
        std::fs::read(path).map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))
    };
    let key =
        args.github_app_private_key.as_deref().map(|p| read(p, "GitHub App private key")).transpose()?;
    let github_app = match (&args.github_app_id, &args.github_webhook_secret_file) {
        (Some(_), Some(file)) => {
            let secret = String::from_utf8(read(file, "GitHub webhook secret file")?)
                .map_err(|_| "the GitHub webhook secret file is not text")?
                .trim()
                .to_owned();
            if secret.len() < 16 {
                return Err("the GitHub webhook secret must have at least 16 characters".into());
            }
            let monorepos = match &args.github_monorepos {
                None => Vec::new(),
                Some(path) => serde_json::from_slice(&read(path, "monorepo rules")?)
                    .map_err(|e| format!("the monorepo rules {} are not valid: {e}", path.display()))?,
            };
            let rules =
                tfreg_core::scm::RepositoryRules { prefix: args.github_repository_prefix.clone(), monorepos };
            rules.check().map_err(|e| format!("the monorepo rules are not valid: {e}"))?;
            Some(tfreg_core::scm::GitHubApp {
                webhook_secret: secret,
                rules,
                api_url: Some(args.github_api_url.trim_end_matches('/').to_owned()),
            })
        }
        _ => None,
    };
    let config = tfreg_core::scm::ScmConfig {
        github_app,
        removal_grace: Duration::from_secs(args.scm_removal_grace_secs),
    };
    let client = HttpScm::from_args(args, key.as_deref())?;
    Ok(builder.scm_client(std::sync::Arc::new(client)).scm(config))
}
