//! `tfreg source add|list|sync|remove`, `tfreg github sync` and `tfreg deliveries`: publishing
//! from source control from the command line (see the README's "Publishing from GitHub, GitLab
//! and Bitbucket"), with the token `tfreg login` stored.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::admin::{compact, lines, run, Call, Target};

/// `tfreg source ...`
#[derive(Debug, Subcommand)]
pub(crate) enum SourceCommand {
    /// Registers a repository whose tags publish through its own webhook; prints the hook URL
    /// (and the secret, when the registry made it) to give the host.
    ///
    /// Example: `tfreg source add --registry registry.example.com --kind gitlab --namespace acme --repository acme/terraform-aws-network --access-token-file token`
    Add {
        #[command(flatten)]
        target: Target,
        /// `github`, `gitlab`, `bitbucket` (Cloud) or `bitbucket-server` (Data Center).
        #[arg(long)]
        kind: String,
        /// The namespace its modules are published in.
        #[arg(long)]
        namespace: String,
        /// The repository's full path (`acme/terraform-aws-network`).
        #[arg(long)]
        repository: String,
        /// A file holding the webhook secret (none: the registry makes one).
        #[arg(long)]
        secret_file: Option<PathBuf>,
        /// A file holding the access token the registry reads tags and archives with.
        #[arg(long)]
        access_token_file: Option<PathBuf>,
        /// The host's API root (GitHub Enterprise Server, self-managed GitLab, Bitbucket Data
        /// Center).
        #[arg(long)]
        api_url: Option<String>,
        /// The modules of a monorepo as JSON: `[{"name": "network", "system": "aws", "path":
        /// "modules/network", "tag_pattern": "network-v{version}"}]`.
        #[arg(long)]
        modules: Option<String>,
    },
    /// Lists the sources in namespaces the token may publish to.
    List {
        #[command(flatten)]
        target: Target,
    },
    /// Publishes every version tag of a source not published yet (missed deliveries).
    Sync {
        #[command(flatten)]
        target: Target,
        /// The source's id.
        id: String,
    },
    /// Removes a source: its hook stops working; what it published stays.
    Remove {
        #[command(flatten)]
        target: Target,
        /// The source's id.
        id: String,
    },
}

/// `tfreg github ...`
#[derive(Debug, Subcommand)]
pub(crate) enum GithubCommand {
    /// Reads a GitHub App installation's repositories and tags again and publishes what is
    /// missing (deliveries that never arrived).
    ///
    /// Example: `tfreg github sync 4242 --registry registry.example.com`
    Sync {
        #[command(flatten)]
        target: Target,
        /// The installation's id (in the URL of its settings page on GitHub).
        installation: u64,
    },
}

/// `tfreg deliveries`
#[derive(Debug, Args)]
pub(crate) struct DeliveriesArgs {
    #[command(flatten)]
    target: Target,
    /// How many, newest first.
    #[arg(long, default_value_t = 50)]
    limit: usize,
}

fn read_secret(path: &PathBuf, what: &str) -> crate::Result<String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))?;
    Ok(text.trim().to_owned())
}

/// What a sync or a delivery did, a line per version.
fn results(answer: &Value) -> String {
    lines(&answer["results"], |r| {
        format!(
            "{:<10} {} {}  {}",
            r["outcome"].as_str().unwrap_or("?"),
            r["target"].as_str().unwrap_or(""),
            r["version"].as_str().unwrap_or(""),
            r["message"].as_str().unwrap_or("")
        )
    })
}

/// `tfreg source ...`
pub(crate) fn source(command: SourceCommand) -> crate::Result<()> {
    match command {
        SourceCommand::Add {
            target,
            kind,
            namespace,
            repository,
            secret_file,
            access_token_file,
            api_url,
            modules,
        } => {
            let modules: Option<Value> = modules
                .map(|m| serde_json::from_str(&m).map_err(|e| format!("--modules is not JSON: {e}")))
                .transpose()?;
            let body = json!({
                "kind": kind,
                "namespace": namespace,
                "repository": repository,
                "secret": secret_file.map(|f| read_secret(&f, "secret file")).transpose()?,
                "access_token": access_token_file.map(|f| read_secret(&f, "access token file")).transpose()?,
                "api_url": api_url,
                "modules": modules,
            });
            let call = Call { method: reqwest::Method::POST, path: "sources".into(), body: Some(body) };
            run(&target, call, |s| {
                let mut text = format!(
                    "source {}\nhook URL: {}\n",
                    s["id"].as_str().unwrap_or("?"),
                    s["hook_url"].as_str().unwrap_or("?")
                );
                if let Some(secret) = s["secret"].as_str() {
                    text.push_str(&format!("secret (shown once): {secret}\n"));
                }
                text.push_str(&format!("modules: {}\n", compact(&s["modules"])));
                text
            })
        }
        SourceCommand::List { target } => {
            let call = Call { method: reqwest::Method::GET, path: "sources".into(), body: None };
            run(&target, call, |t| {
                lines(&t["sources"], |s| {
                    format!(
                        "{}  {:<16} {:<12} {}  {}",
                        s["id"].as_str().unwrap_or("?"),
                        s["kind"].as_str().unwrap_or("?"),
                        s["namespace"].as_str().unwrap_or("?"),
                        s["repository"].as_str().unwrap_or("?"),
                        s["hook_url"].as_str().unwrap_or("?")
                    )
                })
            })
        }
        SourceCommand::Sync { target, id } => {
            let call = Call { method: reqwest::Method::POST, path: format!("sources/{id}/sync"), body: None };
            run(&target, call, results)
        }
        SourceCommand::Remove { target, id } => {
            let call = Call { method: reqwest::Method::DELETE, path: format!("sources/{id}"), body: None };
            run(&target, call, |_| format!("removed source {id}\n"))
        }
    }
}

/// `tfreg github ...`
pub(crate) fn github(command: GithubCommand) -> crate::Result<()> {
    match command {
        GithubCommand::Sync { target, installation } => {
            let path = format!("github/installations/{installation}/sync");
            run(&target, Call { method: reqwest::Method::POST, path, body: None }, results)
        }
    }
}

/// `tfreg deliveries`
pub(crate) fn deliveries(args: DeliveriesArgs) -> crate::Result<()> {
    let call = Call {
        method: reqwest::Method::GET,
        path: format!("webhooks/deliveries?limit={}", args.limit),
        body: None,
    };
    run(&args.target, call, |t| {
        lines(&t["deliveries"], |d| {
            format!(
                "{}  {:<10} {:<8} {:<32} {}  {}",
                d["received_at"].as_str().unwrap_or("?"),
                d["via"].as_str().unwrap_or("?"),
                d["status"].as_str().unwrap_or("?"),
                d["event"].as_str().unwrap_or("?"),
                d["id"].as_str().unwrap_or("?"),
                d["message"].as_str().unwrap_or("")
            )
        })
    })
}
