//! `tfreg`: the registry as one binary. `tfreg serve` runs it over HTTPS on local storage by
//! default; see `tfreg serve --help`.

mod cli;
mod client;
mod fsck;
mod http_errors;
mod identity;
mod import;
mod lifecycle;
mod metrics_endpoint;
mod mirror_import;
mod oidc_http;
mod reindex;
mod scm;
mod serve;
mod tls;
mod upstream_client;

use clap::Parser;

/// Logs to stderr, filtered by `TFREG_LOG` (`info` by default; `tfreg::access=off` silences
/// the access log), as text (coloured only on a terminal) or JSON lines.
fn init_logs(format: cli::LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_env("TFREG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        cli::LogFormat::Json => logs.json().init(),
        cli::LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}

/// Errors of the binary: boxed, with `?` from anything.
pub(crate) type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn main() {
    let cli = cli::Cli::parse();
    init_logs(cli.log_format);
    let result = match cli.command {
        cli::Command::Serve(args) => serve::run(*args),
        cli::Command::Mirror(cli::MirrorCommand::Import(args)) => mirror_import::run(args),
        cli::Command::Login(args) => client::login(args),
        cli::Command::Logout(args) => client::logout(args),
        cli::Command::Publish(command) => client::publish(command),
        cli::Command::Token(command) => client::admin::token(command),
        cli::Command::Pin(command) => client::admin::pin(command),
        cli::Command::Audit(args) => client::admin::audit(args),
        cli::Command::Source(command) => client::sources::source(command),
        cli::Command::Github(command) => client::sources::github(command),
        cli::Command::Deliveries(args) => client::sources::deliveries(args),
        cli::Command::Health(args) => client::health::run(args),
        cli::Command::Reindex(args) => reindex::run(args).map(|code| std::process::exit(code)),
        cli::Command::Module(command) => lifecycle::run(command, false),
        cli::Command::Provider(command) => lifecycle::run(command, true),
        cli::Command::Fsck(args) => match fsck::run(args) {
            Ok(code) => std::process::exit(code),
            Err(err) => {
                eprintln!("tfreg fsck: {err}");
                std::process::exit(fsck::EXIT_ERROR);
            }
        },
    };
    if let Err(err) = result {
        eprintln!("tfreg: {err}");
        std::process::exit(1);
    }
}
