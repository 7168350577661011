//! One registry harness for the tests that drive the core with built `http::Request`s.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use serde_json::Value;
use tfreg_core::auth::{hash_token, Authorizer, NewToken, Role};
use tfreg_core::clock::ManualClock;
use tfreg_core::http::{Body, UrlSigner};
use tfreg_core::modules::external::fetch::SourceFetcher;
use tfreg_core::storage::Storage;
use tfreg_core::upstream::Upstream;
use tfreg_core::{Registry, RegistryConfig};

/// A registry over the in-memory store (or a given one), with a master token, a fixed
/// link-signing key and a clock the test moves.
#[derive(Debug)]
pub struct TestRegistry {
    /// The registry.
    pub registry: Registry,
    /// Its store.
    pub storage: Arc<dyn Storage>,
    /// Its clock: standing still at the system time the harness was built, until advanced.
    pub clock: Arc<ManualClock>,
    /// The master token.
    pub master: String,
}

/// Builds a [`TestRegistry`].
#[derive(Debug)]
pub struct TestRegistryBuilder {
    config: RegistryConfig,
    master: String,
    storage: Option<Arc<dyn Storage>>,
    authorizer: Option<Arc<dyn Authorizer>>,
    upstream: Option<Upstream>,
    fetcher: Option<Arc<dyn SourceFetcher>>,
    scm_client: Option<Arc<dyn tfreg_core::scm::ScmClient>>,
    scm: tfreg_core::scm::ScmConfig,
    clock: Option<Arc<ManualClock>>,
}

impl TestRegistryBuilder {
    /// Uses these settings.
    pub fn config(mut self, config: RegistryConfig) -> Self {
        self.config = config;
        self
    }

    /// Signs providers with this armored secret key.
    pub fn signing_key(mut self, armored: &str) -> Self {
        self.config.provider_signing_key = Some(armored.to_owned());
        self
    }

    /// Accepts this master token (`tfreg_test-master-token` by default).
    pub fn master(mut self, token: &str) -> Self {
        self.master = token.to_owned();
        self
    }

    /// Keeps everything in `storage` instead of a new in-memory store.
    pub fn storage(mut self, storage: Arc<dyn Storage>) -> Self {
        self.storage = Some(storage);
        self
    }

    /// Uses this authorizer.
    pub fn authorizer(mut self, authorizer: Arc<dyn Authorizer>) -> Self {
        self.authorizer = Some(authorizer);
        self
    }

    /// Proxies this upstream.
    pub fn upstream(mut self, upstream: Upstream) -> Self {
        self.upstream = Some(upstream);
        self
    }

    /// Imports external module versions with this fetcher.
    pub fn source_fetcher(mut self, fetcher: Arc<dyn SourceFetcher>) -> Self {
        self.fetcher = Some(fetcher);
        self
    }

    /// Reads source-control hosts with this client, publishing as `config` says.
    pub fn scm(
        mut self,
        client: Arc<dyn tfreg_core::scm::ScmClient>,
        config: tfreg_core::scm::ScmConfig,
    ) -> Self {
        self.scm_client = Some(client);
        self.scm = config;
        self
    }

    /// Shares this clock (with another registry on the same store, say).
    pub fn clock(mut self, clock: Arc<ManualClock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Builds it.
    pub async fn build(self) -> TestRegistry {
        let storage = self.storage.unwrap_or_else(memory);
        let clock = self.clock.unwrap_or_else(ManualClock::now);
        let mut builder = Registry::builder(storage.clone())
            .master_token(hash_token(&self.master))
            .url_signer(UrlSigner::new([42; 32]))
            .clock(clock.clone())
            .config(self.config);
        if let Some(authorizer) = self.authorizer {
            builder = builder.authorizer(authorizer);
        }
        if let Some(upstream) = self.upstream {
            builder = builder.upstream(upstream);
        }
        if let Some(fetcher) = self.fetcher {
            builder = builder.source_fetcher(fetcher);
        }
        if let Some(client) = self.scm_client {
            builder = builder.scm_client(client);
        }
        builder = builder.scm(self.scm);
        let registry = builder.build().await.expect("a test registry builds");
        TestRegistry { registry, storage, clock, master: self.master }
    }
}

/// A new in-memory store.
fn memory() -> Arc<dyn Storage> {
    Arc::new(tfreg_storage::from_url("memory://").expect("the in-memory store opens"))
}

impl TestRegistry {
    /// A builder with the default settings.
    pub fn builder() -> TestRegistryBuilder {
        TestRegistryBuilder {
            config: RegistryConfig::default(),
            master: "tfreg_test-master-token".to_owned(),
            storage: None,
            authorizer: None,
            upstream: None,
            fetcher: None,
            scm_client: None,
            scm: tfreg_core::scm::ScmConfig::default(),
            clock: None,
        }
    }

    /// A registry with the default settings.
    pub async fn new() -> Self {
        Self::builder().build().await
    }

    /// `method uri` with `token` (if any) and `body`; the answer with its body read whole.
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: impl Into<Bytes>,
    ) -> Response<Bytes> {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        send(&self.registry, request.body(body.into()).expect("a valid request")).await
    }

    /// `GET uri` as the master.
    pub async fn get(&self, uri: &str) -> Response<Bytes> {
        self.call(Method::GET, uri, Some(&self.master), Bytes::new()).await
    }

    /// `PUT` of a module version's archive as the master.
    pub async fn publish_module(&self, addr: &str, version: &str, archive: Vec<u8>) -> Response<Bytes> {
        self.call(Method::PUT, &format!("/v1/modules/{addr}/{version}"), Some(&self.master), archive).await
    }

    /// Issues a token with `role` for every namespace, valid for a day.
    pub async fn issue(&self, role: Role) -> String {
        let spec = NewToken {
            tier: Some(role),
            namespaces: None,
            description: Some("test".into()),
            expires_in_days: Some(1),
        };
        self.registry.tokens().create(spec, "test").await.expect("a token is issued").0
    }

    /// Every key the store holds under `prefix`.
    pub async fn stored_keys(&self, prefix: &str) -> Vec<String> {
        self.storage.list(prefix).await.expect("listing the store").into_iter().map(|i| i.key).collect()
    }
}

/// Answers `request` with `registry`, reading a streamed body whole.
pub async fn send(registry: &Registry, request: Request<Bytes>) -> Response<Bytes> {
    collect(registry.handle(request).await).await
}

/// The response with its body read whole.
pub async fn collect(response: Response<Body>) -> Response<Bytes> {
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("the answer's body reads to its end");
    Response::from_parts(parts, bytes)
}

/// The body as JSON, checking the content type.
pub fn json(response: &Response<Bytes>) -> Value {
    assert_eq!(response.headers()["content-type"], "application/json", "{:?}", response.body());
    serde_json::from_slice(response.body()).expect("a JSON body")
}

/// Asserts the status and that the body is `{"errors": [<one message>]}`; the message.
pub fn error_message(response: &Response<Bytes>, status: StatusCode) -> String {
    assert_eq!(response.status(), status, "{:?}", response.body());
    let body = json(response);
    let errors = body["errors"].as_array().expect("an errors array");
    assert_eq!(errors.len(), 1, "{body}");
    errors[0].as_str().expect("a text message").to_owned()
}
