//! `tfreg reindex`: reads every module version's documentation again from its archive and
//! rebuilds the module and provider catalogues from the version indexes, on the store directly
//! (see `Registry::reindex`). Prints what it did as JSON; exits 1 when some documentation could
//! not be read.

use std::sync::Arc;

use clap::Args;
use tfreg_core::Registry;

/// The settings of `tfreg reindex`.
#[derive(Debug, Args, Clone)]
pub(crate) struct ReindexArgs {
    /// The store (the one `tfreg serve` uses).
    #[arg(long, env = "TFREG_STORAGE", default_value = "file://./tfreg-data")]
    pub(crate) storage: String,
}

/// Reindexes the store; the exit code.
pub(crate) fn run(args: ReindexArgs) -> crate::Result<i32> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let storage = Arc::new(tfreg_storage::from_url(&args.storage)?);
        let registry = Registry::builder(storage).build().await?;
        let report = registry.reindex().await?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        Ok(if report.docs_failed.is_empty() { 0 } else { 1 })
    })
}
