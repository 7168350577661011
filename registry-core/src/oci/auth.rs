//! The token flow OCI clients follow. A request without credentials that may not read is
//! answered 401 with `WWW-Authenticate: Bearer realm=".../v2/token",service=...,scope=...`;
//! the client then sends its credentials to the realm by basic authentication (any user name,
//! the registry token as the password, as Docker credential helpers keep them) and gets a
//! bearer token back, which it sends on every request after.
//!
//! The token handed back is the registry token the client sent: it grants no more than the
//! client already had, every request with it is authorized by the registry's own policy (so
//! namespace scopes apply), and revoking the registry token revokes it. A bearer registry token
//! is taken on `/v2/` routes directly too, and basic credentials are read as that same token,
//! so clients that never ask the realm work as well.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::{header, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

/// The token handed to a client that asked the realm without credentials, where anonymous
/// reads are allowed; requests that carry it are read as anonymous ones.
pub const ANONYMOUS_TOKEN: &str = "anonymous";

/// How long a client is told its token lasts before it asks the realm again.
pub const TOKEN_EXPIRES_IN_SECS: u64 = 300;

/// The answer of the token endpoint, with both names clients read the token by.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct TokenResponse {
    /// The bearer token (Docker's name).
    pub token: String,
    /// The same token (OAuth 2's name).
    pub access_token: String,
    /// Seconds until the client should ask again.
    pub expires_in: u64,
}

/// Rewrites the credentials of a request to a `/v2/` route as the registry's authenticator
/// reads them: `Basic base64(user:token)` becomes `Bearer token`, and the anonymous token is
/// dropped.
pub(crate) fn normalise(headers: &mut HeaderMap) {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return;
    };
    let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") && (credentials == ANONYMOUS_TOKEN || credentials.is_empty()) {
        headers.remove(header::AUTHORIZATION);
    } else if scheme.eq_ignore_ascii_case("basic") {
        let password = STANDARD
            .decode(credentials)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .and_then(|pair| pair.split_once(':').map(|(_, password)| password.to_owned()));
        // Anything but `user:password` is left for the authenticator to refuse.
        if let Some(bearer) = password.and_then(|p| HeaderValue::try_from(format!("Bearer {p}")).ok()) {
            headers.insert(header::AUTHORIZATION, bearer);
        }
    }
}

/// The `WWW-Authenticate` value of a 401: the realm at `origin`, the service named for
/// `service`, and the scope of `repository` when the request named one (`pull`, or
/// `pull,push` for a `push`).
pub(crate) fn challenge(origin: &str, service: &str, repository: Option<&str>, push: bool) -> String {
    let mut value = format!("Bearer realm=\"{origin}/v2/token\",service=\"{service}\"");
    if let Some(repository) = repository {
        let actions = if push { "pull,push" } else { "pull" };
        value.push_str(&format!(",scope=\"repository:{repository}:{actions}\""));
    }
    value
}
