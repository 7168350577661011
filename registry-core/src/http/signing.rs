//! Short-lived signed URLs for archives and uploads. Terraform sends no token when it fetches the location a
//! download answered with (and Terraform >= 1.11 sends a `HEAD` first), so the location carries
//! its own proof: an expiry and an HMAC-SHA256 over the path and that expiry, keyed with a secret
//! every instance on the store shares.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::storage::layout;
use crate::storage::{PutMode, Storage, StorageError};
use crate::Error;
use crate::Result;

type HmacSha256 = Hmac<Sha256>;

/// What a signed link is, for the messages that refuse it.
#[derive(Clone, Copy, Debug)]
pub struct SignedLink {
    /// `this download link`, `this upload URL`.
    pub what: &'static str,
    /// Where a fresh one comes from.
    pub renew: &'static str,
}

/// An archive or package link from a download answer.
pub const DOWNLOAD_LINK: SignedLink =
    SignedLink { what: "this download link", renew: "ask the registry's download endpoint for a fresh one" };

/// The registry's own upload URL of a session.
pub const UPLOAD_URL: SignedLink =
    SignedLink { what: "this upload URL", renew: "open a new session with POST /v1/uploads" };

/// Signs and checks URL paths.
#[derive(Clone)]
pub struct UrlSigner {
    /// The HMAC keyed once; each signature starts from a clone of it.
    keyed: HmacSha256,
}

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UrlSigner { .. }")
    }
}

impl UrlSigner {
    /// A signer with the given secret.
    pub fn new(key: [u8; 32]) -> Self {
        Self { keyed: HmacSha256::new_from_slice(&key).expect("HMAC takes any key length") }
    }

    /// Loads the shared secret from `storage`, creating it on first use. Two instances starting
    /// at once agree on one secret, because the secret is written create-only.
    pub async fn load_or_create(storage: &dyn Storage) -> Result<Self> {
        loop {
            if let Some(object) = storage.get(layout::URL_SIGNING_KEY).await? {
                let key: [u8; 32] = object.body.as_ref().try_into().map_err(|e| {
                    Error::internal_with(format!("{} is not 32 bytes", layout::URL_SIGNING_KEY), e)
                })?;
                return Ok(Self::new(key));
            }
            let key = crate::random::bytes::<32>()?;
            match storage.put(layout::URL_SIGNING_KEY, Bytes::copy_from_slice(&key), PutMode::Create).await {
                Ok(_) => return Ok(Self::new(key)),
                Err(StorageError::AlreadyExists { .. }) => continue,
                Err(err) => return Err(err.into()),
            }
        }
    }

    fn mac(&self, path: &str, expires: u64) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(path.as_bytes());
        mac.update(b"\n");
        mac.update(&expires.to_be_bytes());
        mac
    }

    /// The query string (`expires=..&signature=..`) that makes `path` valid until `expires`
    /// (seconds since the Unix epoch).
    pub fn sign(&self, path: &str, expires: u64) -> String {
        let signature = URL_SAFE_NO_PAD.encode(self.mac(path, expires).finalize().into_bytes());
        format!("expires={expires}&signature={signature}")
    }

    /// Checks the query string of a request for `path` at time `now`: 403 if the signature is
    /// missing, malformed, tampered with or expired. `what` names the link in the message (`this
    /// download link`, `this upload URL`) and `renew` says where a fresh one comes from.
    pub fn verify(&self, path: &str, query: Option<&str>, now: u64, link: &SignedLink) -> Result<()> {
        let query = crate::http::query::Query::parse(query);
        let expires = query.get("expires").and_then(|v| v.parse::<u64>().ok());
        let signature = query.get("signature").and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
        let (what, renew) = (link.what, link.renew);
        let (Some(expires), Some(signature)) = (expires, signature) else {
            return Err(Error::forbidden(format!("{what} is not signed; {renew}")));
        };
        self.mac(path, expires)
            .verify_slice(&signature)
            .map_err(|_| Error::forbidden(format!("{what}'s signature is not valid; {renew}")))?;
        if expires < now {
            return Err(Error::forbidden(format!("{what} has expired; {renew}")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_paths_verify_until_they_expire() {
        let signer = UrlSigner::new([7; 32]);
        let query = signer.sign("/v1/archives/a.tar.gz", 1000);
        assert!(signer.verify("/v1/archives/a.tar.gz", Some(&query), 999, &DOWNLOAD_LINK).is_ok());
        assert!(signer.verify("/v1/archives/a.tar.gz", Some(&query), 1000, &DOWNLOAD_LINK).is_ok());
        let expired = signer.verify("/v1/archives/a.tar.gz", Some(&query), 1001, &DOWNLOAD_LINK).unwrap_err();
        assert!(expired.to_string().contains("expired"));
    }

    #[test]
    fn tampering_is_refused() {
        let signer = UrlSigner::new([7; 32]);
        let query = signer.sign("/v1/archives/a.tar.gz", 1000);
        for (path, query) in [
            ("/v1/archives/b.tar.gz", query.clone()),
            ("/v1/archives/a.tar.gz", query.replace("expires=1000", "expires=2000")),
            ("/v1/archives/a.tar.gz", "expires=1000".to_owned()),
            ("/v1/archives/a.tar.gz", "expires=1000&signature=%%%".to_owned()),
        ] {
            let err = signer.verify(path, Some(&query), 10, &UPLOAD_URL).unwrap_err();
            assert_eq!(err.status(), http::StatusCode::FORBIDDEN);
            let message = err.to_string();
            assert!(
                message.starts_with("this upload URL") && message.contains("POST /v1/uploads"),
                "{message}"
            );
        }
        let other = UrlSigner::new([8; 32]);
        assert!(other.verify("/v1/archives/a.tar.gz", Some(&query), 10, &DOWNLOAD_LINK).is_err());
    }
}
