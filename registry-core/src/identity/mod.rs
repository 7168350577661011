//! Identity: `terraform login` through the company's OpenID Connect provider.
//!
//! The registry is the OAuth 2.0 authorization server Terraform's `login.v1` client talks to
//! (authorization code with PKCE, on the loopback ports Terraform listens on), and behind it a
//! relying party of the configured provider: it sends the person there (authorization code
//! with its own PKCE and a nonce), checks the ID token it gets back ([`verify`]), maps its
//! claims to a tier and namespaces ([`rules`]), and mints a tfreg token (stored hashed like
//! every token, with its owner, for a configured lifetime) that Terraform saves. Every sign-in
//! is audited. The host reaches the provider through the [`OidcHttp`] it provides.

pub(crate) mod aws;
pub mod http;
mod login;
pub mod rules;
pub(crate) mod trust;
mod verify;

use std::sync::Arc;
use std::time::Duration;

pub use http::OidcHttp;
pub(crate) use login::UiReturn;
pub use rules::{ClaimRule, ClaimRules, DefaultGrant};

use crate::admin::AuditLog;
use crate::auth::TokenStore;
use crate::clock::SharedClock;
use crate::storage::Storage;

/// The client id Terraform's login client presents (the registry names it in discovery).
pub const TERRAFORM_CLIENT_ID: &str = "terraform-cli";

/// The loopback ports Terraform may listen on for the redirect (Terraform's own default range).
pub const TERRAFORM_PORTS: (u16, u16) = (10000, 10010);

/// How the registry signs people in.
#[derive(Clone)]
pub struct OidcConfig {
    /// The provider's issuer URL (its discovery document is at
    /// `{issuer}/.well-known/openid-configuration`).
    pub issuer: String,
    /// The registry's client id at the provider.
    pub client_id: String,
    /// Its client secret (sent with HTTP basic authentication to the token endpoint).
    pub client_secret: String,
    /// The claim mappings.
    pub rules: ClaimRules,
    /// How long a token minted at a sign-in lives.
    pub token_lifetime: Duration,
    /// The scopes asked for (`openid` is always among them).
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("rules", &self.rules)
            .field("token_lifetime", &self.token_lifetime)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// Sign-in: the `login.v1` endpoints and the provider behind them.
#[derive(Debug)]
pub(crate) struct IdentityService {
    config: OidcConfig,
    http: Arc<dyn OidcHttp>,
    verifier: verify::Verifier,
    storage: Arc<dyn Storage>,
    tokens: Arc<TokenStore>,
    audit: AuditLog,
    clock: SharedClock,
}

impl IdentityService {
    pub(crate) fn new(
        config: OidcConfig,
        http: Arc<dyn OidcHttp>,
        storage: Arc<dyn Storage>,
        tokens: Arc<TokenStore>,
        audit: AuditLog,
        clock: SharedClock,
    ) -> Self {
        let verifier = verify::Verifier::new(http.clone(), &config.issuer, &config.client_id, clock.clone());
        Self { config, http, verifier, storage, tokens, audit, clock }
    }
}
