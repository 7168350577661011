//! Embedding tfreg in an existing actix-web service: the registry is mounted under `/registry`
//! beside the host's own routes, with discovery at the root where Terraform looks for it.
//!
//! ```text
//! TFREG_MASTER_TOKEN=a-long-master-token cargo run -p tfreg-server --example embed
//! curl http://127.0.0.1:8080/.well-known/terraform.json   # {"modules.v1":"/registry/v1/modules/"}
//! curl http://127.0.0.1:8080/hello                        # the host's own route
//! ```
//!
//! (Terraform needs HTTPS: put this behind your TLS terminator, or see `tfreg serve`.)

use std::sync::Arc;

use actix_web::{web, App, HttpServer};
use tfreg_core::auth::MasterToken;
use tfreg_core::Registry;
use tfreg_core::RegistryConfig;

/// Builds the registry over `storage_url`, mounted at `/registry`.
async fn registry(storage_url: &str, token: &str) -> Result<Registry, Box<dyn std::error::Error>> {
    let storage = Arc::new(tfreg_storage::from_url(storage_url)?);
    let master = MasterToken::bootstrap(storage.as_ref(), Some(token)).await?;
    let config = RegistryConfig { base_path: "/registry".into(), ..Default::default() };
    Ok(Registry::builder(storage).master_token(master.hash).config(config).build().await?)
}

/// The host application: its own routes plus the registry.
fn app(cfg: &mut web::ServiceConfig, registry: Registry) {
    cfg.route("/hello", web::get().to(|| async { "hello from the host application" }))
        .service(tfreg_actix::discovery(registry.clone()))
        .service(web::scope("/registry").configure(tfreg_actix::configure(registry)));
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("TFREG_MASTER_TOKEN").map_err(|_| {
        "set TFREG_MASTER_TOKEN to the master token to create (16 characters or more), e.g. \
         TFREG_MASTER_TOKEN=$(head -c 24 /dev/urandom | base64) cargo run -p tfreg-server --example embed"
    })?;
    let registry = registry("file://./tfreg-embed-data", &token).await?;
    println!("embedded registry on http://127.0.0.1:8080/registry");
    HttpServer::new(move || App::new().configure(|cfg| app(cfg, registry.clone())))
        .bind(("127.0.0.1", 8080))?
        .run()
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use actix_web::test;

    use super::*;

    #[actix_web::test]
    async fn the_registry_lives_beside_the_host_routes() {
        let registry = registry("memory://", "a-long-master-token").await.unwrap();
        let service = test::init_service(App::new().configure(|cfg| app(cfg, registry.clone()))).await;

        let hello =
            test::call_and_read_body(&service, test::TestRequest::get().uri("/hello").to_request()).await;
        assert_eq!(hello, "hello from the host application");

        let discovery: serde_json::Value = test::call_and_read_body_json(
            &service,
            test::TestRequest::get().uri("/.well-known/terraform.json").to_request(),
        )
        .await;
        assert_eq!(discovery["modules.v1"], "/registry/v1/modules/");

        let missing = test::TestRequest::get()
            .uri("/registry/v1/modules/acme/vpc/aws/versions")
            .insert_header(("authorization", "Bearer a-long-master-token"))
            .to_request();
        assert_eq!(test::call_service(&service, missing).await.status(), 404);
        let outside = test::TestRequest::get().uri("/v1/modules/acme/vpc/aws/versions").to_request();
        assert_eq!(test::call_service(&service, outside).await.status(), 404);
    }
}
