//! `/metrics`: the core's metrics (see `tfreg_core::observe`) in Prometheus' text format, with
//! the build's version as `tfreg_build_info`. Needs the master token unless
//! `--metrics-public`.

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The buckets of every duration histogram, in seconds: fixed, so memory stays the same however
/// many requests are measured between scrapes.
const SECONDS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// How often the exporter's upkeep runs (it would otherwise run only when scraped).
const UPKEEP: std::time::Duration = std::time::Duration::from_secs(5);

/// The installed exporter and who may read it.
pub(crate) struct Metrics {
    handle: PrometheusHandle,
    /// The master token's SHA-256; `None` when anyone may read.
    master: Option<[u8; 32]>,
}

/// Installs the Prometheus recorder for the process, with its upkeep on the running actix
/// system.
pub(crate) fn install(public: bool, master: [u8; 32]) -> crate::Result<Arc<Metrics>> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &SECONDS)?
        .install_recorder()?;
    let upkeep = handle.clone();
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(UPKEEP);
        loop {
            tick.tick().await;
            upkeep.run_upkeep();
        }
    });
    metrics::gauge!("tfreg_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    Ok(Arc::new(Metrics { handle, master: (!public).then_some(master) }))
}

/// The separate listener of `--metrics-listen`: `/metrics` over plain HTTP, without a token,
/// and the registry's `/healthz` and `/readyz` for probes; the server to start beside the main
/// one.
pub(crate) fn listener(
    addr: std::net::SocketAddr,
    metrics: &Arc<Metrics>,
    registry: &tfreg_core::Registry,
) -> crate::Result<actix_web::dev::Server> {
    let open = Arc::new(Metrics { handle: metrics.handle.clone(), master: None });
    let registry = registry.clone();
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(web::Data::new(open.clone()))
            .app_data(web::Data::new(registry.clone()))
            .route("/metrics", web::get().to(answer))
            .route("/healthz", web::get().to(tfreg_actix::handle))
            .route("/readyz", web::get().to(tfreg_actix::handle))
    })
    .workers(1)
    .disable_signals()
    .bind(addr)
    .map_err(|e| format!("cannot listen on {addr} for metrics: {e}"))?
    .run();
    Ok(server)
}

/// `GET /metrics`
pub(crate) async fn answer(request: HttpRequest, metrics: web::Data<Arc<Metrics>>) -> HttpResponse {
    if let Some(master) = metrics.master {
        let token = request
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if token.map(tfreg_core::auth::hash_token) != Some(master) {
            let body = tfreg_core::protocol::Errors {
                errors: vec![
                    "the metrics need the master token (or start the server with --metrics-public)".into()
                ],
            };
            return HttpResponse::Unauthorized().insert_header(("www-authenticate", "Bearer")).json(body);
        }
    }
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(metrics.handle.render())
}
