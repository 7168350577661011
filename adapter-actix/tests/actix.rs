//! The adapter under actix-web's own test utilities: conversions, HEAD, the body limit, and
//! mounting inside a scope.

use std::sync::Arc;

use actix_web::body::{BodySize, MessageBody};
use actix_web::{test, web, App};
use tfreg_core::auth::hash_token;
use tfreg_core::Registry;
use tfreg_core::RegistryConfig;

const TOKEN: &str = "tfreg_actix-test-token";

async fn registry(config: RegistryConfig) -> Registry {
    let storage = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    Registry::builder(storage).master_token(hash_token(TOKEN)).config(config).build().await.unwrap()
}

fn module() -> Vec<u8> {
    tfreg_testkit::tar_gz(&[("main.tf", "output \"x\" { value = 1 }\n")])
}

#[actix_web::test]
async fn mounts_under_a_scope_and_answers_the_protocol() {
    let registry = registry(RegistryConfig { base_path: "/registry".into(), ..Default::default() }).await;
    let app = test::init_service(
        App::new()
            .service(tfreg_actix::discovery(registry.clone()))
            .service(web::scope("/registry").configure(tfreg_actix::configure(registry.clone()))),
    )
    .await;

    let put = test::TestRequest::put()
        .uri("/registry/v1/modules/acme/vpc/aws/1.0.0")
        .insert_header(("authorization", format!("Bearer {TOKEN}")))
        .set_payload(module())
        .to_request();
    let response = test::call_service(&app, put).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers().get("content-type").unwrap(), "application/json");

    let download = test::TestRequest::get()
        .uri("/registry/v1/modules/acme/vpc/aws/1.0.0/download")
        .insert_header(("authorization", format!("Bearer {TOKEN}")))
        .to_request();
    let response = test::call_service(&app, download).await;
    assert_eq!(response.status(), 204);
    let location = response.headers().get("x-terraform-get").unwrap().to_str().unwrap().to_owned();
    assert!(location.starts_with("/registry/v1/archives/"), "{location}");

    let get = test::call_service(&app, test::TestRequest::get().uri(&location).to_request()).await;
    assert_eq!(get.status(), 200);
    let body = test::read_body(get).await;
    assert!(body.starts_with(&[0x1f, 0x8b]), "a gzip stream");

    let head = test::TestRequest::default().method(actix_web::http::Method::HEAD).uri(&location).to_request();
    let head = test::call_service(&app, head).await;
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.response().body().size(),
        BodySize::Sized(body.len() as u64),
        "HEAD reports the GET's length"
    );
}

#[actix_web::test]
async fn bodies_over_the_limit_are_refused_while_reading() {
    let registry = registry(RegistryConfig { max_upload_bytes: 1024, ..Default::default() }).await;
    let app = test::init_service(App::new().configure(tfreg_actix::configure(registry))).await;
    let put = test::TestRequest::put()
        .uri("/v1/modules/acme/vpc/aws/1.0.0")
        .insert_header(("authorization", format!("Bearer {TOKEN}")))
        .set_payload(vec![0u8; 4096])
        .to_request();
    let response = test::call_service(&app, put).await;
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = test::read_body_json(response).await;
    assert!(body["errors"][0].as_str().unwrap().contains("1024"));
}

#[actix_web::test]
async fn errors_keep_their_headers_through_the_conversion() {
    let registry = registry(RegistryConfig::default()).await;
    let app = test::init_service(App::new().configure(tfreg_actix::configure(registry))).await;
    let get = test::TestRequest::get().uri("/v1/modules/acme/vpc/aws/versions").to_request();
    let response = test::call_service(&app, get).await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers().get("www-authenticate").unwrap(), "Bearer");
    let post = test::TestRequest::post().uri("/v1/modules/acme/vpc/aws/versions").to_request();
    let response = test::call_service(&app, post).await;
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers().get("allow").unwrap(), "GET, HEAD");
}
