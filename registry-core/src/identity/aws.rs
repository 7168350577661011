//! AWS workload identity, the scheme of Vault's `aws` auth method: the caller signs an
//! `sts:GetCallerIdentity` request with its own AWS credentials (SigV4, a header
//! `X-Tfreg-Audience` among those signed) and sends the signed request, not the credentials.
//! The registry checks that it is exactly that request, for AWS STS (or the one endpoint it is
//! configured with), bound to an audience a rule names, forwards it to STS as it was signed,
//! and reads the caller's ARN from STS's answer. STS checks the signature (and its 15-minute
//! lifetime), so a request cannot be bent to another action or replayed for long, and one
//! signed for another service (without the audience header) is refused here.

use std::collections::BTreeMap;

use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::protocol::ExchangeRequest;
use crate::{Error, Result};

/// The issuer trust rules name for AWS callers.
pub(crate) const ISSUER: &str = "aws";

/// The header, among those signed, that names the registry (the rule's audience).
pub(crate) const AUDIENCE_HEADER: &str = "x-tfreg-audience";

const MAX_HEADERS: usize = 16 * 1024;
const MAX_BODY: usize = 1024;

/// A signed `GetCallerIdentity` request, checked, ready to forward.
#[derive(Debug)]
pub(crate) struct SignedRequest {
    /// The STS endpoint.
    pub(crate) url: String,
    /// The headers as signed (without `Host` and `Content-Length`, which the client sets).
    pub(crate) headers: Vec<(String, String)>,
    /// `Action=GetCallerIdentity&Version=2011-06-15`.
    pub(crate) body: Vec<u8>,
    /// The audience it is bound to.
    pub(crate) audience: String,
}

fn refused(why: impl std::fmt::Display) -> Error {
    Error::bad_request(format!("the signed AWS request is not usable: {why}"))
}

fn decode(field: &str, value: Option<&String>, limit: usize) -> Result<Vec<u8>> {
    let value = value.ok_or_else(|| refused(format!("{field} is missing")))?;
    if value.len() > limit * 4 / 3 + 4 {
        return Err(refused(format!("{field} is too long")));
    }
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .map_err(|_| refused(format!("{field} is not base64")))
}

/// Whether `url` is an AWS STS endpoint the registry forwards to: `configured` when the
/// registry names one, else `https://sts.amazonaws.com/` or a regional `sts.REGION.amazonaws.com`.
fn endpoint(url: &url::Url, configured: Option<&str>) -> bool {
    if let Some(configured) = configured {
        return url::Url::parse(configured).is_ok_and(|c| c == *url);
    }
    let host = url.host_str().unwrap_or_default();
    let regional =
        host.strip_prefix("sts.").and_then(|h| h.strip_suffix(".amazonaws.com")).is_some_and(|r| {
            !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    url.scheme() == "https"
        && (host == "sts.amazonaws.com" || regional)
        && url.port().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.username().is_empty()
        && url.password().is_none()
}

/// The headers of Vault's `iam_request_headers`: `{"Name": ["value"]}` (Go's `http.Header`)
/// or `{"Name": "value"}`, lower-cased names.
fn headers(raw: &[u8]) -> Result<BTreeMap<String, String>> {
    let document: BTreeMap<String, Value> =
        serde_json::from_slice(raw).map_err(|_| refused("iam_request_headers is not a JSON object"))?;
    let mut headers = BTreeMap::new();
    for (name, value) in document {
        let value = match value {
            Value::String(s) => s,
            Value::Array(items) => match items.as_slice() {
                [Value::String(s)] => s.clone(),
                _ => return Err(refused(format!("header {name} must have one value"))),
            },
            _ => return Err(refused(format!("header {name} is not text"))),
        };
        if http::HeaderName::from_bytes(name.as_bytes()).is_err()
            || http::HeaderValue::from_str(&value).is_err()
        {
            return Err(refused(format!(
                "header {:?} is not a valid HTTP header",
                crate::types::truncate(&name)
            )));
        }
        headers.insert(name.to_ascii_lowercase(), value);
    }
    Ok(headers)
}

/// Reads and checks the AWS fields of an exchange.
pub(crate) fn signed_request(request: &ExchangeRequest, configured: Option<&str>) -> Result<SignedRequest> {
    let method = request.iam_http_request_method.as_deref().unwrap_or("POST");
    if method != "POST" {
        return Err(refused(format!(
            "iam_http_request_method must be POST, not {:?}",
            crate::types::truncate(method)
        )));
    }
    let url = decode("iam_request_url", request.iam_request_url.as_ref(), 2048)?;
    let url = std::str::from_utf8(&url)
        .ok()
        .and_then(|u| url::Url::parse(u).ok())
        .ok_or_else(|| refused("iam_request_url is not a URL"))?;
    if !endpoint(&url, configured) {
        return Err(refused(format!(
            "{} is not an AWS STS endpoint this registry uses",
            crate::types::truncate(url.as_str())
        )));
    }
    let body = decode("iam_request_body", request.iam_request_body.as_ref(), MAX_BODY)?;
    let mut form: Vec<(String, String)> =
        form_urlencoded::parse(&body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    form.sort();
    let expected = [("Action", "GetCallerIdentity"), ("Version", "2011-06-15")];
    if form.len() != 2 || form.iter().zip(expected).any(|((k, v), (ek, ev))| k != ek || v != ev) {
        return Err(refused("the body must be Action=GetCallerIdentity&Version=2011-06-15"));
    }
    let mut headers =
        headers(&decode("iam_request_headers", request.iam_request_headers.as_ref(), MAX_HEADERS)?)?;
    let authorization = headers.get("authorization").cloned().unwrap_or_default();
    let signed = authorization
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| {
            refused("it is not signed with AWS Signature Version 4 (Authorization: AWS4-HMAC-SHA256 ...)")
        })?
        .split(',')
        .find_map(|part| part.trim().strip_prefix("SignedHeaders="))
        .unwrap_or_default()
        .split(';')
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let audience = headers
        .get(AUDIENCE_HEADER)
        .filter(|a| !a.is_empty() && signed.iter().any(|h| h == AUDIENCE_HEADER))
        .cloned()
        .ok_or_else(|| refused("the X-Tfreg-Audience header (the registry's audience) must be signed"))?;
    let authority = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    if headers.get("host").is_some_and(|h| *h != authority) {
        return Err(refused("its Host header is not the endpoint's"));
    }
    for hop in ["host", "content-length", "connection", "transfer-encoding", "expect"] {
        headers.remove(hop);
    }
    Ok(SignedRequest { url: url.to_string(), headers: headers.into_iter().collect(), body, audience })
}

/// STS's answer to `GetCallerIdentity`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    get_caller_identity_result: Identity,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Identity {
    arn: String,
    account: String,
    user_id: String,
}

/// STS's error document.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Failure {
    error: FailureDetail,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FailureDetail {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// The caller's identity as claims rules match: `arn` (as STS names it), `account`,
/// `user_id`, and for an assumed role also `role` (the role's IAM ARN) and `session`.
pub(crate) fn claims(status: u16, body: &[u8]) -> Result<Value> {
    let text = String::from_utf8_lossy(body);
    if status != 200 {
        let why = quick_xml::de::from_str::<Failure>(&text)
            .map(|f| format!("{}: {}", f.error.code, f.error.message))
            .unwrap_or_else(|_| format!("it answered {status}"));
        return Err(match status {
            400..=499 => Error::unauthorized(format!("AWS STS refused the signed request: {why}")),
            _ => Error::upstream(format!("AWS STS failed: {why}")),
        });
    }
    let identity = quick_xml::de::from_str::<Answer>(&text)
        .map_err(|e| Error::upstream(format!("AWS STS's answer is not a GetCallerIdentityResponse: {e}")))?
        .get_caller_identity_result;
    let mut claims = json!({
        "sub": identity.arn,
        "arn": identity.arn,
        "account": identity.account,
        "user_id": identity.user_id,
    });
    // arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION -> arn:aws:iam::ACCOUNT:role/NAME
    let parts: Vec<&str> = identity.arn.splitn(6, ':').collect();
    if let [arn, partition, "sts", "", account, resource] = parts.as_slice() {
        if let Some((role, session)) = resource.strip_prefix("assumed-role/").and_then(|r| r.split_once('/'))
        {
            claims["role"] = json!(format!("{arn}:{partition}:iam::{account}:role/{role}"));
            claims["session"] = json!(session);
        }
    }
    Ok(claims)
}
