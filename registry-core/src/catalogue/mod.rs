//! The catalogue: what modules and providers exist, for browsing and search
//! (`GET /v1/modules`, `/v1/modules/{ns}`, `/v1/modules/{ns}/{name}`, `/v1/modules/search?q=`,
//! `/v1/providers`, `/v1/providers/{ns}`, `/v1/providers/search?q=`), in the public registry's
//! shapes, one entry per module or provider carrying its latest version.
//!
//! There is no database: each kind's entries live in the store in 256 small objects and a
//! manifest of their generations (`shards.rs`), updated with compare-and-swap as versions are
//! published, yanked and deleted, so replicas on one bucket agree. Each instance answers from a
//! snapshot in memory (`snapshot.rs`), reread (only the shards that changed) once older than the
//! cache TTL, so another replica's change shows within that time and this instance's own at
//! once. The first read of a store catalogued by no earlier registry adds everything it holds.

mod entry;
mod listed;
mod provider_entry;
mod search;
mod shards;
mod snapshot;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::Response;

use crate::auth::{Action, Authorizer, Principal};
use crate::clock::SharedClock;
use crate::http::body::Body;
use crate::http::{Links, RequestContext};
use crate::modules::index::ModuleIndex;
use crate::protocol::{ListMeta, ModuleDocs};
use crate::providers::index::ProviderIndex;
use crate::storage::Storage;
use crate::{Error, Result};

pub(crate) use entry::description;
pub use entry::{latest, Entry};
use listed::Listed;
pub use provider_entry::{latest_provider, ProviderEntry};
use snapshot::{Indexed, Snapshot};

/// The page size when none is asked for, as the public registry's.
pub const DEFAULT_LIMIT: usize = 15;
/// The largest page.
pub const MAX_LIMIT: usize = 100;

/// Browsing and searching modules and providers.
#[derive(Debug)]
pub(crate) struct CatalogueService {
    storage: Arc<dyn Storage>,
    authorizer: Arc<dyn Authorizer>,
    links: Arc<Links>,
    clock: SharedClock,
    ttl: Duration,
    modules: Shelf<Entry>,
    providers: Shelf<ProviderEntry>,
}

/// One kind's snapshot, and the lock that lets one request at a time reread it.
#[derive(Debug)]
struct Shelf<E> {
    current: Mutex<Option<(u64, Arc<Snapshot<E>>)>>,
    refresh: tokio::sync::Mutex<()>,
}

impl<E> Default for Shelf<E> {
    fn default() -> Self {
        Self { current: Mutex::new(None), refresh: tokio::sync::Mutex::new(()) }
    }
}

/// What a list answer is of.
pub(crate) enum Listing<'a> {
    /// Every module or provider.
    All,
    /// A namespace's modules or providers.
    Namespace(&'a str),
    /// One module name in a namespace, for every system.
    Name(&'a str, &'a str),
}

impl CatalogueService {
    pub(crate) fn new(
        storage: Arc<dyn Storage>,
        authorizer: Arc<dyn Authorizer>,
        links: Arc<Links>,
        ttl: Duration,
    ) -> Self {
        let clock = links.clock().clone();
        Self {
            storage,
            authorizer,
            links,
            clock,
            ttl,
            modules: Shelf::default(),
            providers: Shelf::default(),
        }
    }

    /// Records the module `index` now holds (after a publish); `docs` are its latest version's.
    /// A module left with no listed version leaves the catalogue. A failure is logged: the next
    /// change of the module records it again.
    pub(crate) async fn record(&self, index: &ModuleIndex, docs: Option<&ModuleDocs>) {
        let key = entry::key_of(&index.namespace, &index.name, &index.system);
        self.put(&self.modules, key, Entry::of(index, docs)).await;
    }

    /// Records the module `index` now holds after a lifecycle change, with its latest version's
    /// documentation when stored (the latest may have changed).
    pub(crate) async fn refresh(&self, index: &ModuleIndex) {
        let docs = match latest(index) {
            Some(latest) => entry::docs_if_stored(self.storage.as_ref(), index, latest).await,
            None => None,
        };
        self.record(index, docs.as_ref()).await;
    }

    /// Records the provider `index` now holds (after a publish or a lifecycle change).
    pub(crate) async fn record_provider(&self, index: &ProviderIndex) {
        let key = ProviderEntry::key_of(&index.host, &index.namespace, &index.r#type);
        self.put(&self.providers, key, ProviderEntry::of(index)).await;
    }

    /// Sets the catalogued download totals of modules and providers (by entry key).
    pub(crate) async fn set_downloads(&self, modules: Vec<(String, u64)>, providers: Vec<(String, u64)>) {
        let storage = self.storage.as_ref();
        if !modules.is_empty() {
            if let Err(err) = shards::set_downloads::<Entry>(storage, modules).await {
                tracing::warn!(error = %err, "could not record module downloads in the catalogue");
            }
        }
        if !providers.is_empty() {
            if let Err(err) = shards::set_downloads::<ProviderEntry>(storage, providers).await {
                tracing::warn!(error = %err, "could not record provider downloads in the catalogue");
            }
        }
    }

    /// Rebuilds both catalogues from the version indexes: every module and provider recorded
    /// again (download totals kept), entries of what no longer exists removed. How many
    /// modules and providers are listed, and how many entries were removed.
    pub(crate) async fn rebuild(&self) -> Result<(usize, usize, usize)> {
        let (modules, gone_modules) = self.rebuild_of(&self.modules).await?;
        let (providers, gone_providers) = self.rebuild_of(&self.providers).await?;
        Ok((modules, providers, gone_modules + gone_providers))
    }

    async fn rebuild_of<E: Listed>(&self, shelf: &Shelf<E>) -> Result<(usize, usize)> {
        let storage = self.storage.as_ref();
        let entries = E::backfill(storage).await?;
        let current = Snapshot::<E>::load(storage, None).await?;
        let keys: std::collections::HashSet<String> = entries.iter().map(Listed::key).collect();
        let gone: Vec<String> =
            current.entries.iter().map(|e| e.entry.key()).filter(|k| !keys.contains(k)).collect();
        let (listed, removed) = (entries.len(), gone.len());
        let mut changes: Vec<(String, Option<E>)> = entries.into_iter().map(|e| (e.key(), Some(e))).collect();
        changes.extend(gone.into_iter().map(|k| (k, None)));
        shards::put(storage, changes, true).await?;
        if let Ok(mut current) = shelf.current.lock() {
            *current = None;
        }
        Ok((listed, removed))
    }

    async fn put<E: Listed>(&self, shelf: &Shelf<E>, key: String, entry: Option<E>) {
        if let Err(err) = shards::put(self.storage.as_ref(), vec![(key.clone(), entry)], false).await {
            tracing::warn!(%key, error = %err, "could not update the catalogue");
        }
        if let Ok(mut current) = shelf.current.lock() {
            *current = None;
        }
    }

    /// The snapshot to answer from, reread when older than the TTL.
    async fn snapshot<E: Listed>(&self, shelf: &Shelf<E>) -> Result<Arc<Snapshot<E>>> {
        let now = self.clock.now_millis();
        let fresh = |at: u64| now.saturating_sub(at) < self.ttl.as_millis() as u64;
        let cached = shelf.current.lock().ok().and_then(|c| c.clone());
        if let Some((at, snapshot)) = &cached {
            if fresh(*at) {
                return Ok(snapshot.clone());
            }
        }
        let _one_at_a_time = shelf.refresh.lock().await;
        let cached = shelf.current.lock().ok().and_then(|c| c.clone());
        if let Some((at, snapshot)) = &cached {
            if fresh(*at) {
                return Ok(snapshot.clone());
            }
        }
        let previous = cached.as_ref().map(|(_, s)| s.as_ref());
        let loaded = Arc::new(Snapshot::load(self.storage.as_ref(), previous).await?);
        if let Ok(mut current) = shelf.current.lock() {
            *current = Some((self.clock.now_millis(), loaded.clone()));
        }
        Ok(loaded)
    }

    /// `GET /v1/modules[/{ns}[/{name}]]?offset&limit&provider`
    pub(crate) async fn list(&self, ctx: &RequestContext, listing: Listing<'_>) -> Result<Response<Body>> {
        self.list_of(&self.modules, ctx, listing).await
    }

    /// `GET /v1/modules/search?q=&offset&limit&provider`: best matches first.
    pub(crate) async fn search(&self, ctx: &RequestContext) -> Result<Response<Body>> {
        self.search_of(&self.modules, ctx).await
    }

    /// `GET /v1/providers[/{ns}]?offset&limit`
    pub(crate) async fn list_providers(
        &self,
        ctx: &RequestContext,
        listing: Listing<'_>,
    ) -> Result<Response<Body>> {
        self.list_of(&self.providers, ctx, listing).await
    }

    /// `GET /v1/providers/search?q=&offset&limit`: best matches first.
    pub(crate) async fn search_providers(&self, ctx: &RequestContext) -> Result<Response<Body>> {
        self.search_of(&self.providers, ctx).await
    }

    /// `GET /v1/namespaces`: the namespaces the caller may read, with what they hold.
    pub(crate) async fn namespaces(&self, ctx: &RequestContext) -> Result<Response<Body>> {
        let mut counts: std::collections::BTreeMap<String, (usize, usize)> =
            std::collections::BTreeMap::new();
        let principal = ctx.principal.as_ref();
        for entry in
            self.snapshot(&self.modules).await?.entries.iter().filter(|e| self.may_read(principal, e))
        {
            counts.entry(entry.namespace.clone()).or_default().0 += 1;
        }
        let providers = self.snapshot(&self.providers).await?;
        let own = providers.entries.iter().filter(|e| e.entry.host == crate::types::LOCAL_HOST);
        for entry in own.filter(|e| self.may_read(principal, e)) {
            counts.entry(entry.namespace.clone()).or_default().1 += 1;
        }
        let namespaces = counts
            .into_iter()
            .map(|(name, (modules, providers))| crate::protocol::NamespaceSummary {
                name,
                modules,
                providers,
            })
            .collect();
        Ok(crate::http::response::json(http::StatusCode::OK, &crate::protocol::NamespaceList { namespaces }))
    }

    async fn list_of<E: Listed>(
        &self,
        shelf: &Shelf<E>,
        ctx: &RequestContext,
        listing: Listing<'_>,
    ) -> Result<Response<Body>> {
        let page = Page::parse::<E>(ctx, false)?;
        let snapshot = self.snapshot(shelf).await?;
        let (namespace, name) = match listing {
            Listing::All => (None, None),
            Listing::Namespace(ns) => (Some(ns.to_ascii_lowercase()), None),
            Listing::Name(ns, name) => (Some(ns.to_ascii_lowercase()), Some(name.to_ascii_lowercase())),
        };
        let mut visible: Vec<&Indexed<E>> = snapshot
            .entries
            .iter()
            .filter(|e| namespace.as_deref().is_none_or(|ns| e.namespace == ns))
            .filter(|e| name.as_deref().is_none_or(|n| e.name == n))
            .filter(|e| page.matches(e) && self.may_read(ctx.principal.as_ref(), e))
            .collect();
        if page.recent {
            // Newest first; the sort is stable, so ties stay in address order.
            visible.sort_by(|a, b| b.entry.published_at().cmp(a.entry.published_at()));
        }
        if let (Some(ns), Some(n), true) = (&namespace, &name, visible.is_empty()) {
            return Err(Error::not_found(format!("module {ns}/{n} does not exist in this registry")));
        }
        Ok(self.answer(ctx, &page, visible.into_iter()))
    }

    async fn search_of<E: Listed>(&self, shelf: &Shelf<E>, ctx: &RequestContext) -> Result<Response<Body>> {
        let page = Page::parse::<E>(ctx, true)?;
        let terms = search::terms(ctx.query.get("q").unwrap_or_default());
        if terms.is_empty() {
            return Err(Error::bad_request(
                "search needs a query: ?q=words (names, namespaces, descriptions)",
            ));
        }
        let snapshot = self.snapshot(shelf).await?;
        let mut found: Vec<(u32, &Indexed<E>)> = snapshot
            .entries
            .iter()
            .filter(|e| page.matches(e))
            .filter_map(|e| search::score(e, &terms).map(|s| (s, e)))
            .filter(|(_, e)| self.may_read(ctx.principal.as_ref(), e))
            .collect();
        // Entries are sorted by address already; the sort is stable.
        found.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
        Ok(self.answer(ctx, &page, found.into_iter().map(|(_, e)| e)))
    }

    fn may_read<E>(&self, principal: Option<&Principal>, entry: &Indexed<E>) -> bool {
        self.authorizer.authorize(principal, &Action::Read { namespace: &entry.namespace }).is_ok()
    }

    fn answer<'a, E: Listed>(
        &self,
        ctx: &RequestContext,
        page: &Page,
        entries: impl Iterator<Item = &'a Indexed<E>>,
    ) -> Response<Body> {
        let mut shown = Vec::with_capacity(page.limit);
        let mut total = 0;
        for indexed in entries {
            if (page.offset..page.offset + page.limit).contains(&total) {
                shown.push(&indexed.entry);
            }
            total += 1;
        }
        let more = total > page.offset + page.limit;
        let next_offset = more.then_some(page.offset + page.limit);
        let meta = ListMeta {
            limit: page.limit,
            current_offset: page.offset,
            next_offset,
            prev_offset: (page.offset > 0).then(|| page.offset.saturating_sub(page.limit)),
            next_url: next_offset.map(|offset| self.page_url(ctx, offset)),
            total: Some(total),
        };
        E::page(meta, shown)
    }

    /// The URL of the same list from `offset`.
    fn page_url(&self, ctx: &RequestContext, offset: usize) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in ctx.query.pairs().filter(|(k, _)| *k != "offset") {
            query.append_pair(key, value);
        }
        query.append_pair("offset", &offset.to_string());
        self.links.to(&format!("{}?{}", ctx.path, query.finish()))
    }
}

/// The paging and filter parameters of a list or search.
struct Page {
    offset: usize,
    limit: usize,
    /// `sort=recent`: newest first instead of by address (lists only).
    recent: bool,
    /// `provider`: only modules for this system (lower case).
    system: Option<String>,
}

impl Page {
    fn parse<E: Listed>(ctx: &RequestContext, search: bool) -> Result<Self> {
        let mut page = Page { offset: 0, limit: DEFAULT_LIMIT, recent: false, system: None };
        for (key, value) in ctx.query.pairs() {
            match key {
                "offset" => {
                    page.offset =
                        value.parse().map_err(|_| Error::bad_request("offset must be a number from 0"))?;
                }
                "limit" => {
                    page.limit =
                        value.parse().ok().filter(|l| (1..=MAX_LIMIT).contains(l)).ok_or_else(|| {
                            Error::bad_request(format!("limit must be a number from 1 to {MAX_LIMIT}"))
                        })?;
                }
                "provider" if E::FILTERS.contains(&"provider") => {
                    page.system = Some(value.to_ascii_lowercase())
                }
                "q" if search => {}
                "sort" if !search => match value {
                    "recent" => page.recent = true,
                    "name" => page.recent = false,
                    other => {
                        return Err(Error::bad_request(format!(
                            "unknown sort {:?}; use sort=recent or sort=name",
                            crate::text::printable_detail(other)
                        )))
                    }
                },
                other => {
                    let mut known = vec!["offset", "limit"];
                    if !search {
                        known.push("sort");
                    }
                    known.extend(E::FILTERS);
                    if search {
                        known.insert(0, "q");
                    }
                    return Err(Error::bad_request(format!(
                        "unknown query parameter {:?}; use {}",
                        crate::text::printable_detail(other),
                        known.join(", ")
                    )));
                }
            }
        }
        Ok(page)
    }

    fn matches<E>(&self, entry: &Indexed<E>) -> bool {
        self.system.as_deref().is_none_or(|s| entry.system == s)
    }
}
