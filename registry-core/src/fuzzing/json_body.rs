//! The `json_body` target: every JSON document the registry reads from outside, the bodies of
//! requests and the answers of an upstream registry.

use std::fmt::Debug;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{assert_explained, Verdict};
use crate::admin::tokens::parse_new_token;
use crate::protocol::{
    AddKey, CreateToken, Discovery, DownloadLocation, ModuleVersions, OpenUpload, ProviderDownload,
    ProviderVersions, PublishShaSums,
};
use crate::providers::package::ShaSums;
use crate::types::Name;

/// What a selector byte reads the rest of the input as, in order.
pub const JSON_BODY_KINDS: [&str; 10] = [
    "POST /v1/tokens",
    "POST /v1/keys",
    "PUT .../shasums",
    "POST /v1/uploads",
    "upstream discovery",
    "upstream module versions",
    "upstream module download",
    "upstream provider versions",
    "upstream provider download",
    "PUT /v2/{repo}/manifests/{reference}",
];

/// Checks a fuzz input as a JSON document: the first byte picks the kind
/// ([`JSON_BODY_KINDS`], modulo their number), the rest is the body.
///
/// Deserialising never panics, and an accepted document serialises to JSON that deserialises to
/// an equal value. Request bodies also go through what their handler does next, which never
/// panics and refuses with a 400: a token request through the handler's own checks (an accepted
/// one names sorted, distinct, valid namespaces), a key's namespace through [`Name::parse`], a
/// team signature's `SHA256SUMS` and base64 signature through their parsers, a pushed OCI
/// manifest or index through the checks of a module's, a platform's and a provider index's.
pub fn check_json_body(input: &[u8]) -> Verdict {
    let Some((&selector, body)) = input.split_first() else { return Verdict::Refused };
    match usize::from(selector) % JSON_BODY_KINDS.len() {
        0 => {
            let verdict = round_trip::<CreateToken>(body);
            check_token_request(body);
            verdict
        }
        1 => {
            let parsed = round_trip_value::<AddKey>(body);
            if let Some(key) = &parsed {
                client_error(Name::parse(&key.namespace, "namespace"));
            }
            found(&parsed)
        }
        2 => {
            let parsed = round_trip_value::<PublishShaSums>(body);
            if let Some(upload) = &parsed {
                let _ = STANDARD.decode(upload.signature.trim());
                if let Err(err) = ShaSums::parse(upload.shasums.as_bytes()) {
                    assert_explained(&err);
                }
            }
            found(&parsed)
        }
        3 => round_trip::<OpenUpload>(body),
        4 => round_trip::<Discovery>(body),
        5 => round_trip::<ModuleVersions>(body),
        6 => round_trip::<DownloadLocation>(body),
        7 => round_trip::<ProviderVersions>(body),
        8 => round_trip::<ProviderDownload>(body),
        _ => check_pushed_document(body),
    }
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(body: &[u8]) -> Verdict {
    found(&round_trip_value::<T>(body))
}

fn found<T>(parsed: &Option<T>) -> Verdict {
    if parsed.is_some() {
        Verdict::Accepted
    } else {
        Verdict::Refused
    }
}

/// The body as a `T`, if it is one; a `T` serialises to JSON that reads back as an equal `T`.
fn round_trip_value<T: Serialize + DeserializeOwned + PartialEq + Debug>(body: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(body).ok()?;
    let json = serde_json::to_vec(&value).expect("a document serialises");
    let again: T = serde_json::from_slice(&json)
        .unwrap_or_else(|err| panic!("{} does not read back: {err}", String::from_utf8_lossy(&json)));
    assert_eq!(again, value, "a document changes through JSON");
    Some(value)
}

/// A pushed OCI document through the checks a push applies: accepted when it is a module's or
/// a platform's manifest, or a provider's index; every refusal a 400 with a message.
fn check_pushed_document(body: &[u8]) -> Verdict {
    use crate::oci::manifest::{MODULE_ARTIFACT, PROVIDER_ARTIFACT, PROVIDER_TARGET_ARTIFACT};
    use crate::oci::push::documents::{Kind, Pushed};
    let Some((kind, pushed)) = client_error(Pushed::parse(body, None)) else { return Verdict::Refused };
    let accepted = match kind {
        Kind::Manifest => [MODULE_ARTIFACT, PROVIDER_TARGET_ARTIFACT]
            .iter()
            .any(|artifact| client_error(pushed.zip_layer(artifact)).is_some()),
        Kind::Index => client_error(pushed.platforms(PROVIDER_ARTIFACT, PROVIDER_TARGET_ARTIFACT))
            .is_some_and(|platforms| !platforms.is_empty()),
    };
    if accepted {
        Verdict::Accepted
    } else {
        Verdict::Refused
    }
}

/// A `POST /v1/tokens` body through the handler's own parsing and checks.
fn check_token_request(body: &[u8]) {
    let Some(token) = client_error(parse_new_token(body)) else { return };
    assert!(token.tier.is_some(), "a token without a tier");
    if let Some(namespaces) = &token.namespaces {
        assert!(!namespaces.is_empty() && namespaces.windows(2).all(|w| w[0] < w[1]), "{namespaces:?}");
        for namespace in namespaces {
            let parsed = Name::parse(namespace, "namespace").expect("an accepted namespace");
            assert_eq!(parsed.key(), namespace, "namespaces are kept as their keys");
        }
    }
    assert!(token.expires_in_days.is_none_or(|days| (1..=3650).contains(&days)));
    assert!(token.description.as_ref().is_none_or(|d| d.chars().count() <= 256));
}

/// The value, or `None` after checking the error is a 400 with a message.
fn client_error<T>(result: crate::Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(err) => {
            assert_eq!(err.status(), http::StatusCode::BAD_REQUEST, "{err}");
            assert_explained(&err);
            None
        }
    }
}
