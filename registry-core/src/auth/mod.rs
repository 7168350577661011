//! Who is calling, and may they do this: two traits a host can implement to plug in its own
//! identity (JWTs from its identity provider, a header set by an authenticating proxy, ...), and
//! the built-in implementations.
//!
//! The registry first asks its [`Authenticator`] for the [`Principal`] behind a request (`None`
//! when the request carries no credentials, an error when it carries bad ones), then asks its
//! [`Authorizer`] whether that principal may perform the [`Action`]. Service discovery is public
//! and archive links carry their own signature, so neither is asked for those.

mod policy;
mod store;
mod token;

use async_trait::async_trait;

pub use policy::RoleAuthorizer;
pub use store::{NewToken, TokenOwner, TokenRecord, TokenStore, DEFAULT_TOKEN_CACHE_TTL};
pub use token::{bearer_token, generate_token, hash_token, MasterToken, TokenAuthenticator, TOKEN_PREFIX};

use crate::Result;

/// What a principal may do (a token's tier), each role including the rights of those below it.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read: versions, downloads, browsing.
    Downloader,
    /// Read and publish.
    Uploader,
    /// Everything, including managing tokens.
    Master,
}

impl Role {
    /// The role a request body or rules file names (`downloader`, `uploader`, `master`), as
    /// serde reads it.
    pub(crate) fn named(name: &str) -> Option<Role> {
        match name {
            "downloader" => Some(Role::Downloader),
            "uploader" => Some(Role::Uploader),
            "master" => Some(Role::Master),
            _ => None,
        }
    }
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// A stable identifier for logs and the audit trail; never a secret.
    pub id: String,
    /// What the principal may do.
    pub role: Role,
    /// The namespaces (lower-case) the principal is limited to; `None` covers all.
    pub namespaces: Option<Vec<String>>,
}

impl Principal {
    /// Whether the principal's namespace limits cover `namespace` (matched case-insensitively).
    pub fn covers(&self, namespace: &str) -> bool {
        match &self.namespaces {
            None => true,
            Some(list) => list.iter().any(|n| n.eq_ignore_ascii_case(namespace)),
        }
    }
}

/// Something a request wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action<'a> {
    /// Read a module or provider in a namespace.
    Read {
        /// The namespace read.
        namespace: &'a str,
    },
    /// Publish into a namespace.
    Publish {
        /// The namespace written.
        namespace: &'a str,
    },
    /// List and search the catalogue; each entry is then shown only if [`Action::Read`] in its
    /// namespace is allowed.
    Browse,
    /// Open an upload session, to publish a large file afterwards; publishing it is then
    /// authorized as [`Action::Publish`] in the namespace published to.
    Upload,
    /// Manage the registry itself (tokens, audit, pins).
    Administer,
}

/// Finds the principal behind a request.
#[async_trait]
pub trait Authenticator: Send + Sync + std::fmt::Debug + 'static {
    /// `Ok(None)` when the request carries no credentials, `Ok(Some(..))` for valid ones, and an
    /// [`Error::Unauthorized`](crate::Error::Unauthorized) for credentials that are not valid.
    async fn authenticate(&self, request: &http::request::Parts) -> Result<Option<Principal>>;
}

/// Decides whether a principal (or an anonymous caller) may perform an action.
pub trait Authorizer: Send + Sync + std::fmt::Debug + 'static {
    /// `Ok(())` to allow; [`Error::Unauthorized`](crate::Error::Unauthorized) when credentials
    /// are needed, [`Error::Forbidden`](crate::Error::Forbidden) when the principal lacks the
    /// right.
    fn authorize(&self, principal: Option<&Principal>, action: &Action<'_>) -> Result<()>;
}
