//! Answering a UI request: the page's data from the registry's own API (with the visitor's
//! token), rendered with its template.

use askama::Template;
use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use serde::de::DeserializeOwned;

use super::pages::{
    date, pessimistic, Chrome, DocLink, ErrorPage, HomePage, ModuleCard, ModulePage, PartLink, ProviderCard,
    ProviderPage, Results, SignInPage, SignedInPage, VersionLink,
};
use super::routes::{route, UiRoute};
use super::session;
use crate::http::body::Body;
use crate::http::RequestContext;
use crate::protocol::{
    DocPage, DocsIndex, KeyList, ModuleDetail, ModuleList, ModuleSummary, ModuleVersionDetail, NamespaceList,
    ProviderDetail, ProviderList, ProviderSummary,
};
use crate::{Error, Registry, Result};

/// How many entries the home page and a search show of each kind.
const SHOWN: usize = 24;

/// The answer to the UI request `ctx` for `rest`, the path below the UI's prefix.
pub(crate) async fn answer(
    registry: &Registry,
    ctx: &RequestContext,
    rest: &str,
    body: Bytes,
) -> Response<Body> {
    let ui = Ui::new(registry, ctx);
    let Some(route) = route(&ctx.method, rest) else {
        return ui.error(&Error::not_found("there is no such page"));
    };
    let result = match route {
        UiRoute::Home => ui.home().await,
        UiRoute::Search => ui.search().await,
        UiRoute::Namespace(ns) => ui.namespace(&ns).await,
        UiRoute::Module { address, version } => ui.module(&address, version).await,
        UiRoute::Provider { address, version, page } => ui.provider(&address, version, page).await,
        UiRoute::SignInForm => {
            ui.html(StatusCode::OK, &SignInPage { page: &ui.chrome, error: None, sso: ui.sso() })
        }
        UiRoute::SignInSso => ui.sign_in_sso().await,
        UiRoute::SignIn => ui.sign_in(&body).await,
        UiRoute::SignOut => ui.sign_out().await,
        UiRoute::Asset(name) => ui.asset(&name),
    };
    result.unwrap_or_else(|err| ui.error(&err))
}

/// One UI request being answered.
struct Ui<'a> {
    registry: &'a Registry,
    ctx: &'a RequestContext,
    token: Option<String>,
    chrome: Chrome,
}

impl<'a> Ui<'a> {
    fn new(registry: &'a Registry, ctx: &'a RequestContext) -> Self {
        let now = registry.links().clock().unix_now();
        let token = session::from_headers(&ctx.headers)
            .and_then(|value| session::token(registry.links().signer(), value, now));
        let home = format!("{}/", registry.links().to(registry.ui_path().unwrap_or_default()));
        let assets = registry.ui_assets();
        let chrome = Chrome {
            css: format!("{home}assets/{}", assets.css.name),
            js: format!("{home}assets/{}", assets.js.name),
            query: ctx.query.get("q").unwrap_or_default().to_owned(),
            signed_in: token.is_some(),
            home,
        };
        Self { registry, ctx, token, chrome }
    }

    /// The registry's answer to `GET path` (below the base path) with the visitor's token.
    async fn api<T: DeserializeOwned + Send>(&self, path: &str) -> Result<T> {
        self.registry.api(path, self.token.as_deref()).await
    }

    async fn home(&self) -> Result<Response<Body>> {
        let modules: ModuleList = self.api(&format!("/v1/modules?limit={SHOWN}&sort=recent")).await?;
        let providers: ProviderList = self.api(&format!("/v1/providers?limit={SHOWN}&sort=recent")).await?;
        let namespaces: NamespaceList = self.api("/v1/namespaces").await?;
        let page = HomePage {
            page: &self.chrome,
            title: "Modules and providers".into(),
            namespaces: namespaces.namespaces.into_iter().map(|n| n.name).collect(),
            module_count: modules.meta.total.unwrap_or(modules.modules.len()),
            provider_count: providers.meta.total.unwrap_or(providers.providers.len()),
            modules: self.module_cards(modules.modules),
            providers: self.provider_cards(providers.providers),
        };
        self.html(StatusCode::OK, &page)
    }

    async fn search(&self) -> Result<Response<Body>> {
        let q = self.ctx.query.get("q").unwrap_or_default().trim();
        let (modules, providers) = if q.is_empty() {
            let modules: ModuleList = self.api(&format!("/v1/modules?limit={SHOWN}&sort=recent")).await?;
            let providers: ProviderList =
                self.api(&format!("/v1/providers?limit={SHOWN}&sort=recent")).await?;
            (modules, providers)
        } else {
            let q = form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
            let modules: ModuleList = self.api(&format!("/v1/modules/search?limit={SHOWN}&q={q}")).await?;
            let providers: ProviderList =
                self.api(&format!("/v1/providers/search?limit={SHOWN}&q={q}")).await?;
            (modules, providers)
        };
        let (module_count, provider_count) = (
            modules.meta.total.unwrap_or(modules.modules.len()),
            providers.meta.total.unwrap_or(providers.providers.len()),
        );
        let (modules, providers) =
            (self.module_cards(modules.modules), self.provider_cards(providers.providers));
        if self.ctx.query.get("partial").is_some() {
            return self.html(StatusCode::OK, &Results { modules, providers });
        }
        let title = if q.is_empty() { "Everything".to_owned() } else { format!("Results for “{q}”") };
        let page = HomePage {
            page: &self.chrome,
            title,
            namespaces: Vec::new(),
            module_count,
            provider_count,
            modules,
            providers,
        };
        self.html(StatusCode::OK, &page)
    }

    async fn namespace(&self, ns: &str) -> Result<Response<Body>> {
        let modules: ModuleList = self.api(&format!("/v1/modules/{ns}?limit=100")).await?;
        let providers: ProviderList = self.api(&format!("/v1/providers/{ns}?limit=100")).await?;
        let page = HomePage {
            page: &self.chrome,
            title: ns.to_owned(),
            namespaces: Vec::new(),
            module_count: modules.meta.total.unwrap_or(modules.modules.len()),
            provider_count: providers.meta.total.unwrap_or(providers.providers.len()),
            modules: self.module_cards(modules.modules),
            providers: self.provider_cards(providers.providers),
        };
        self.html(StatusCode::OK, &page)
    }

    async fn module(&self, address: &str, version: Option<String>) -> Result<Response<Body>> {
        let version = version.or_else(|| self.ctx.query.get("version").map(str::to_owned));
        let detail: ModuleVersionDetail = match &version {
            Some(v) => self.api(&format!("/v1/modules/{address}/{v}")).await?,
            None => self.api::<ModuleDetail>(&format!("/v1/modules/{address}")).await?.latest,
        };
        let view = &detail.version;
        let part = self.ctx.query.get("part").unwrap_or_default().to_owned();
        let all =
            std::iter::once(&detail.docs.root).chain(&detail.docs.submodules).chain(&detail.docs.examples);
        let shown =
            all.clone().find(|p| p.path == part).cloned().ok_or_else(|| {
                Error::not_found(format!("{address} {} has no part {part:?}", view.version))
            })?;
        let base = format!("{}modules/{address}/{}", self.chrome.home, view.version);
        let parts = all
            .map(|p| PartLink {
                url: if p.path.is_empty() { base.clone() } else { format!("{base}?part={}", p.path) },
                label: if p.path.is_empty() { "Root module".to_owned() } else { p.path.clone() },
                current: p.path == part,
            })
            .collect();
        let subdir = if part.is_empty() { String::new() } else { format!("//{part}") };
        let snippet = format!(
            "module \"{}\" {{\n  source  = \"{}/{}/{}/{}{subdir}\"\n  version = \"{}\"\n}}",
            view.name.replace('-', "_"),
            self.registry.source_host(self.ctx),
            view.namespace,
            view.name,
            view.provider,
            pessimistic(&view.version),
        );
        let mut versions = detail.versions.clone();
        if !versions.contains(&view.version) {
            versions.insert(0, view.version.clone());
        }
        let page = ModulePage {
            page: &self.chrome,
            address: address.to_owned(),
            namespace: view.namespace.clone(),
            name: view.name.clone(),
            system: view.provider.clone(),
            version: view.version.clone(),
            versions,
            description: view
                .description
                .clone()
                .unwrap_or_else(|| crate::catalogue::description(&detail.docs.root.readme)),
            source: view.source.clone().filter(|s| s.starts_with("https://") || s.starts_with("http://")),
            published: date(&view.published_at),
            downloads: view.downloads,
            providers: detail.docs.providers.clone(),
            deprecation: view.deprecation.clone(),
            yanked: view.yanked.clone(),
            location: view.location.clone(),
            imported_from: view.imported_from.clone(),
            snippet,
            parts,
            part,
            shown,
        };
        self.html(StatusCode::OK, &page)
    }

    async fn provider(
        &self,
        address: &str,
        version: Option<String>,
        doc: Option<(String, String)>,
    ) -> Result<Response<Body>> {
        let detail: ProviderDetail = self.api(&format!("/v1/providers/{address}")).await?;
        let wanted = version.or(detail.latest_version.clone());
        let shown = match &wanted {
            Some(v) => detail.versions.iter().find(|x| &x.version == v),
            None => detail.versions.first(),
        }
        .cloned()
        .ok_or_else(|| Error::not_found(format!("provider {address} has no such version")))?;
        let base = format!("{}providers/{address}/{}", self.chrome.home, shown.version);
        let (mut docs, mut doc_html) = (Vec::new(), None);
        if shown.docs.is_some() {
            let index: DocsIndex =
                self.api(&format!("/v1/providers/{address}/{}/docs", shown.version)).await?;
            let current = doc.clone().or_else(|| {
                index
                    .pages
                    .iter()
                    .find(|p| p.category == "overview")
                    .map(|p| (p.category.clone(), p.slug.clone()))
            });
            if let Some((category, slug)) = &current {
                let page: DocPage = self
                    .api(&format!("/v1/providers/{address}/{}/docs/{category}/{slug}", shown.version))
                    .await?;
                doc_html = Some(page.html);
            }
            docs = index
                .pages
                .into_iter()
                .map(|p| DocLink {
                    url: format!("{base}/docs/{}/{}", p.category, p.slug),
                    current: current.as_ref().is_some_and(|(c, s)| *c == p.category && *s == p.slug),
                    title: p.title,
                    category: p.category,
                })
                .collect();
        }
        let keys: KeyList = self.api("/v1/keys").await?;
        let key_owner =
            match shown.key_id.as_deref().and_then(|id| keys.keys.into_iter().find(|k| k.key_id == id)) {
                Some(key) if key.owner == "registry" => "this registry's key".to_owned(),
                Some(key) => format!("{}'s key", key.namespace.unwrap_or(key.owner)),
                None if shown.pinned => "the upstream's key".to_owned(),
                None => "unknown".to_owned(),
            };
        let snippet = format!(
            "terraform {{\n  required_providers {{\n    {} = {{\n      source  = \"{}/{}/{}\"\n      version = \"{}\"\n    }}\n  }}\n}}",
            detail.name,
            self.registry.source_host(self.ctx),
            detail.namespace,
            detail.name,
            pessimistic(&shown.version)
        );
        let versions = detail
            .versions
            .iter()
            .map(|v| VersionLink {
                url: format!("{}providers/{address}/{}", self.chrome.home, v.version),
                version: v.version.clone(),
                current: v.version == shown.version,
                yanked: v.yanked.is_some(),
                deprecated: v.deprecation.is_some(),
            })
            .collect();
        let page = ProviderPage {
            page: &self.chrome,
            address: address.to_owned(),
            namespace: detail.namespace.clone(),
            name: detail.name.clone(),
            description: shown.description.clone().or(detail.description.clone()).unwrap_or_default(),
            source: shown.source.clone().filter(|s| s.starts_with("https://") || s.starts_with("http://")),
            key_owner,
            snippet,
            docs,
            doc_html,
            versions,
            shown,
        };
        self.html(StatusCode::OK, &page)
    }

    /// `POST /signin` with `token=`: checked against the API, then kept in the session cookie.
    async fn sign_in(&self, body: &Bytes) -> Result<Response<Body>> {
        let token = form_urlencoded::parse(body)
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v.trim().to_owned())
            .filter(|t| !t.is_empty());
        let checked = match &token {
            Some(token) => {
                self.registry.api::<ModuleList>("/v1/modules?limit=1", Some(token)).await.map(|_| ())
            }
            None => Err(Error::bad_request("paste a token")),
        };
        match (token, checked) {
            (Some(token), Ok(())) => {
                let expires = self.registry.links().clock().unix_now() + session::SESSION_SECS;
                let value = session::value(self.registry.links().signer(), &token, expires);
                Ok(self.redirect(session::set_cookie(Some(&value), &self.cookie_path(), self.secure())))
            }
            (_, result) => {
                let error = match result {
                    Err(err) if err.status() == StatusCode::UNAUTHORIZED => {
                        "This token is not valid here.".to_owned()
                    }
                    Err(err) if err.status() == StatusCode::FORBIDDEN => {
                        "This token may not browse the catalogue.".to_owned()
                    }
                    Err(err) => err.to_string(),
                    Ok(()) => "paste a token".to_owned(),
                };
                let chrome = Chrome { signed_in: false, query: String::new(), ..self.chrome.clone() };
                self.html(
                    StatusCode::UNAUTHORIZED,
                    &SignInPage { page: &chrome, error: Some(error), sso: self.sso() },
                )
            }
        }
    }

    fn asset(&self, name: &str) -> Result<Response<Body>> {
        let asset = self.registry.ui_assets().get(name).ok_or_else(|| Error::not_found("no such file"))?;
        let mut response = Response::new(Body::from(Bytes::from_static(asset.body.as_bytes())));
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
        headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
        headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
        Ok(response)
    }

    fn module_cards(&self, modules: Vec<ModuleSummary>) -> Vec<ModuleCard> {
        modules
            .into_iter()
            .map(|m| ModuleCard {
                url: format!("{}modules/{}/{}/{}", self.chrome.home, m.namespace, m.name, m.provider),
                published: date(&m.published_at),
                namespace: m.namespace,
                name: m.name,
                system: m.provider,
                version: m.version,
                description: m.description,
                downloads: m.downloads,
                pinned: m.pinned,
                external: m.external,
            })
            .collect()
    }

    fn provider_cards(&self, providers: Vec<ProviderSummary>) -> Vec<ProviderCard> {
        providers
            .into_iter()
            .filter(|p| p.upstream.is_none())
            .map(|p| ProviderCard {
                url: format!("{}providers/{}/{}", self.chrome.home, p.namespace, p.name),
                published: date(&p.published_at),
                namespace: p.namespace,
                name: p.name,
                version: p.version,
                description: p.description,
                downloads: p.downloads,
                upstream: p.upstream,
            })
            .collect()
    }

    /// The page for `err`, with its status.
    fn error(&self, err: &Error) -> Response<Body> {
        let status = err.status();
        let heading = match status {
            StatusCode::UNAUTHORIZED => "Sign in to see this",
            StatusCode::FORBIDDEN => "Not yours to see",
            StatusCode::NOT_FOUND => "Not found",
            s if s.is_client_error() => "That did not work",
            _ => "Something went wrong",
        };
        let message = if status == StatusCode::FORBIDDEN {
            "Your token may not read this namespace.".to_owned()
        } else {
            err.to_string()
        };
        let page = ErrorPage { page: &self.chrome, heading: heading.into(), message };
        self.html(status, &page).unwrap_or_else(|_| Response::new(Body::empty()))
    }

    fn html(&self, status: StatusCode, page: &impl Template) -> Result<Response<Body>> {
        let html = page.render().map_err(|e| Error::internal_with("cannot render a page", e))?;
        let mut response = Response::new(Body::from(Bytes::from(html)));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
        secure_headers(headers);
        Ok(response)
    }

    /// A `303 See Other` to the home page, setting `cookie`.
    fn redirect(&self, cookie: String) -> Response<Body> {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::SEE_OTHER;
        let headers = response.headers_mut();
        if let Ok(location) = HeaderValue::try_from(self.chrome.home.as_str()) {
            headers.insert(header::LOCATION, location);
        }
        if let Ok(cookie) = HeaderValue::try_from(cookie) {
            headers.insert(header::SET_COOKIE, cookie);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        secure_headers(headers);
        response
    }

    /// The cookie's path: the UI's, below the base path.
    /// `POST /signout`: ends the session, and revokes its token when the sign-in made it.
    async fn sign_out(&self) -> Result<Response<Body>> {
        if let Some(token) = &self.token {
            let tokens = self.registry.tokens();
            if let Some(record) = tokens.record_of(token).await? {
                if record.created_by.starts_with(session::SSO_CREATOR) {
                    tokens.revoke(&record.id).await?;
                }
            }
        }
        Ok(self.redirect(session::set_cookie(None, &self.cookie_path(), self.secure())))
    }

    fn sso(&self) -> bool {
        self.registry.identity().is_some()
    }

    /// `GET /signin/sso`: off to the identity provider.
    async fn sign_in_sso(&self) -> Result<Response<Body>> {
        let identity = self
            .registry
            .identity()
            .ok_or_else(|| Error::not_found("this registry signs nobody in through an identity provider"))?;
        let back =
            crate::identity::UiReturn { home: self.chrome.home.clone(), cookie_path: self.cookie_path() };
        identity.ui_sign_in(self.ctx, self.registry.links(), back).await
    }

    fn cookie_path(&self) -> String {
        format!("{}{}", self.registry.config().base_path, self.registry.ui_path().unwrap_or_default())
    }

    fn secure(&self) -> bool {
        self.ctx.scheme == "https"
    }
}

/// The page that ends a sign-in through the provider: it sets `cookie` and moves on to `home`.
pub(crate) fn landing(home: &str, cookie: &str) -> Response<Body> {
    let html = SignedInPage { home }.render().unwrap_or_default();
    let mut response = Response::new(Body::from(Bytes::from(html)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(cookie) = HeaderValue::try_from(cookie) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    secure_headers(headers);
    response
}

/// The headers every UI answer carries.
fn secure_headers(headers: &mut http::HeaderMap) {
    headers.insert("content-security-policy", HeaderValue::from_static(super::CONTENT_SECURITY_POLICY));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
}
