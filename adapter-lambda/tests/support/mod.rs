//! What the Lambda adapter's tests share: the registry, a module archive, the event fixtures in
//! `tests/data/` and ways to vary them, and answers from both adapters in one comparable shape.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{Service, ServiceResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Value};
use tfreg_core::auth::hash_token;
use tfreg_core::Registry;
use tfreg_core::RegistryConfig;

/// The master token; the fixtures' `Authorization` headers carry it.
pub const TOKEN: &str = "tfreg_lambda-test-token";

/// A registry over a fresh in-memory store that accepts [`TOKEN`].
pub async fn registry(config: RegistryConfig) -> Registry {
    let storage = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    Registry::builder(storage).master_token(hash_token(TOKEN)).config(config).build().await.unwrap()
}

/// A module archive: one `main.tf` in a `.tar.gz`.
pub fn module() -> Vec<u8> {
    tfreg_testkit::tar_gz(&[("main.tf", "variable \"cidr\" {}\noutput \"cidr\" { value = var.cidr }\n")])
}

/// An event fixture from `tests/data/`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `apigw-http-put-module.json` with `body` spliced in as its base64 body.
pub fn put_event(body: &[u8]) -> Value {
    let path = format!("{}/tests/data/apigw-http-put-module.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let text = text
        .replace("__BODY_BASE64__", &STANDARD.encode(body))
        .replace("__CONTENT_LENGTH__", &body.len().to_string());
    serde_json::from_str(&text).unwrap()
}

/// The request lambda_http's own parser makes of an event.
pub fn event(value: &Value) -> lambda_http::Request {
    lambda_http::request::from_str(&value.to_string()).expect("lambda_http parses the event")
}

/// An HTTP API (payload 2.0) or function URL event for another request.
pub fn v2(mut event: Value, method: &str, raw_path: &str, raw_query: &str) -> Value {
    event["rawPath"] = json!(raw_path);
    event["rawQueryString"] = json!(raw_query);
    event["requestContext"]["http"]["method"] = json!(method);
    event["requestContext"]["http"]["path"] = json!(raw_path);
    event
}

/// A REST API (payload 1.0) event for another request: `path` as API Gateway gives it,
/// `context_path` the `requestContext.path` (the path the client asked for), and the query as
/// API Gateway decodes it.
pub fn rest(mut event: Value, method: &str, path: &str, context_path: &str, query: &[(&str, &str)]) -> Value {
    event["httpMethod"] = json!(method);
    event["requestContext"]["httpMethod"] = json!(method);
    event["path"] = json!(path);
    event["requestContext"]["path"] = json!(context_path);
    event["pathParameters"] = json!({ "proxy": path.trim_start_matches('/') });
    if query.is_empty() {
        event["queryStringParameters"] = Value::Null;
        event["multiValueQueryStringParameters"] = Value::Null;
    } else {
        let single: serde_json::Map<String, Value> =
            query.iter().map(|(k, v)| ((*k).into(), json!(v))).collect();
        let multi: serde_json::Map<String, Value> =
            query.iter().map(|(k, v)| ((*k).into(), json!([v]))).collect();
        event["queryStringParameters"] = Value::Object(single);
        event["multiValueQueryStringParameters"] = Value::Object(multi);
    }
    event
}

/// An ALB event for another request (ALB passes the query parameters undecoded).
pub fn alb(mut event: Value, method: &str, path: &str, query: &[(&str, &str)]) -> Value {
    event["httpMethod"] = json!(method);
    event["path"] = json!(path);
    event["queryStringParameters"] =
        Value::Object(query.iter().map(|(k, v)| ((*k).into(), json!(v))).collect());
    event
}

/// The event without a header (in `headers` and `multiValueHeaders`, any case).
pub fn without_header(mut event: Value, name: &str) -> Value {
    for field in ["headers", "multiValueHeaders"] {
        if let Some(map) = event[field].as_object_mut() {
            map.retain(|key, _| !key.eq_ignore_ascii_case(name));
        }
    }
    event
}

/// Splits a link into its path and query.
pub fn split_link(link: &str) -> (&str, &str) {
    link.split_once('?').unwrap_or((link, ""))
}

/// The query pairs of a link, as API Gateway or an ALB would list them.
pub fn query_pairs(query: &str) -> Vec<(&str, &str)> {
    query.split('&').filter(|p| !p.is_empty()).map(|p| p.split_once('=').unwrap_or((p, ""))).collect()
}

/// One answer, from either adapter.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    /// The body's length as the client learns it: `Content-Length` (Lambda) or the body size
    /// actix writes.
    pub length: Option<u64>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

/// The answer of the Lambda adapter, checking that the body has the variant its content type
/// calls for: none as `Empty`, JSON and text as `Text`, anything else as `Binary`.
pub fn from_lambda(response: lambda_http::Response<lambda_http::Body>) -> Answer {
    let (parts, body) = response.into_parts();
    let content_type = parts.headers.get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let textual =
        content_type.as_deref().is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/"));
    let bytes = match body {
        lambda_http::Body::Empty => Bytes::new(),
        lambda_http::Body::Text(text) => {
            assert!(textual, "text body for content type {content_type:?}");
            Bytes::from(text)
        }
        lambda_http::Body::Binary(bytes) => {
            assert!(!textual, "binary body for content type {content_type:?}");
            assert!(!bytes.is_empty(), "an empty body is Body::Empty");
            Bytes::from(bytes)
        }
        other => panic!("unexpected body {other:?}"),
    };
    let length = parts
        .headers
        .get("content-length")
        .map(|v| v.to_str().unwrap().parse().unwrap())
        .or(Some(bytes.len() as u64));
    Answer { status: parts.status.as_u16(), headers: parts.headers, body: bytes, length }
}

/// Answers an event with the Lambda adapter.
pub async fn lambda(registry: &Registry, options: &tfreg_lambda::LambdaOptions, event: &Value) -> Answer {
    from_lambda(tfreg_lambda::handle(registry, options, self::event(event)).await)
}

/// Answers a request with an actix app (see [`actix_app`]).
pub async fn actix<S, R, B>(app: &S, request: R) -> Answer
where
    S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = app.call(request).await.unwrap();
    let status = response.status().as_u16();
    let mut headers = http::HeaderMap::new();
    for (name, value) in response.headers() {
        headers.append(
            http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let length = match response.response().body().size() {
        BodySize::Sized(n) => Some(n),
        _ => None,
    };
    let body = actix_web::test::read_body(response).await;
    Answer { status, headers, body, length }
}

/// Asserts that two answers have the same status, body, length and `headers`.
pub fn assert_same(lambda: &Answer, actix: &Answer, headers: &[&str]) {
    assert_eq!(lambda.status, actix.status, "status; lambda body {:?}", lambda.body);
    assert_eq!(lambda.body, actix.body, "body");
    assert_eq!(lambda.length, actix.length, "length");
    for name in headers {
        assert_eq!(lambda.header(name), actix.header(name), "header {name}");
    }
}
