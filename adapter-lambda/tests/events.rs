//! Real Lambda event fixtures (API Gateway REST and HTTP APIs, ALB, function URLs), parsed by
//! lambda_http's own parser and answered by the Lambda adapter, against the answers the actix
//! adapter gives for the same requests on the same registry.

mod support;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use actix_web::App;
use tfreg_core::RegistryConfig;
use tfreg_lambda::LambdaOptions;

use support::*;

/// The registry's routes (discovery at the root, the rest from `/`) in an actix test service.
macro_rules! actix_app {
    ($registry:expr) => {
        actix_web::test::init_service(
            App::new()
                .service(tfreg_actix::discovery($registry.clone()))
                .configure(tfreg_actix::configure($registry.clone())),
        )
        .await
    };
}

const VERSIONS: &str = "/v1/modules/acme/vpc/aws/versions";
const DOWNLOAD: &str = "/v1/modules/acme/vpc/aws/1.0.0/download";

fn bearer() -> (&'static str, String) {
    ("authorization", format!("Bearer {TOKEN}"))
}

/// Publishes `acme/vpc/aws` 1.0.0 through the Lambda adapter (the base64 body of an HTTP API
/// event) and returns the archive published.
async fn publish(registry: &tfreg_core::Registry) -> Vec<u8> {
    let archive = module();
    let answer = lambda(registry, &LambdaOptions::default(), &put_event(&archive)).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    archive
}

#[actix_web::test]
async fn every_front_door_serves_discovery_as_actix_does() {
    let registry = registry(RegistryConfig::default()).await;
    let app = actix_app!(registry);
    let expected = actix(&app, TestRequest::get().uri("/.well-known/terraform.json").to_request()).await;
    assert_eq!(expected.status, 200);
    assert_eq!(expected.json()["modules.v1"], "/v1/modules/");

    let discovery = "/.well-known/terraform.json";
    let events = [
        ("HTTP API", fixture("apigw-http-default.json")),
        (
            "HTTP API, stage in the path",
            v2(fixture("apigw-http-live-stage-in-path.json"), "GET", "/live/.well-known/terraform.json", ""),
        ),
        (
            "REST API",
            rest(fixture("apigw-rest-live.json"), "GET", discovery, "/live/.well-known/terraform.json", &[]),
        ),
        (
            "REST API, stage in the path",
            rest(
                fixture("apigw-rest-live-stage-in-path.json"),
                "GET",
                "/live/.well-known/terraform.json",
                "/live/.well-known/terraform.json",
                &[],
            ),
        ),
        ("ALB", alb(fixture("alb.json"), "GET", discovery, &[])),
        ("function URL", v2(fixture("function-url.json"), "GET", discovery, "")),
    ];
    for (door, event) in events {
        let answer = lambda(&registry, &LambdaOptions::default(), &event).await;
        assert_eq!(answer.header("content-type"), Some("application/json"), "{door}");
        assert_same(&answer, &expected, &["content-type"]);
    }
}

#[actix_web::test]
async fn module_versions_need_a_token_as_with_actix() {
    let registry = registry(RegistryConfig::default()).await;
    let app = actix_app!(registry);
    publish(&registry).await;

    let anonymous = actix(&app, TestRequest::get().uri(VERSIONS).to_request()).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
    let event = without_header(fixture("function-url.json"), "authorization");
    let answer = lambda(&registry, &LambdaOptions::default(), &event).await;
    assert_same(&answer, &anonymous, &["content-type", "www-authenticate"]);
    assert!(answer.json()["errors"][0].is_string());

    let expected = actix(&app, TestRequest::get().uri(VERSIONS).insert_header(bearer()).to_request()).await;
    assert_eq!(expected.status, 200);
    assert_eq!(expected.json()["modules"][0]["versions"][0]["version"], "1.0.0");
    let answer = lambda(&registry, &LambdaOptions::default(), &fixture("function-url.json")).await;
    assert_same(&answer, &expected, &["content-type"]);
}

#[actix_web::test]
async fn upload_download_and_the_archive_as_with_actix() {
    let registry = registry(RegistryConfig::default()).await;
    let app = actix_app!(registry);

    // Upload: the event's base64 body is the archive.
    let archive = module();
    let answer = lambda(&registry, &LambdaOptions::default(), &put_event(&archive)).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
    assert_eq!(answer.json()["version"], "1.0.0", "{:?}", answer.json());
    let put = TestRequest::put()
        .uri("/v1/modules/acme/vpc/aws/1.1.0")
        .insert_header(bearer())
        .set_payload(archive.clone())
        .to_request();
    let expected = actix(&app, put).await;
    assert_eq!(expected.status, 201);
    assert_eq!(answer.header("content-type"), expected.header("content-type"));
    // The same version again is a conflict through both.
    let again = lambda(&registry, &LambdaOptions::default(), &put_event(&archive)).await;
    let put = TestRequest::put()
        .uri("/v1/modules/acme/vpc/aws/1.0.0")
        .insert_header(bearer())
        .set_payload(archive.clone())
        .to_request();
    assert_same(&again, &actix(&app, put).await, &["content-type"]);
    assert_eq!(again.status, 409);

    // Download (ALB): 204, no body, the signed archive link.
    let expected = actix(&app, TestRequest::get().uri(DOWNLOAD).insert_header(bearer()).to_request()).await;
    assert_eq!(expected.status, 204);
    let answer = lambda(&registry, &LambdaOptions::default(), &fixture("alb.json")).await;
    assert_same(&answer, &expected, &["x-terraform-get", "content-type"]);
    let link = answer.header("x-terraform-get").unwrap().to_owned();
    assert!(link.starts_with("/v1/archives/") && link.contains("signature="), "{link}");

    // The link (function URL, no token): the archive as a binary body, the bytes the core gives.
    let (path, query) = split_link(&link);
    let expected = actix(&app, TestRequest::get().uri(&link).to_request()).await;
    assert_eq!(expected.status, 200);
    let event = without_header(v2(fixture("function-url.json"), "GET", path, query), "authorization");
    let answer = lambda(&registry, &LambdaOptions::default(), &event).await;
    assert_same(&answer, &expected, &["content-type", "cache-control"]);
    assert_eq!(answer.header("content-type"), Some("application/gzip"));
    let core =
        tfreg_testkit::send(&registry, http::Request::get(&link).body(bytes::Bytes::new()).unwrap()).await;
    assert_eq!(answer.body, core.body());
    assert!(answer.body.starts_with(&[0x1f, 0x8b]), "a gzip stream");

    // The same link through an ALB, whose query parameters lambda_http re-encodes.
    let event = without_header(alb(fixture("alb.json"), "GET", path, &query_pairs(query)), "authorization");
    assert_same(&lambda(&registry, &LambdaOptions::default(), &event).await, &expected, &["content-type"]);

    // HEAD: the GET's Content-Length, no body.
    let head = TestRequest::default().method(Method::HEAD).uri(&link).to_request();
    let expected = actix(&app, head).await;
    assert_eq!(expected.status, 200);
    assert_eq!(expected.length, Some(core.body().len() as u64));
    let event = without_header(v2(fixture("apigw-http-default.json"), "HEAD", path, query), "authorization");
    let answer = tfreg_lambda::handle(&registry, &LambdaOptions::default(), support::event(&event)).await;
    assert!(matches!(answer.body(), lambda_http::Body::Empty), "{:?}", answer.body());
    let answer = from_lambda(answer);
    assert_eq!(answer.header("content-length"), Some(core.body().len().to_string().as_str()));
    assert_same(&answer, &expected, &["content-type"]);

    // A tampered link is refused alike.
    let tampered = link.replace("signature=", "signature=AAAA");
    let (path, query) = split_link(&tampered);
    let expected = actix(&app, TestRequest::get().uri(&tampered).to_request()).await;
    assert_eq!(expected.status, 403);
    let event = v2(fixture("apigw-http-default.json"), "GET", path, query);
    assert_same(&lambda(&registry, &LambdaOptions::default(), &event).await, &expected, &["content-type"]);
}

#[actix_web::test]
async fn stage_prefixed_paths_reach_the_same_routes() {
    let registry = registry(RegistryConfig::default()).await;
    let app = actix_app!(registry);
    publish(&registry).await;
    let expected = actix(&app, TestRequest::get().uri(VERSIONS).insert_header(bearer()).to_request()).await;
    assert_eq!(expected.status, 200);

    for name in
        ["apigw-rest-live.json", "apigw-rest-live-stage-in-path.json", "apigw-http-live-stage-in-path.json"]
    {
        let event = fixture(name);
        let request = support::event(&event);
        assert!(request.uri().path().starts_with("/live/"), "lambda_http puts the stage in the URI");
        let answer = lambda(&registry, &LambdaOptions::default(), &event).await;
        assert_same(&answer, &expected, &["content-type"]);
    }

    // Without stripping, the stage is part of the path, which the core does not know.
    let options = LambdaOptions { strip_stage: false, ..LambdaOptions::default() };
    let answer = lambda(&registry, &options, &fixture("apigw-http-live-stage-in-path.json")).await;
    assert_eq!(answer.status, 404);
    assert!(answer.json()["errors"][0].as_str().unwrap().contains("/live/v1/modules"));

    // A REST API stage named like the first segment of the path: API Gateway has already taken
    // it off `path` (its `requestContext.path` still has it), so nothing more is taken.
    let mut event = rest(fixture("apigw-rest-live.json"), "GET", VERSIONS, &format!("/v1{VERSIONS}"), &[]);
    event["requestContext"]["stage"] = "v1".into();
    assert_same(&lambda(&registry, &LambdaOptions::default(), &event).await, &expected, &["content-type"]);
    // The same stage on an HTTP API keeps it in `rawPath`.
    let mut event = v2(fixture("apigw-http-live-stage-in-path.json"), "GET", &format!("/v1{VERSIONS}"), "");
    event["requestContext"]["stage"] = "v1".into();
    assert_same(&lambda(&registry, &LambdaOptions::default(), &event).await, &expected, &["content-type"]);
}

#[actix_web::test]
async fn links_lead_back_through_the_stage() {
    let registry = registry(RegistryConfig::default()).await;
    let app = actix_app!(registry);
    publish(&registry).await;
    let expected = actix(&app, TestRequest::get().uri(DOWNLOAD).insert_header(bearer()).to_request()).await;
    let plain_link = expected.header("x-terraform-get").unwrap().to_owned();
    // The archive as the core stores it (normalised, so not byte for byte the upload).
    let archive = actix(&app, TestRequest::get().uri(&plain_link).to_request()).await;
    assert_eq!(archive.status, 200);

    // Asked through the stage URL of a REST API, the link names the stage too.
    let event = rest(fixture("apigw-rest-live.json"), "GET", DOWNLOAD, &format!("/live{DOWNLOAD}"), &[]);
    let answer = lambda(&registry, &LambdaOptions::default(), &event).await;
    assert_eq!(answer.status, 204);
    let link = answer.header("x-terraform-get").unwrap().to_owned();
    assert_eq!(link, format!("/live{plain_link}"));

    // Following it through the stage URL gets the archive.
    let (client_path, query) = split_link(&link);
    let path = client_path.strip_prefix("/live").unwrap();
    let event = without_header(
        rest(fixture("apigw-rest-live.json"), "GET", path, client_path, &query_pairs(query)),
        "authorization",
    );
    let answer = lambda(&registry, &LambdaOptions::default(), &event).await;
    assert_same(&answer, &archive, &["content-type", "cache-control"]);

    // The same through an HTTP API's named stage.
    let event = v2(fixture("apigw-http-live-stage-in-path.json"), "GET", &format!("/live{DOWNLOAD}"), "");
    let answer = lambda(&registry, &LambdaOptions::default(), &event).await;
    assert_eq!(answer.header("x-terraform-get"), Some(link.as_str()));

    // A public URL makes header links absolute; links on the `$default` stage stay as they are.
    let options = LambdaOptions {
        public_url: Some("https://abc123defg.execute-api.eu-west-1.amazonaws.com/live/".into()),
        ..LambdaOptions::default()
    };
    let event = rest(fixture("apigw-rest-live.json"), "GET", DOWNLOAD, &format!("/live{DOWNLOAD}"), &[]);
    let answer = lambda(&registry, &options, &event).await;
    assert_eq!(
        answer.header("x-terraform-get").unwrap(),
        format!("https://abc123defg.execute-api.eu-west-1.amazonaws.com/live{plain_link}")
    );
    let answer = lambda(&registry, &LambdaOptions::default(), &fixture("alb.json")).await;
    assert_eq!(answer.header("x-terraform-get"), Some(plain_link.as_str()));
}

#[actix_web::test]
async fn bodies_over_the_limit_get_the_cores_413() {
    let registry = registry(RegistryConfig { max_upload_bytes: 1024, ..Default::default() }).await;
    let app = actix_app!(registry);
    let body = vec![0u8; 4096];
    let answer = lambda(&registry, &LambdaOptions::default(), &put_event(&body)).await;
    let put = TestRequest::put()
        .uri("/v1/modules/acme/vpc/aws/1.0.0")
        .insert_header(bearer())
        .set_payload(body)
        .to_request();
    let expected = actix(&app, put).await;
    assert_eq!(expected.status, 413);
    assert_same(&answer, &expected, &["content-type"]);
    let errors = answer.json()["errors"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].as_str().unwrap().contains("1024"), "{errors:?}");

    // At the limit exactly, the body reaches the core (which finds no module in zeros).
    let answer = lambda(&registry, &LambdaOptions::default(), &put_event(&[0u8; 1024])).await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);
}

#[actix_web::test]
async fn rest_and_alb_query_parameters_reach_the_core() {
    let registry = registry(RegistryConfig::default()).await;
    let app = actix_app!(registry);
    publish(&registry).await;
    // A second publish of the version is a 409, so the audit trail has two entries.
    let again = lambda(&registry, &LambdaOptions::default(), &put_event(&module())).await;
    assert_eq!(again.status, 409);

    let expected =
        actix(&app, TestRequest::get().uri("/v1/audit?limit=1").insert_header(bearer()).to_request()).await;
    assert_eq!(expected.status, 200);
    assert_eq!(expected.json()["entries"].as_array().unwrap().len(), 1);
    let event =
        rest(fixture("apigw-rest-live.json"), "GET", "/v1/audit", "/live/v1/audit", &[("limit", "1")]);
    assert_same(&lambda(&registry, &LambdaOptions::default(), &event).await, &expected, &["content-type"]);
    let event = alb(fixture("alb.json"), "GET", "/v1/audit", &[("limit", "1")]);
    assert_same(&lambda(&registry, &LambdaOptions::default(), &event).await, &expected, &["content-type"]);

    // The cursor of the next page, through the REST API.
    let next = expected.json()["next"].as_str().unwrap().to_owned();
    let uri = format!("/v1/audit?limit=1&after={next}");
    let expected = actix(&app, TestRequest::get().uri(&uri).insert_header(bearer()).to_request()).await;
    assert_eq!(expected.status, 200);
    let query = [("limit", "1"), ("after", next.as_str())];
    let event = rest(fixture("apigw-rest-live.json"), "GET", "/v1/audit", "/live/v1/audit", &query);
    assert_same(&lambda(&registry, &LambdaOptions::default(), &event).await, &expected, &["content-type"]);
}

#[actix_web::test]
async fn errors_keep_their_headers() {
    let registry = registry(RegistryConfig::default()).await;
    let app = actix_app!(registry);
    let expected = actix(&app, TestRequest::post().uri(VERSIONS).insert_header(bearer()).to_request()).await;
    assert_eq!(expected.status, 405);
    let event = alb(fixture("alb.json"), "POST", VERSIONS, &[]);
    let answer = lambda(&registry, &LambdaOptions::default(), &event).await;
    assert_same(&answer, &expected, &["content-type", "allow"]);
    assert_eq!(answer.header("allow"), Some("GET, HEAD"));

    let expected = actix(&app, TestRequest::get().uri("/nowhere").to_request()).await;
    assert_eq!(expected.status, 404);
    let event = v2(fixture("apigw-http-default.json"), "GET", "/nowhere", "");
    assert_same(&lambda(&registry, &LambdaOptions::default(), &event).await, &expected, &["content-type"]);
}

#[actix_web::test]
async fn a_base_path_is_the_cores_business() {
    let config = RegistryConfig { base_path: "/registry".into(), ..Default::default() };
    let registry = registry(config).await;
    publish_under_base_path(&registry).await;
    // A custom domain mapping `registry` to the `live` stage: API Gateway sends `/registry/...`.
    let mut event = v2(fixture("apigw-http-default.json"), "GET", &format!("/registry{VERSIONS}"), "");
    event["headers"]["authorization"] = format!("Bearer {TOKEN}").into();
    event["requestContext"]["stage"] = "live".into();
    let answer = lambda(&registry, &LambdaOptions::default(), &event).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.json()["modules"][0]["versions"][0]["version"], "1.0.0");
}

async fn publish_under_base_path(registry: &tfreg_core::Registry) {
    let event = v2(put_event(&module()), "PUT", "/registry/v1/modules/acme/vpc/aws/1.0.0", "");
    let answer = lambda(registry, &LambdaOptions::default(), &event).await;
    assert_eq!(answer.status, 201, "{:?}", answer.body);
}

#[actix_web::test]
async fn an_upload_session_works_through_events() {
    let registry = registry(RegistryConfig::default()).await;
    let options = LambdaOptions::default();
    // Open a session: the upload URL is absolute, on the host and scheme the client used.
    let open = v2(put_event(b""), "POST", "/v1/uploads", "");
    let session = lambda(&registry, &options, &open).await;
    assert_eq!(session.status, 201, "{:?}", session.body);
    let session = session.json();
    let url = session["upload_url"].as_str().unwrap();
    let link = url.strip_prefix("https://registry.example.com").expect("absolute, on the request's host");
    // The file, as the base64 body of an event without a token: the signed URL is the proof.
    let archive = module();
    let (path, query) = split_link(link);
    let event = without_header(v2(put_event(&archive), "PUT", path, query), "authorization");
    let received = lambda(&registry, &options, &event).await;
    assert_eq!(received.status, 200, "{:?}", received.body);
    assert_eq!(received.json()["size"], archive.len());
    // Publish by naming the session, with an empty body.
    let id = session["id"].as_str().unwrap();
    let publish = v2(put_event(b""), "PUT", "/v1/modules/acme/vpc/aws/1.0.0", &format!("upload={id}"));
    let published = lambda(&registry, &options, &publish).await;
    assert_eq!(published.status, 201, "{:?}", published.body);
    let versions = v2(put_event(b""), "GET", VERSIONS, "");
    let versions = lambda(&registry, &options, &versions).await;
    assert_eq!(versions.json()["modules"][0]["versions"][0]["version"], "1.0.0");
}
