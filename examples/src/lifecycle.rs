//! `tfreg module|provider deprecate|undeprecate|yank|unyank|delete`: lifecycle changes made
//! on the store directly, recorded in the audit trail in the name of `--actor` (by default
//! `cli:$USER`). Servers on the same store see them within their cache TTL.

use std::sync::Arc;

use bytes::Bytes;
use clap::{Args, Subcommand};
use tfreg_core::lifecycle::{Change, Step, Subject};
use tfreg_core::types::{ModuleAddress, ProviderAddress, Version};
use tfreg_core::Registry;

/// What to do to a version.
#[derive(Debug, Subcommand)]
pub(crate) enum VersionCommand {
    /// Marks a version deprecated: it stays installable, and the detail API (for providers
    /// also `terraform init`) shows the message.
    Deprecate {
        #[command(flatten)]
        target: Target,
        /// Why, and what to use instead.
        #[arg(long)]
        message: String,
        /// Where to read more (https://...).
        #[arg(long)]
        link: Option<String>,
    },
    /// Removes a deprecation.
    Undeprecate {
        #[command(flatten)]
        target: Target,
    },
    /// Takes a version out of the versions list, so no new resolution picks it; configurations
    /// and lock files that name it still download it.
    Yank {
        #[command(flatten)]
        target: Target,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Puts a yanked version back.
    Unyank {
        #[command(flatten)]
        target: Target,
    },
    /// Deletes a version and its stored objects, for good.
    Delete {
        #[command(flatten)]
        target: Target,
        /// Confirms the deletion.
        #[arg(long)]
        yes: bool,
    },
}

/// The version a command applies to, and where it is kept.
#[derive(Debug, Args)]
pub(crate) struct Target {
    /// `NAMESPACE/NAME/SYSTEM` of a module, `NAMESPACE/TYPE` of a provider.
    address: String,
    /// The version.
    version: String,
    /// The store (the one `tfreg serve` uses).
    #[arg(long, env = "TFREG_STORAGE", default_value = "file://./tfreg-data")]
    storage: String,
    /// Who the audit trail names as making the change (default `cli:$USER`).
    #[arg(long)]
    actor: Option<String>,
}

/// Runs a lifecycle command on a module (`provider` false) or a provider.
pub(crate) fn run(command: VersionCommand, provider: bool) -> crate::Result<()> {
    let (target, step, body) = match command {
        VersionCommand::Deprecate { target, message, link } => {
            (target, Step::Deprecate, serde_json::json!({ "message": message, "link": link }))
        }
        VersionCommand::Undeprecate { target } => (target, Step::Undeprecate, serde_json::Value::Null),
        VersionCommand::Yank { target, reason } => {
            (target, Step::Yank, serde_json::json!({ "reason": reason }))
        }
        VersionCommand::Unyank { target } => (target, Step::Unyank, serde_json::Value::Null),
        VersionCommand::Delete { target, yes } => {
            if !yes {
                return Err(
                    "deleting removes the version and its files for good: add --yes to confirm".into()
                );
            }
            (target, Step::Delete, serde_json::Value::Null)
        }
    };
    // The same checks as the API's request bodies.
    let change = Change::parse(step, &Bytes::from(serde_json::to_vec(&body)?))?;
    let subject = subject(&target.address, provider)?;
    let version = Version::parse(&target.version)?;
    let actor = target
        .actor
        .clone()
        .unwrap_or_else(|| format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".into())));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let storage = Arc::new(tfreg_storage::from_url(&target.storage)?);
        let registry = Registry::builder(storage).build().await?;
        let answer = registry.change_version(&actor, &subject, &version, &change).await?;
        match answer.into_body().collect().await? {
            body if body.is_empty() => println!("{} {subject} {version}: done", step.verb()),
            body => println!("{}", String::from_utf8_lossy(&body)),
        }
        Ok(())
    })
}

fn subject(address: &str, provider: bool) -> crate::Result<Subject> {
    let parts: Vec<&str> = address.split('/').collect();
    Ok(match (provider, parts.as_slice()) {
        (false, [ns, name, system]) => Subject::Module(ModuleAddress::parse(ns, name, system)?),
        (true, [ns, ty]) => Subject::Provider(ProviderAddress::local(ns, ty)?),
        (false, _) => return Err(format!("{address:?} is not NAMESPACE/NAME/SYSTEM").into()),
        (true, _) => return Err(format!("{address:?} is not NAMESPACE/TYPE").into()),
    })
}
