//! `tfreg health [URL]`: a probe for container health checks and scripts, where no curl is
//! at hand. Exits 0 when the URL answers 2xx, 1 otherwise.

use std::time::Duration;

use clap::Args;

/// `tfreg health`.
#[derive(Debug, Args)]
pub(crate) struct HealthArgs {
    /// What to ask: `/readyz` (the store answers) or `/healthz` (the process answers) of the
    /// server, best on the plain-HTTP `--metrics-listen` address, which serves both.
    ///
    /// Example: `tfreg health http://127.0.0.1:9464/readyz`
    #[arg(default_value = "http://127.0.0.1:9464/readyz")]
    url: String,
    /// How long to wait for the answer, in seconds.
    #[arg(long, default_value_t = 5)]
    timeout_secs: u64,
    #[command(flatten)]
    tls: super::Tls,
}

/// Asks once; an error (and exit code 1) unless the answer is 2xx.
pub(crate) fn run(args: HealthArgs) -> crate::Result<()> {
    super::runtime()?.block_on(async {
        let client = args.tls.client(Duration::from_secs(args.timeout_secs))?;
        let answer = client.get(&args.url).send().await?;
        let status = answer.status();
        let body = answer.text().await.unwrap_or_default();
        if status.is_success() {
            println!("{status} {}", body.trim());
            Ok(())
        } else {
            Err(format!("{} answered {status}: {}", args.url, body.trim()).into())
        }
    })
}
