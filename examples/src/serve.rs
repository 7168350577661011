//! `tfreg serve`: build the registry from the flags and run it.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_http::{HttpService, Protocol};
use actix_service::{fn_service, map_config, ServiceFactoryExt};
use actix_tls::accept::rustls_0_23::{Acceptor, TlsStream};
use actix_web::dev::AppConfig;
use actix_web::dev::Service;
use actix_web::{web, App};
use tfreg_core::auth::{MasterToken, RoleAuthorizer, TokenStore};
use tfreg_core::http::pace::BodyPace;
use tfreg_core::upstream::{Upstream, UpstreamConfig};
use tfreg_core::Registry;
use tfreg_core::RegistryConfig;
use tokio::net::TcpStream;

use crate::cli::ServeArgs;
use crate::http_errors::{BodilessAnswers, JsonErrors};
use crate::tls::{self, CertSource};
use crate::upstream_client::HttpUpstream;

/// Runs the server until Ctrl-C or SIGTERM.
pub(crate) fn run(args: ServeArgs) -> crate::Result<()> {
    let started = Instant::now();
    let workers = args.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    actix_web::rt::System::new().block_on(async move {
        let storage = Arc::new(tfreg_storage::from_url(&args.storage)?);
        let configured = std::env::var("TFREG_MASTER_TOKEN").ok().filter(|t| !t.is_empty());
        let master = MasterToken::bootstrap(storage.as_ref(), configured.as_deref()).await?;
        let provider_signing_key = match &args.provider_signing_key {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read the provider signing key {}: {e}", path.display()))?,
            ),
            None => None,
        };
        let config = RegistryConfig {
            base_path: args.base_path.clone(),
            hostnames: args.hostnames.clone(),
            provider_signing_key,
            public_url: args.public_url.clone(),
            max_upload_bytes: args.max_upload_bytes,
            max_session_upload_bytes: args.max_session_upload_bytes,
            upload_ttl: Duration::from_secs(args.upload_ttl_secs),
            cache_ttl: Duration::from_secs(args.cache_ttl_secs),
            download_flush: Duration::from_secs(args.download_flush_secs),
            ui_path: (!args.no_ui).then(|| args.ui_path.clone()),
            trusted_proxies: args.trusted_proxy.clone(),
            max_uploads: args.max_uploads,
            max_uploads_per_principal: args.max_uploads_per_principal,
            body_pace: BodyPace {
                idle_timeout: Duration::from_secs(args.body_idle_timeout_secs),
                min_bytes_per_second: args.body_min_rate,
                ..BodyPace::default()
            },
            ..RegistryConfig::default()
        };
        let mut tokens =
            TokenStore::with_cache_ttl(storage.clone(), Duration::from_secs(args.token_cache_ttl_secs));
        if args.refuse_legacy_tokens {
            tokens = tokens.refusing_legacy_tokens();
        }
        let mut builder = Registry::builder(storage).master_token(master.hash).tokens(Arc::new(tokens));
        if let Some(url) = &args.upstream {
            let config = UpstreamConfig {
                url: url.clone(),
                token: args.upstream_token.clone(),
                allow: args.proxy_allow.clone(),
                deny: args.proxy_deny.clone(),
                ttl: Duration::from_secs(args.upstream_ttl_secs),
            };
            builder = builder.upstream(Upstream::new(Arc::new(HttpUpstream::new()?), config)?);
        }
        builder = builder.source_fetcher(Arc::new(crate::import::Importer::from_args(&args)?));
        builder = crate::scm::configure(builder, &args)?;
        builder = crate::identity::configure(builder, &args)?;
        let registry = builder
            .authorizer(Arc::new(RoleAuthorizer::new(args.anonymous_read)))
            .config(config)
            .build()
            .await?;

        // Expired upload sessions are also swept as new ones open; this catches quiet periods.
        let sweeper = registry.clone();
        actix_web::rt::spawn(async move {
            // Not at start-up, which stays quick: sessions are also swept as new ones open.
            let first = actix_web::rt::time::Instant::now() + UPLOAD_SWEEP_INTERVAL;
            let mut tick = actix_web::rt::time::interval_at(first, UPLOAD_SWEEP_INTERVAL);
            loop {
                tick.tick().await;
                if let Err(err) = sweeper.sweep_uploads().await {
                    tracing::warn!(error = %err, "could not sweep expired upload sessions");
                }
            }
        });

        let metrics = crate::metrics_endpoint::install(args.metrics_public, master.hash)?;
        let metrics_server = match args.metrics_listen {
            Some(addr) => {
                let server = crate::metrics_endpoint::listener(addr, &metrics, &registry)?;
                let handle = server.handle();
                actix_web::rt::spawn(server);
                tracing::info!(%addr, "metrics are served on a separate listener");
                Some(handle)
            }
            None => None,
        };
        let max_connections = connection_limit(args.max_connections, workers);
        let per_worker = max_connections.div_ceil(workers);
        let base = registry.config().base_path.clone();
        let app_registry = registry.clone();
        let listener = std::net::TcpListener::bind(args.listen)
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let addr = listener.local_addr()?;
        let builder = actix_server::Server::build()
            .workers(workers)
            .max_concurrent_connections(per_worker)
            .shutdown_timeout(10);
        let (server, scheme, cert) = if args.plain_http {
            let server = builder.listen("tfreg", listener, move || {
                fn_service(|io: TcpStream| async move {
                    let _ = io.set_nodelay(NO_DELAY);
                    let peer = io.peer_addr().ok();
                    Ok::<_, ()>((JsonErrors::new(io, true), Protocol::Http1, peer))
                })
                .and_then(http_service(&app_registry, &base, &metrics))
            })?;
            (server, "http", None)
        } else {
            let (cert_path, key_path, source) = match (&args.tls_cert, &args.tls_key) {
                (Some(cert), Some(key)) => (cert.clone(), key.clone(), CertSource::Configured),
                _ => {
                    let dir = dev_cert_dir(&args.storage);
                    let (cert, key) = tls::development_cert(&dir)?;
                    (cert.clone(), key, CertSource::Development(cert))
                }
            };
            let certificate = tls::ReloadingCert::new(&cert_path, &key_path)?;
            reload_on_sighup(certificate.clone());
            let mut config = certificate.server_config()?;
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            actix_tls::accept::max_concurrent_tls_connect(per_worker.min(256));
            let server = builder.listen("tfreg", listener, move || {
                Acceptor::new(config.clone())
                    .map_init_err(|_| ())
                    .map_err(|_| ())
                    .and_then(fn_service(|io: TlsStream<TcpStream>| async move {
                        let h2 = io.get_ref().1.alpn_protocol() == Some(b"h2");
                        let _ = io.get_ref().0.set_nodelay(NO_DELAY);
                        let peer = io.get_ref().0.peer_addr().ok();
                        let protocol = if h2 { Protocol::Http2 } else { Protocol::Http1 };
                        Ok::<_, ()>((JsonErrors::new(io, !h2), protocol, peer))
                    }))
                    .and_then(http_service(&app_registry, &base, &metrics))
            })?;
            (server, "https", Some(source))
        };

        print_banner(&args, scheme, addr, cert.as_ref(), master.generated.as_deref(), started.elapsed());
        tracing::info!(%addr, storage = %args.storage, "tfreg is serving");
        server.run().await?;
        if let Some(handle) = metrics_server {
            handle.stop(true).await;
        }
        // What was counted since the last write would be lost otherwise.
        if let Err(err) = registry.flush_downloads().await {
            tracing::warn!(error = %err, "could not write the last download counts");
        }
        tracing::info!("tfreg stopped");
        Ok(())
    })
}

/// `TCP_NODELAY` on every connection the server accepts (HTTPS and `--plain-http`): without it
/// every small HTTP/2 answer took ~44 ms (22 answers a second on one connection). The h2
/// dispatcher sends an answer as two writes, one TLS record with the headers and body, then one
/// with the empty frame that ends the stream; with Nagle's algorithm on, the kernel holds the
/// second back until the first is acknowledged, and the client delays that acknowledgement
/// (~40 ms on Linux) as it waits for the end of the stream. actix-web keeps the OS default (Nagle
/// on) unless told; told, it sets the option on each accepted socket.
const NO_DELAY: bool = true;

/// The HTTP service of one worker over connections of type `T`: the registry's routes behind
/// actix-http, with the head timeout. Every answer of the service is reported to the
/// connection's [`JsonErrors`], which must know the answers to `HEAD` to follow the framing.
/// Reads the certificate again on every `SIGHUP` (a renewal without a restart).
fn reload_on_sighup(certificate: Arc<tls::ReloadingCert>) {
    actix_web::rt::spawn(async move {
        let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP: the certificate is not reloaded");
            return;
        };
        while hangups.recv().await.is_some() {
            match certificate.reload() {
                Ok(()) => tracing::info!("reloaded the TLS certificate"),
                Err(err) => {
                    tracing::error!(error = %err, "could not reload the TLS certificate; still serving the old one")
                }
            }
        }
    });
}

fn http_service<T>(
    registry: &Registry,
    base: &str,
    metrics: &Arc<crate::metrics_endpoint::Metrics>,
) -> impl actix_service::ServiceFactory<
    (JsonErrors<T>, Protocol, Option<std::net::SocketAddr>),
    Config = (),
    Response = (),
    Error = (),
    InitError = (),
>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + 'static,
{
    let registry = registry.clone();
    let app = App::new()
        .app_data(web::Data::new(registry.clone()))
        .app_data(web::Data::new(metrics.clone()))
        .wrap_fn(|request, service| {
            let answers = request.conn_data::<BodilessAnswers>().cloned();
            let to_head = request.method() == actix_web::http::Method::HEAD;
            let answer = service.call(request);
            async move {
                let answer = answer.await;
                if let Some(answers) = answers {
                    answers.answered(to_head);
                }
                answer
            }
        })
        .service(tfreg_actix::discovery(registry.clone()))
        .route("/metrics", web::get().to(crate::metrics_endpoint::answer))
        .service(web::scope(base).configure(tfreg_actix::configure(registry)))
        // Paths outside the base path get the registry's JSON 404 too.
        .default_service(web::to(tfreg_actix::handle));
    HttpService::build()
        .client_request_timeout(HEAD_TIMEOUT)
        .on_connect_ext(|io: &JsonErrors<T>, data| {
            if let Some(answers) = io.bodiless_answers() {
                data.insert(answers);
            }
        })
        .finish(map_config(app, |_| AppConfig::default()))
        .map_err(|_| ())
        .map_init_err(|_| ())
}

/// How long a client has to send a request's head once connected (408 after).
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// The connection limit: `configured`, or what the open-file limit allows once raised to its
/// hard limit, less a reserve for the files the store opens; at least one per worker.
fn connection_limit(configured: Option<usize>, workers: usize) -> usize {
    let limit = configured.unwrap_or_else(|| {
        let files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
        let files = usize::try_from(files).unwrap_or(usize::MAX).min(1 << 20);
        files - (files / 4).max(256).min(files / 2)
    });
    tracing::info!(max_connections = limit, "connection limit");
    limit.max(workers)
}

/// How often the server sweeps expired upload sessions.
const UPLOAD_SWEEP_INTERVAL: Duration = Duration::from_secs(600);

/// Where the development certificate lives: beside the data for file storage, otherwise in
/// `./tfreg-tls`.
fn dev_cert_dir(storage: &str) -> PathBuf {
    match storage.strip_prefix("file://") {
        Some(path) if !path.is_empty() => PathBuf::from(path).join("tls"),
        _ => PathBuf::from("tfreg-tls"),
    }
}

fn print_banner(
    args: &ServeArgs,
    scheme: &str,
    addr: std::net::SocketAddr,
    cert: Option<&CertSource>,
    generated_token: Option<&str>,
    startup: Duration,
) {
    let host =
        if addr.ip().is_unspecified() { format!("127.0.0.1:{}", addr.port()) } else { addr.to_string() };
    let mut out = String::new();
    out += &format!(
        "tfreg {} listening on {scheme}://{addr} (ready in {:.1} ms)\n",
        env!("CARGO_PKG_VERSION"),
        startup.as_secs_f64() * 1000.0
    );
    out += &format!("  storage: {}\n", args.storage);
    let mut cacert = String::new();
    if let Some(CertSource::Development(path)) = cert {
        let path = path.canonicalize().unwrap_or_else(|_| path.clone());
        out += &format!("  TLS: self-signed development certificate {}\n", path.display());
        out += &format!(
            "       trust it (Terraform and the tfreg client read it): export SSL_CERT_FILE={}\n",
            path.display()
        );
        cacert = format!("--cacert {} ", path.display());
    }
    match generated_token {
        Some(token) => {
            out += "\nA master token was generated. It is shown only this once and stored only as a hash:\n";
            out += &format!("  export TFREG_MASTER_TOKEN={token}\n");
        }
        None => out += "\nMaster token: from TFREG_MASTER_TOKEN, or the one printed on the first start.\n",
    }
    let base = args.base_path.trim_end_matches('/');
    out += &format!(
        "\nTry it:\n  curl {cacert}-H \"Authorization: Bearer $TFREG_MASTER_TOKEN\" {scheme}://{host}{base}/v1/modules\n"
    );
    out += &format!(
        "  tfreg login {host} --token \"$TFREG_MASTER_TOKEN\"   # Terraform uses this sign-in too\n"
    );
    out += &format!(
        "  tfreg publish module DIR --registry {host} --address NAMESPACE/NAME/SYSTEM --version 1.0.0\n"
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
}
