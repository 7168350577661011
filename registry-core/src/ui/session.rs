//! The UI's session: the token a person signed in with, in a cookie that is signed (with the
//! registry's URL-signing key, so every replica on the store accepts it), expiring, `HttpOnly`,
//! `SameSite=Strict` and `Secure` over TLS. The token is never put in a page or a URL.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::http::signing::{SignedLink, UrlSigner};

/// The cookie's name.
pub(crate) const COOKIE: &str = "tfreg_session";

/// What the token of a session opened through the identity provider is created by (then
/// `oidc:{subject}`): signing out revokes such a token, never a pasted one.
pub(crate) const SSO_CREATOR: &str = "web-ui:";

/// How long a session lasts, in seconds (12 hours).
pub(crate) const SESSION_SECS: u64 = 12 * 60 * 60;

const SESSION: SignedLink = SignedLink { what: "this session", renew: "sign in again" };

/// What is signed: never a path, which starts with `/`.
fn sealed(token: &str) -> String {
    format!("ui-session:{token}")
}

/// The cookie value for `token`, valid until `expires`.
pub(crate) fn value(signer: &UrlSigner, token: &str, expires: u64) -> String {
    let query = signer.sign(&sealed(token), expires);
    let signature = query.rsplit("signature=").next().unwrap_or_default();
    format!("{expires}.{signature}.{}", URL_SAFE_NO_PAD.encode(token))
}

/// The token of a cookie value, when it is signed by `signer` and not expired at `now`.
pub(crate) fn token(signer: &UrlSigner, value: &str, now: u64) -> Option<String> {
    let mut parts = value.splitn(3, '.');
    let (expires, signature, token) = (parts.next()?, parts.next()?, parts.next()?);
    let token = String::from_utf8(URL_SAFE_NO_PAD.decode(token).ok()?).ok()?;
    let query = format!("expires={expires}&signature={signature}");
    signer.verify(&sealed(&token), Some(&query), now, &SESSION).ok()?;
    Some(token)
}

/// The session cookie of a request's `Cookie` headers.
pub(crate) fn from_headers(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// The `Set-Cookie` that starts a session (`None` for `value`: that ends it).
pub(crate) fn set_cookie(value: Option<&str>, path: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match value {
        Some(value) => format!(
            "{COOKIE}={value}; Path={path}; Max-Age={SESSION_SECS}; HttpOnly; SameSite=Strict{secure}"
        ),
        None => format!("{COOKIE}=; Path={path}; Max-Age=0; HttpOnly; SameSite=Strict{secure}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_carry_their_token_signed_and_expire() {
        let signer = UrlSigner::new([3; 32]);
        let cookie = value(&signer, "tfreg_secret.token", 1000);
        assert!(!cookie.contains("tfreg_secret"), "the token is encoded, not shown as is");
        assert_eq!(token(&signer, &cookie, 999).as_deref(), Some("tfreg_secret.token"));
        assert_eq!(token(&signer, &cookie, 1001), None, "expired");
        assert_eq!(token(&UrlSigner::new([4; 32]), &cookie, 999), None, "another registry's");
        let forged = format!("2000{}", cookie.trim_start_matches("1000"));
        assert_eq!(token(&signer, &forged, 999), None, "a changed expiry");
        assert_eq!(token(&signer, "garbage", 0), None);
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, format!("a=b; {COOKIE}={cookie}").parse().unwrap());
        assert_eq!(from_headers(&headers), Some(cookie.as_str()));
        assert!(set_cookie(Some("v"), "/ui", true).ends_with("HttpOnly; SameSite=Strict; Secure"));
    }
}
