//! Plugging in your own identity: a registry mounted in an actix-web app behind an
//! authenticating proxy (oauth2-proxy, an ingress with OIDC, ...) that sets
//! `X-Auth-Request-User` and `X-Auth-Request-Groups` after signing the user in. People are
//! recognised from those headers; CI jobs and Terraform keep using the registry's own tokens.
//!
//! Only deploy this where the proxy strips those headers from what clients send: otherwise
//! anyone can claim to be anyone.
//!
//! ```text
//! TFREG_MASTER_TOKEN=a-long-master-token cargo run -p tfreg-server --example proxy_auth
//! ```

use std::sync::Arc;

use actix_web::{web, App, HttpServer};
use async_trait::async_trait;
use tfreg_core::auth::{Authenticator, MasterToken, Principal, Role, TokenAuthenticator, TokenStore};
use tfreg_core::Registry;
use tfreg_core::Result;

/// The groups that map to registry roles.
const ADMINS: &str = "platform-admins";
const PUBLISHERS: &str = "module-publishers";
/// A group `tfreg-ns-<namespace>` limits a publisher to that namespace.
const NAMESPACE_GROUP: &str = "tfreg-ns-";

/// Trusts the proxy's identity headers, and otherwise the registry's own tokens.
#[derive(Debug)]
struct ProxyHeaders {
    tokens: TokenAuthenticator,
}

#[async_trait]
impl Authenticator for ProxyHeaders {
    async fn authenticate(&self, request: &http::request::Parts) -> Result<Option<Principal>> {
        let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
        let Some(user) = header("x-auth-request-user").filter(|u| !u.is_empty()) else {
            return self.tokens.authenticate(request).await;
        };
        let groups: Vec<&str> =
            header("x-auth-request-groups").unwrap_or("").split(',').map(str::trim).collect();
        let role = if groups.contains(&ADMINS) {
            Role::Master
        } else if groups.contains(&PUBLISHERS) {
            Role::Uploader
        } else {
            Role::Downloader
        };
        let namespaces: Vec<String> = groups
            .iter()
            .filter_map(|g| g.strip_prefix(NAMESPACE_GROUP))
            .map(str::to_ascii_lowercase)
            .collect();
        let namespaces = (role != Role::Master && !namespaces.is_empty()).then_some(namespaces);
        Ok(Some(Principal { id: format!("proxy:{user}"), role, namespaces }))
    }
}

/// The registry at the root of the app, with the proxy-aware authenticator.
async fn registry(
    storage_url: &str,
    master_token: &str,
) -> std::result::Result<Registry, Box<dyn std::error::Error>> {
    let storage = Arc::new(tfreg_storage::from_url(storage_url)?);
    let master = MasterToken::bootstrap(storage.as_ref(), Some(master_token)).await?;
    // Share one token store between the registry (token API) and the authenticator, so a
    // revoked token stops working at once.
    let tokens = Arc::new(TokenStore::new(storage.clone()));
    let builtin = TokenAuthenticator::new(Some(master.hash), Some(tokens.clone()));
    Ok(Registry::builder(storage)
        .tokens(tokens)
        .authenticator(Arc::new(ProxyHeaders { tokens: builtin }))
        .build()
        .await?)
}

#[actix_web::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("TFREG_MASTER_TOKEN").map_err(|_| "set TFREG_MASTER_TOKEN")?;
    let registry = registry("file://./tfreg-proxy-data", &token).await?;
    println!("registry behind your authenticating proxy on http://127.0.0.1:8081");
    HttpServer::new(move || {
        App::new()
            .service(tfreg_actix::discovery(registry.clone()))
            .service(web::scope("").configure(tfreg_actix::configure(registry.clone())))
    })
    .bind(("127.0.0.1", 8081))?
    .run()
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use actix_web::test;

    use super::*;

    use tfreg_testkit::tiny_module as module;

    #[actix_web::test]
    async fn proxy_identities_and_registry_tokens_both_work() {
        let registry = registry("memory://", "a-long-master-token").await.unwrap();
        let app = test::init_service(App::new().configure(tfreg_actix::configure(registry.clone()))).await;
        let publish = |ns: &str, headers: &[(&'static str, &'static str)]| {
            let mut request = test::TestRequest::put()
                .uri(&format!("/v1/modules/{ns}/vpc/aws/1.0.0"))
                .set_payload(module());
            for header in headers {
                request = request.insert_header(*header);
            }
            request.to_request()
        };
        let alice =
            [("x-auth-request-user", "alice"), ("x-auth-request-groups", "module-publishers, tfreg-ns-acme")];
        assert_eq!(test::call_service(&app, publish("acme", &alice)).await.status(), 201);
        assert_eq!(test::call_service(&app, publish("other", &alice)).await.status(), 403);
        let bob = [("x-auth-request-user", "bob"), ("x-auth-request-groups", "everyone")];
        assert_eq!(
            test::call_service(&app, publish("bob", &bob)).await.status(),
            403,
            "readers may not publish"
        );
        let read = test::TestRequest::get()
            .uri("/v1/modules/acme/vpc/aws/versions")
            .insert_header(("x-auth-request-user", "bob"))
            .to_request();
        assert_eq!(test::call_service(&app, read).await.status(), 200);

        // The audit trail names the proxy user, and the master token still administers.
        let audit = test::TestRequest::get()
            .uri("/v1/audit")
            .insert_header(("authorization", "Bearer a-long-master-token"))
            .to_request();
        let audit: serde_json::Value = test::call_and_read_body_json(&app, audit).await;
        assert_eq!(audit["entries"][2]["actor"], "proxy:alice");

        let anonymous = test::TestRequest::get().uri("/v1/modules/acme/vpc/aws/versions").to_request();
        assert_eq!(test::call_service(&app, anonymous).await.status(), 401);
    }
}
