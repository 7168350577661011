//! The `signed_url` target: signed download and upload links.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::Verdict;
use crate::http::query::Query;
use crate::http::signing::{UrlSigner, DOWNLOAD_LINK};

/// The key every fuzz input is signed and checked with (the seeds are signed with it).
const URL_KEY: [u8; 32] = [7; 32];

/// Checks [`UrlSigner`] on a fuzz input: byte 0 is a tamper mask, bytes 1..9 the expiry and
/// 9..17 the time of the check (big-endian seconds), the rest is the path, then a newline and
/// the query string (none without a newline), each decoded as lossy UTF-8.
///
/// - The input's own path and query verify only when its query carries, first, an `expires` at
///   or after the time of the check and the signature [`UrlSigner::sign`] gives for the path and
///   that expiry: nothing else does.
/// - The path signed by the signer until the expiry verifies until then, and not one second
///   later; with any one byte of its query (or one of some 32 bytes of its path) changed by the
///   mask, kept ASCII, or its query's last byte cut, it no longer does.
///
/// Accepted when the input's own path and query verify.
pub fn check_signed_url(input: &[u8]) -> Verdict {
    let Some((mask, expires, now, rest)) = split(input) else { return Verdict::Refused };
    let text = String::from_utf8_lossy(rest);
    let (path, query) = match text.split_once('\n') {
        Some((path, query)) => (path, Some(query)),
        None => (&*text, None),
    };
    let signer = UrlSigner::new(URL_KEY);
    let verdict = Verdict::of(&signer.verify(path, query, now, &DOWNLOAD_LINK));
    if verdict.is_accepted() {
        assert!(is_signature(&signer, path, query.unwrap_or(""), now), "{path:?}?{query:?} verifies");
    } else if let Err(err) = signer.verify(path, query, now, &DOWNLOAD_LINK) {
        assert_eq!(err.status(), http::StatusCode::FORBIDDEN, "{err}");
    }

    let signed = signer.sign(path, expires);
    assert!(signer.verify(path, Some(&signed), expires, &DOWNLOAD_LINK).is_ok(), "a signed link is refused");
    if let Some(later) = expires.checked_add(1) {
        assert!(signer.verify(path, Some(&signed), later, &DOWNLOAD_LINK).is_err(), "expired link verifies");
    }
    let mask = mask | 1;
    for at in 0..signed.len() {
        let query = tamper(&signed, at, mask).expect("the signed query is ASCII");
        assert!(signer.verify(path, Some(&query), expires, &DOWNLOAD_LINK).is_err(), "{query:?} verifies");
    }
    // At most about 32 places in the path, first and last included, to keep long paths quick.
    let step = (path.len() / 32).max(1);
    for at in (0..path.len()).step_by(step).chain(path.len().checked_sub(1)) {
        if let Some(other) = tamper(path, at, mask) {
            assert!(
                signer.verify(&other, Some(&signed), expires, &DOWNLOAD_LINK).is_err(),
                "{other:?} verifies"
            );
        }
    }
    let cut = &signed[..signed.len() - 1];
    assert!(signer.verify(path, Some(cut), expires, &DOWNLOAD_LINK).is_err(), "a cut signature verifies");
    verdict
}

/// The mask, the expiry, the time of the check and the rest of an input.
fn split(input: &[u8]) -> Option<(u8, u64, u64, &[u8])> {
    let (&mask, rest) = input.split_first()?;
    let (expires, rest) = rest.split_first_chunk::<8>()?;
    let (now, rest) = rest.split_first_chunk::<8>()?;
    Some((mask, u64::from_be_bytes(*expires), u64::from_be_bytes(*now), rest))
}

/// Whether `query`'s first `expires` and `signature` are an unexpired signature of `path` by
/// `signer`, worked out from [`UrlSigner::sign`].
fn is_signature(signer: &UrlSigner, path: &str, query: &str, now: u64) -> bool {
    let query = Query::parse(Some(query));
    let Some(expires) = query.get("expires").and_then(|v| v.parse::<u64>().ok()) else { return false };
    let Some(given) = query.get("signature").and_then(|v| URL_SAFE_NO_PAD.decode(v).ok()) else {
        return false;
    };
    let expected = Query::parse(Some(&signer.sign(path, expires)))
        .get("signature")
        .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok());
    expires >= now && expected == Some(given)
}

/// `text` with its byte at `at` XORed with `mask` (kept in ASCII), if that is still UTF-8 and
/// another text.
fn tamper(text: &str, at: usize, mask: u8) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    let byte = bytes[at] ^ (mask & 0x7f);
    if byte == bytes[at] {
        return None;
    }
    bytes[at] = byte;
    String::from_utf8(bytes).ok()
}
