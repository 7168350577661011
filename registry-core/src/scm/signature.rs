//! Proof that a webhook delivery comes from the host: an HMAC-SHA256 of the raw body with the
//! shared secret, sent as `sha256=<hex>` (GitHub's `X-Hub-Signature-256`, Bitbucket's
//! `X-Hub-Signature`), or the secret itself (GitLab's `X-Gitlab-Token`). Every comparison is
//! constant-time; an unsigned delivery, another algorithm (`sha1=`) or a wrong signature is
//! refused with 401 before the body is parsed.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::{Error, Result};

/// Checks `header` (the value of the signature header `name`, if sent) against the
/// HMAC-SHA256 of `body` with `secret`.
pub(crate) fn check_hmac(secret: &[u8], body: &[u8], header: Option<&str>, name: &str) -> Result<()> {
    let Some(value) = header.map(str::trim) else {
        return Err(Error::unauthorized(format!(
            "the delivery is not signed: {name} is missing; set the webhook's secret"
        )));
    };
    let Some(hex_digest) = value.strip_prefix("sha256=") else {
        let algorithm = value.split_once('=').map_or("none", |(a, _)| a);
        return Err(Error::unauthorized(format!(
            "{name} must be an HMAC-SHA256 (sha256=...), not {:?}",
            crate::types::truncate(algorithm)
        )));
    };
    let sent = hex::decode(hex_digest)
        .map_err(|_| Error::unauthorized(format!("{name} is not sha256= and a hex digest")))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret)
        .map_err(|e| Error::internal_with("cannot key the webhook signature", e))?;
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&sent).map_err(|_| {
        Error::unauthorized(format!("{name} does not match the body: wrong secret, or the body was changed"))
    })
}

/// Checks a token sent as a header (`X-Gitlab-Token`) against `secret`.
pub(crate) fn check_token(secret: &[u8], header: Option<&str>, name: &str) -> Result<()> {
    let Some(sent) = header else {
        return Err(Error::unauthorized(format!(
            "the delivery carries no {name}; set the webhook's secret token"
        )));
    };
    // Lengths leak nothing useful: the secret's length is not secret enough to matter, and
    // `ct_eq` on slices of different lengths is false without comparing.
    match bool::from(sent.as_bytes().ct_eq(secret)) {
        true => Ok(()),
        false => Err(Error::unauthorized(format!("{name} does not match this hook's secret"))),
    }
}

/// The `sha256=<hex>` signature of `body` with `secret`, as the hosts send it.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}
