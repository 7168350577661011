//! `tfreg`: the registry as one binary. `tfreg serve` runs it over HTTPS on local storage by
//! default; see `tfreg serve --help`.

mod cli;
mod fsck;
mod http_errors;
mod lifecycle;
mod mirror_import;
mod reindex;
mod serve;
mod tls;
mod upstream_client;

use clap::Parser;

/// Errors of the binary: boxed, with `?` from anything.
pub(crate) type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TFREG_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = cli::Cli::parse();
    let result = match cli.command {
        cli::Command::Serve(args) => serve::run(*args),
        cli::Command::Mirror(cli::MirrorCommand::Import(args)) => mirror_import::run(args),
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
