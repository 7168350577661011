//! What a catalogue lists (modules, providers): the part of the catalogue that differs by kind.

use std::future::Future;

use http::Response;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::http::body::Body;
use crate::protocol::ListMeta;
use crate::storage::Storage;
use crate::Result;

/// One kind of catalogue entry.
pub(crate) trait Listed:
    Clone + std::fmt::Debug + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// Where the kind's shards and manifest live (`catalogue/modules/`).
    const PREFIX: &'static str;
    /// The query parameters its lists take besides `offset` and `limit` (and `q` for search).
    const FILTERS: &'static [&'static str];

    /// The lower-case address that orders and identifies the entry.
    fn key(&self) -> String;

    /// Namespace, name, system (empty for providers) and description, as published.
    fn fields(&self) -> [&str; 4];

    /// The description, which an entry recorded without one keeps from the entry it replaces.
    fn description_mut(&mut self) -> &mut String;

    /// When its latest version was published (RFC 3339), for `sort=recent`.
    fn published_at(&self) -> &str;

    /// The download count, which an entry recorded anew keeps from the entry it replaces.
    fn downloads_mut(&mut self) -> &mut u64;

    /// A page of entries as the list answer shows them.
    fn page(meta: ListMeta, entries: Vec<&Self>) -> Response<Body>;

    /// Every entry the store holds, read from the version indexes: once, for a store whose
    /// contents were published before the registry kept a catalogue of this kind.
    fn backfill(storage: &dyn Storage) -> impl Future<Output = Result<Vec<Self>>> + Send;
}
