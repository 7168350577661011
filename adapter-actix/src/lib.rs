//! # tfreg-actix
//!
//! Mounts a [`tfreg_core::Registry`] into any actix-web `App`, beside the host's own routes:
//!
//! ```no_run
//! # async fn demo(registry: tfreg_core::Registry) -> std::io::Result<()> {
//! use actix_web::{web, App, HttpServer};
//!
//! // The registry was built with `RegistryConfig { base_path: "/registry".into(), .. }`.
//! HttpServer::new(move || {
//!     App::new()
//!         .service(tfreg_actix::discovery(registry.clone()))
//!         .service(web::scope("/registry").configure(tfreg_actix::configure(registry.clone())))
//!         .route("/healthz", web::get().to(|| async { "ok" }))
//! })
//! .bind(("127.0.0.1", 8080))?
//! .run()
//! .await
//! # }
//! ```
//!
//! Terraform looks for service discovery at the root of the host, whatever the base path, so
//! [`discovery`] is mounted on the `App` itself. actix-web 4 uses `http` 0.2 types; this crate
//! converts method, URI, headers and status to and from the `http` 1 types of the core, and
//! hands request bodies over as streams: the core reads ordinary ones only up to
//! [`Registry::max_body_bytes`] and streams uploads to the store.

mod convert;

use actix_web::{web, HttpRequest, HttpResponse, Resource};
use tfreg_core::http::router::DISCOVERY_PATH;
use tfreg_core::Registry;

/// Mounts every registry route into a scope (or an app at its root): use with
/// `web::scope(base_path).configure(configure(registry))`, where `base_path` is the
/// registry's [`RegistryConfig::base_path`](tfreg_core::RegistryConfig::base_path).
pub fn configure(registry: Registry) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        // A default service rather than a `/{tail:.*}` resource: no pattern to match per request.
        cfg.app_data(web::Data::new(registry)).default_service(web::to(handle));
    }
}

/// The service discovery document at `/.well-known/terraform.json`; mount it on the `App`.
pub fn discovery(registry: Registry) -> Resource {
    web::resource(DISCOVERY_PATH).app_data(web::Data::new(registry)).to(handle)
}

/// Answers one request with the registry in the app data: convert, hand the body over as a
/// stream (the core reads ordinary bodies up to its limit and streams uploads to the store, so
/// a large upload is never held in memory), convert back. Use it directly to mount the
/// registry some other way.
pub async fn handle(
    registry: web::Data<Registry>,
    request: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let head = request.method() == actix_web::http::Method::HEAD;
    let has_body = convert::has_body(&request);
    let payload = convert::Tracked::new(payload);
    let tracked = payload.share();
    let request = match convert::request(&request, payload) {
        Ok(request) => request,
        Err(err) => return convert::response(err.into_response(), head),
    };
    let response = convert::response(registry.handle_streamed(request).await, head);
    // Answered before the body ended (refused, or given up): have the connection closed after
    // the answer rather than wait for the rest, which a hostile client may never send.
    convert::holding(response, tracked.unread().filter(|_| has_body))
}
