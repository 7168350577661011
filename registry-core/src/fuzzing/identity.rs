//! The `identity` target: what a caller of `POST /v1/auth/exchange` controls. The first byte
//! picks the input (see [`IDENTITY_INPUTS`]), the rest is it: an exchange body (an OIDC token,
//! or an AWS caller's signed request in Vault's fields), an answer of AWS STS, or the payload
//! of a JSON Web Token whose issuer is read before it is verified.

use base64::Engine;

use super::{assert_explained, Verdict};
use crate::identity::aws;
use crate::identity::trust::issuer_of;
use crate::protocol::ExchangeRequest;

/// The inputs the first byte picks from (modulo their count).
pub const IDENTITY_INPUTS: &[&str] = &["exchange body", "sts answer", "jwt payload"];

/// Checks one input. Nothing panics and every refusal is a 4xx (an STS answer's, a 4xx or a
/// 502) that explains itself. A signed request accepted for forwarding goes to AWS STS over
/// https with exactly `Action=GetCallerIdentity&Version=2011-06-15`, a SigV4 `Authorization`,
/// a non-empty audience and none of the headers the client sets itself; claims read from an
/// STS answer name the caller, and a `role` only for an assumed role.
pub fn check_identity(input: &[u8]) -> Verdict {
    let Some((&selector, rest)) = input.split_first() else { return Verdict::Refused };
    match IDENTITY_INPUTS[usize::from(selector) % IDENTITY_INPUTS.len()] {
        "exchange body" => exchange(rest),
        "sts answer" => match aws::claims(200, rest) {
            Ok(claims) => {
                let arn = claims["arn"].as_str().unwrap_or_default();
                assert_eq!(claims["sub"], claims["arn"]);
                assert!(claims.get("role").is_none() || arn.contains(":assumed-role/"), "{claims}");
                Verdict::Accepted
            }
            Err(err) => {
                assert!(err.status().is_server_error(), "{err}");
                assert_explained(&err);
                Verdict::Refused
            }
        },
        _ => {
            let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rest);
            match issuer_of(&format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")) {
                Ok(issuer) => {
                    let claims: serde_json::Value =
                        serde_json::from_slice(rest).expect("a payload read is JSON");
                    assert_eq!(claims["iss"].as_str(), Some(issuer.as_str()));
                    Verdict::Accepted
                }
                Err(err) => refused(&err),
            }
        }
    }
}

fn refused(err: &crate::Error) -> Verdict {
    assert!(err.status().is_client_error(), "{err}");
    assert_explained(err);
    Verdict::Refused
}

fn exchange(body: &[u8]) -> Verdict {
    let Ok(request) = serde_json::from_slice::<ExchangeRequest>(body) else { return Verdict::Refused };
    if let Some(token) = &request.token {
        return match issuer_of(token) {
            Ok(_) => Verdict::Accepted,
            Err(err) => refused(&err),
        };
    }
    match aws::signed_request(&request, None) {
        Ok(signed) => {
            let url = url::Url::parse(&signed.url).expect("a forwarded URL parses");
            assert_eq!(url.scheme(), "https");
            let host = url.host_str().unwrap_or_default();
            assert!(host.starts_with("sts.") && host.ends_with(".amazonaws.com"), "{host}");
            assert_eq!(url.path(), "/");
            let mut form: Vec<_> = form_urlencoded::parse(&signed.body).collect();
            form.sort();
            assert_eq!(form.len(), 2);
            assert_eq!((form[0].0.as_ref(), form[0].1.as_ref()), ("Action", "GetCallerIdentity"));
            assert!(!signed.audience.is_empty());
            assert!(signed.headers.iter().any(|(k, v)| k == aws::AUDIENCE_HEADER && *v == signed.audience));
            for (name, _) in &signed.headers {
                assert!(
                    !["host", "content-length", "transfer-encoding", "connection"].contains(&name.as_str())
                );
            }
            let authorization = signed.headers.iter().find(|(k, _)| k == "authorization");
            assert!(authorization.is_some_and(|(_, v)| v.starts_with("AWS4-HMAC-SHA256 ")));
            Verdict::Accepted
        }
        Err(err) => refused(&err),
    }
}
