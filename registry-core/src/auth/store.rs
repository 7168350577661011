//! Registry-issued tokens, kept in the object store as one small record each, found by the
//! digest of the token: the record's key is derived from the SHA-256 of the token, so a
//! request needs one `GET` (then none, while the record is cached), never a `LIST`.
//!
//! Only the SHA-256 of a token is stored. Revoking a token deletes its record and forgets it
//! in this instance's cache at once; other instances sharing the store stop accepting it within
//! their cache TTL ([`TokenStore::with_cache_ttl`], 10 s by default).

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::OnceCell;

use super::{generate_token, hash_token, Principal, Role};
use crate::cache::TtlCache;
use crate::clock::SharedClock;
use crate::storage::{create_only, layout, Storage};
use crate::Error;
use crate::Result;

/// How long a token record (or its absence) is trusted without reading the store again.
pub const DEFAULT_TOKEN_CACHE_TTL: Duration = Duration::from_secs(10);

/// A stored token, without its secret.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenRecord {
    /// The token's public identifier: the first 20 hex digits of its SHA-256.
    pub id: String,
    /// The full lower-case hex SHA-256 of the token.
    pub sha256: String,
    /// What the token may do.
    pub tier: Role,
    /// The lower-case namespaces the token is limited to; `None` covers all.
    pub namespaces: Option<Vec<String>>,
    /// Free text from whoever created it.
    pub description: Option<String>,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// Who made it (a principal id).
    pub created_by: String,
    /// When it stops working (RFC 3339), if ever.
    pub expires_at: Option<String>,
    /// The same instant in seconds since the Unix epoch.
    pub expires_at_unix: Option<u64>,
    /// Whom it was minted for, when a person signed in for it (`terraform login`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<TokenOwner>,
}

/// The person a token was minted for at a sign-in.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct TokenOwner {
    /// The identity provider (its issuer URL).
    pub issuer: String,
    /// Their subject there.
    pub subject: String,
    /// Their e-mail address, when the provider told it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// What a new token should be.
#[derive(Clone, Debug, Default)]
pub struct NewToken {
    /// [`Role::Uploader`] or [`Role::Downloader`].
    pub tier: Option<Role>,
    /// Lower-case namespaces to limit it to.
    pub namespaces: Option<Vec<String>>,
    /// Free text.
    pub description: Option<String>,
    /// Lifetime in days.
    pub expires_in_days: Option<u64>,
}

/// How many valid tokens are cached.
const KNOWN_CAPACITY: usize = 100_000;
/// How many unknown tokens are remembered as such: a separate, smaller cache, so a flood of
/// made-up tokens can neither evict the valid ones nor grow memory without bound.
const UNKNOWN_CAPACITY: usize = 10_000;
/// Characters of base64url after the prefix that carry a token's 256 random bits.
const RANDOM_LEN: usize = 43;
/// Characters of base64url after those: 48 bits of an HMAC-SHA256 of the random part, keyed
/// with [`layout::TOKEN_CHECKSUM_KEY`].
const CHECKSUM_LEN: usize = 8;

/// The registry's issued tokens over its [`Storage`], with bounded caches in front: one for
/// valid tokens and one for unknown ones.
///
/// Every token it issues ends in a checksum: 48 bits of HMAC-SHA256 over its random part, keyed
/// with a secret kept in the store ([`layout::TOKEN_CHECKSUM_KEY`], read once per instance). A
/// presented token whose checksum is wrong, or that has neither shape the registry issues, is
/// refused without reading the store; tokens issued before checksums (no checksum part) keep
/// working and are looked up as before.
#[derive(Debug)]
pub struct TokenStore {
    storage: Arc<dyn Storage>,
    clock: SharedClock,
    ttl: Duration,
    known: TtlCache<TokenRecord>,
    unknown: TtlCache<()>,
    /// The checksum key, read from (or created in) the store on first use.
    checksum_key: OnceCell<Hmac<Sha256>>,
    /// Whether tokens issued before checksums are still looked up (see
    /// [`TokenStore::refusing_legacy_tokens`]).
    accept_legacy: bool,
}

impl TokenStore {
    /// A token store over `storage` with the default cache TTL.
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        Self::with_cache_ttl(storage, DEFAULT_TOKEN_CACHE_TTL)
    }

    /// A token store whose cache trusts a record (or its absence) for `ttl`: the bound on how
    /// long another instance keeps accepting a token revoked here.
    pub fn with_cache_ttl(storage: Arc<dyn Storage>, ttl: Duration) -> Self {
        Self::build(storage, ttl, crate::clock::system())
    }

    /// The same store reading time from `clock` (for expiry and caching).
    pub fn with_clock(self, clock: SharedClock) -> Self {
        Self { accept_legacy: self.accept_legacy, ..Self::build(self.storage, self.ttl, clock) }
    }

    /// The same store refusing, without a read of the store, every token without a checksum:
    /// those issued before tokens carried one, and any string of that shape an attacker makes
    /// up (each of which otherwise costs one read). Switch it on once the old tokens are
    /// replaced (`GET /v1/tokens` lists each token's creation date).
    pub fn refusing_legacy_tokens(mut self) -> Self {
        self.accept_legacy = false;
        self
    }

    fn build(storage: Arc<dyn Storage>, ttl: Duration, clock: SharedClock) -> Self {
        Self {
            known: TtlCache::new(ttl, KNOWN_CAPACITY, clock.clone()),
            unknown: TtlCache::new(ttl, UNKNOWN_CAPACITY, clock.clone()),
            storage,
            clock,
            ttl,
            checksum_key: OnceCell::new(),
            accept_legacy: true,
        }
    }

    /// The keyed HMAC tokens' checksums are made with. Two instances starting at once agree on
    /// one key, because it is written create-only.
    async fn checksum_key(&self) -> Result<&Hmac<Sha256>> {
        self.checksum_key
            .get_or_try_init(|| async {
                loop {
                    if let Some(object) = self.storage.get(layout::TOKEN_CHECKSUM_KEY).await? {
                        let key: [u8; 32] = object.body.as_ref().try_into().map_err(|e| {
                            Error::internal_with(format!("{} is not 32 bytes", layout::TOKEN_CHECKSUM_KEY), e)
                        })?;
                        return Ok(Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length"));
                    }
                    let key = crate::random::bytes::<32>()?;
                    create_only(
                        self.storage.as_ref(),
                        layout::TOKEN_CHECKSUM_KEY,
                        Bytes::copy_from_slice(&key),
                    )
                    .await?;
                }
            })
            .await
    }

    /// The checksum of a token's random part.
    async fn checksum(&self, random: &str) -> Result<String> {
        let mut mac = self.checksum_key().await?.clone();
        mac.update(random.as_bytes());
        Ok(URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..6]))
    }

    /// How many tokens the caches hold: (valid, unknown). For tests and benchmarks.
    pub async fn cached(&self) -> (u64, u64) {
        (self.known.len().await, self.unknown.len().await)
    }

    /// Issues a token; returns the secret (shown once) and its record.
    pub async fn create(&self, spec: NewToken, created_by: &str) -> Result<(String, TokenRecord)> {
        let lifetime = spec.expires_in_days.map(|days| days * 86_400);
        self.create_for(spec, created_by, lifetime, None).await
    }

    /// Issues a token as [`TokenStore::create`] does, living `lifetime_secs` (ignoring the
    /// spec's days), for `owner` (a person who signed in); any tier, [`Role::Master`] included.
    pub async fn create_for(
        &self,
        spec: NewToken,
        created_by: &str,
        lifetime_secs: Option<u64>,
        owner: Option<TokenOwner>,
    ) -> Result<(String, TokenRecord)> {
        let tier = spec.tier.unwrap_or(Role::Downloader);
        let now = self.clock.unix_now();
        let expires_at_unix = lifetime_secs.map(|secs| now + secs);
        loop {
            let random = generate_token()?;
            let token = format!("{random}{}", self.checksum(&random[super::TOKEN_PREFIX.len()..]).await?);
            let sha256 = hex::encode(hash_token(&token));
            let record = TokenRecord {
                id: sha256[..20].to_owned(),
                sha256,
                tier,
                namespaces: spec.namespaces.clone(),
                description: spec.description.clone(),
                created_at: crate::clock::rfc3339(now),
                created_by: created_by.to_owned(),
                expires_at: expires_at_unix.map(crate::clock::rfc3339),
                expires_at_unix,
                owner: owner.clone(),
            };
            let body = serde_json::to_vec_pretty(&record)
                .map_err(|e| Error::internal_with("cannot encode a token record", e))?;
            // Two tokens whose digests share 80 bits: astronomically rare; draw again.
            if create_only(self.storage.as_ref(), &layout::token(&record.id), Bytes::from(body)).await? {
                self.unknown.remove(&record.sha256).await;
                return Ok((token, record));
            }
        }
    }

    /// Every issued token, oldest first.
    pub async fn list(&self) -> Result<Vec<TokenRecord>> {
        let mut records = Vec::new();
        for info in self.storage.list(layout::TOKENS_PREFIX).await? {
            if let Some(object) = self.storage.get(&info.key).await? {
                records.push(parse(&info.key, &object.body)?);
            }
        }
        records.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        Ok(records)
    }

    /// Revokes the token with this id: it stops working on this instance at once. `None` if no
    /// such token exists.
    pub async fn revoke(&self, id: &str) -> Result<Option<TokenRecord>> {
        if id.len() != 20 || !id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(Error::bad_request(format!(
                "invalid token id {:?}: ids are 20 lower-case hex digits",
                crate::types::address::truncate(id)
            )));
        }
        let key = layout::token(id);
        let Some(object) = self.storage.get(&key).await? else {
            return Ok(None);
        };
        let record = parse(&key, &object.body)?;
        self.storage.delete(&key).await?;
        self.known.remove(&record.sha256).await;
        Ok(Some(record))
    }

    /// The principal behind a presented token that is not the master token: 401 if unknown,
    /// revoked or expired.
    pub async fn principal(&self, token: &str) -> Result<Principal> {
        let unknown = || Error::unauthorized("the token is not valid for this registry (unknown or revoked)");
        match shape(token) {
            Shape::Foreign => return Err(unknown()),
            // Issued before tokens carried a checksum: only the store can tell.
            Shape::Legacy if self.accept_legacy => {}
            Shape::Legacy => {
                return Err(Error::unauthorized(
                    "the token was issued before tokens carried a checksum and this registry no longer \
                     accepts such tokens: ask for a new one",
                ))
            }
            Shape::Checked { random, checksum } => {
                let expected = self.checksum(random).await?;
                if !bool::from(expected.as_bytes().ct_eq(checksum.as_bytes())) {
                    // Forged or mistyped: refused without a read of the store.
                    return Err(unknown());
                }
            }
        }
        let digest = hex::encode(hash_token(token));
        if self.unknown.get(&digest).await.is_some() {
            return Err(unknown());
        }
        // Concurrent requests with one uncached token share one read of the store.
        let missed = std::sync::atomic::AtomicBool::new(false);
        let loaded = self
            .known
            // An unknown token comes back as a 404, which is remembered in `unknown` below.
            .get_or_load(&digest, || async {
                missed.store(true, std::sync::atomic::Ordering::Relaxed);
                self.load(&digest).await?.ok_or_else(|| Error::not_found("no such token"))
            })
            .await;
        crate::observe::token_cache(!missed.load(std::sync::atomic::Ordering::Relaxed));
        let record = match loaded {
            Ok(record) => record,
            // Possibly shared with other requests that waited on the same load.
            Err(err) if err.status() == http::StatusCode::NOT_FOUND => {
                self.unknown.insert(digest, Arc::new(())).await;
                return Err(unknown());
            }
            Err(err) => return Err(err),
        };
        if record.expires_at_unix.is_some_and(|at| at <= self.clock.unix_now()) {
            return Err(Error::unauthorized(format!(
                "the token {} expired at {}; ask for a new one",
                record.id,
                record.expires_at.as_deref().unwrap_or("?")
            )));
        }
        Ok(Principal { id: record.id.clone(), role: record.tier, namespaces: record.namespaces.clone() })
    }

    /// The record of a presented token, `None` when the store holds none.
    pub(crate) async fn record_of(&self, token: &str) -> Result<Option<TokenRecord>> {
        self.load(&hex::encode(hash_token(token))).await
    }

    async fn load(&self, digest: &str) -> Result<Option<TokenRecord>> {
        let key = layout::token(&digest[..20]);
        let Some(object) = self.storage.get(&key).await? else {
            return Ok(None);
        };
        let record = parse(&key, &object.body)?;
        let same: bool = record.sha256.as_bytes().ct_eq(digest.as_bytes()).into();
        Ok(same.then_some(record))
    }
}

fn parse(key: &str, body: &[u8]) -> Result<TokenRecord> {
    serde_json::from_slice(body).map_err(|e| Error::corrupt("token record", key, e))
}

/// What a presented token looks like.
enum Shape<'a> {
    /// Not something the registry issues: refused at once.
    Foreign,
    /// The prefix and 43 characters: a token issued before checksums.
    Legacy,
    /// The prefix, 43 random characters and their checksum.
    Checked { random: &'a str, checksum: &'a str },
}

/// The shape of `token`: the registry's prefix, then URL-safe base64.
fn shape(token: &str) -> Shape<'_> {
    let Some(rest) = token.strip_prefix(super::TOKEN_PREFIX) else {
        return Shape::Foreign;
    };
    if !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Shape::Foreign;
    }
    match rest.len() {
        RANDOM_LEN => Shape::Legacy,
        len if len == RANDOM_LEN + CHECKSUM_LEN => {
            let (random, checksum) = rest.split_at(RANDOM_LEN);
            Shape::Checked { random, checksum }
        }
        _ => Shape::Foreign,
    }
}
