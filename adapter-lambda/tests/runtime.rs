//! `tfreg_lambda::run` under a stand-in for the Lambda Runtime API on localhost: events go in as
//! the runtime hands them out, and the JSON the function posts back is what API Gateway, an ALB
//! or a function URL would read (binary bodies base64-encoded, every header kept).
//!
//! A test binary of its own: it sets the process's `AWS_LAMBDA_*` variables.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;
use tfreg_core::RegistryConfig;
use tfreg_lambda::LambdaOptions;
use tokio::sync::{mpsc, Mutex};

use support::*;

/// The stand-in's state: events waiting to be handed out, and where the function's answers go.
struct RuntimeApi {
    events: Mutex<mpsc::UnboundedReceiver<(String, Value)>>,
    answers: mpsc::UnboundedSender<(String, String, Value)>,
}

/// `GET /2018-06-01/runtime/invocation/next`: waits for an event.
async fn next(api: web::Data<RuntimeApi>) -> HttpResponse {
    let Some((id, event)) = api.events.lock().await.recv().await else {
        return HttpResponse::InternalServerError().finish();
    };
    let deadline = SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(60);
    HttpResponse::Ok()
        .insert_header(("content-type", "application/json"))
        .insert_header(("lambda-runtime-aws-request-id", id))
        .insert_header(("lambda-runtime-deadline-ms", deadline.as_millis().to_string()))
        .insert_header((
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:eu-west-1:123456789012:function:tfreg",
        ))
        .body(event.to_string())
}

/// `POST /2018-06-01/runtime/invocation/{id}/{response|error}` and `.../init/error`.
async fn answer(api: web::Data<RuntimeApi>, request: HttpRequest, body: web::Bytes) -> HttpResponse {
    let kind = request.match_info().get("kind").unwrap_or("init-error").to_owned();
    let id = request.match_info().get("id").unwrap_or("").to_owned();
    let value = serde_json::from_slice(&body).unwrap_or(Value::String(String::from_utf8_lossy(&body).into()));
    let _ = api.answers.send((id, kind, value));
    HttpResponse::Accepted().finish()
}

/// The test's end of the stand-in: events in, answers (request id, kind, body) out.
struct Function {
    events: mpsc::UnboundedSender<(String, Value)>,
    answers: mpsc::UnboundedReceiver<(String, String, Value)>,
}

impl Function {
    /// Hands the function an event with this request id and waits for its answer.
    async fn invoke(&mut self, id: &str, event: Value) -> Value {
        self.events.send((id.to_owned(), event)).unwrap();
        let (answered, kind, value) =
            tokio::time::timeout(Duration::from_secs(30), self.answers.recv()).await.unwrap().unwrap();
        assert_eq!((answered.as_str(), kind.as_str()), (id, "response"), "{value}");
        value
    }
}

#[actix_web::test]
async fn the_runtime_loop_answers_events_as_lambda_expects() {
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let (answer_tx, answer_rx) = mpsc::unbounded_channel();
    let api = web::Data::new(RuntimeApi { events: Mutex::new(event_rx), answers: answer_tx });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(api.clone())
            .route("/2018-06-01/runtime/invocation/next", web::get().to(next))
            .route("/2018-06-01/runtime/invocation/{id}/{kind}", web::post().to(answer))
            .route("/2018-06-01/runtime/init/error", web::post().to(answer))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    actix_rt::spawn(server.run());

    std::env::set_var("AWS_LAMBDA_RUNTIME_API", addr.to_string());
    std::env::set_var("AWS_LAMBDA_FUNCTION_NAME", "tfreg");
    std::env::set_var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512");
    std::env::set_var("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
    let registry = registry(RegistryConfig { max_upload_bytes: 4096, ..Default::default() }).await;
    let running = registry.clone();
    actix_rt::spawn(async move {
        let result = tfreg_lambda::run(running, LambdaOptions::default()).await;
        panic!("the runtime loop ended: {result:?}");
    });

    let mut function = Function { events: event_tx, answers: answer_rx };

    // Upload through an HTTP API: 201 and a JSON body sent as text.
    let archive = module();
    let answer = function.invoke("put", put_event(&archive)).await;
    assert_eq!(answer["statusCode"], 201, "{answer}");
    assert_eq!(answer["isBase64Encoded"], false);
    assert_eq!(answer["headers"]["content-type"], "application/json");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["version"], "1.0.0");

    // Download through a REST API stage URL: 204, the link in `multiValueHeaders` with the stage.
    let download = "/v1/modules/acme/vpc/aws/1.0.0/download";
    let event = rest(fixture("apigw-rest-live.json"), "GET", download, &format!("/live{download}"), &[]);
    let answer = function.invoke("download", event).await;
    assert_eq!(answer["statusCode"], 204, "{answer}");
    let link = answer["multiValueHeaders"]["x-terraform-get"][0].as_str().unwrap().to_owned();
    assert!(link.starts_with("/live/v1/archives/"), "{link}");

    // The archive through the function URL: binary, so base64 with `isBase64Encoded`.
    let (path, query) = split_link(link.strip_prefix("/live").unwrap());
    let event = without_header(v2(fixture("function-url.json"), "GET", path, query), "authorization");
    let answer = function.invoke("archive", event).await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert_eq!(answer["isBase64Encoded"], true);
    assert_eq!(answer["headers"]["content-type"], "application/gzip");
    let sent = STANDARD.decode(answer["body"].as_str().unwrap()).unwrap();
    let core = tfreg_testkit::send(
        &registry,
        http::Request::get(path.to_owned() + "?" + query).body(bytes::Bytes::new()).unwrap(),
    );
    assert_eq!(sent, core.await.body().as_ref());

    // Over the limit through an ALB: the core's 413, with the ALB's status description.
    let limit = registry.max_body_bytes() as usize;
    let mut event = alb(fixture("alb.json"), "PUT", "/v1/modules/acme/vpc/aws/2.0.0", &[]);
    event["body"] = STANDARD.encode(vec![0u8; limit + 1]).into();
    event["isBase64Encoded"] = true.into();
    let answer = function.invoke("too-large", event).await;
    assert_eq!(answer["statusCode"], 413, "{}", answer["statusDescription"]);
    assert_eq!(answer["statusDescription"], "413 Payload Too Large");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert!(body["errors"][0].as_str().unwrap().contains(&limit.to_string()));
}
