//! `/metrics`: the core's metrics (see `tfreg_core::observe`) in Prometheus' text format, with
//! the build's version as `tfreg_build_info`. Needs the master token unless
//! `--metrics-public`.

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The installed exporter and who may read it.
pub(crate) struct Metrics {
    handle: PrometheusHandle,
    /// The master token's SHA-256; `None` when anyone may read.
    master: Option<[u8; 32]>,
}

/// Installs the Prometheus recorder for the process.
pub(crate) fn install(public: bool, master: [u8; 32]) -> crate::Result<Arc<Metrics>> {
    let handle = PrometheusBuilder::new().install_recorder()?;
    metrics::gauge!("tfreg_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    Ok(Arc::new(Metrics { handle, master: (!public).then_some(master) }))
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
