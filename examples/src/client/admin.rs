//! `tfreg token create|list|revoke`, `tfreg pin add|list|remove` and `tfreg audit`: the
//! registry's administration API from the command line, with the token `tfreg login` stored
//! (a master token for these). Each prints what the registry answered, as JSON with
//! `--output json`, else in lines for people.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;

use super::{credentials, runtime, Remote, Tls};

/// Where and how an administration command talks.
#[derive(Debug, Args)]
pub(crate) struct Target {
    /// The registry's host (with its port).
    #[arg(long, env = "TFREG_REGISTRY")]
    registry: String,
    /// How to print the answer.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    output: Output,
    #[command(flatten)]
    tls: Tls,
}

/// The forms of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// Lines for people.
    Text,
    /// The registry's JSON.
    Json,
}

/// `tfreg token ...`
#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Issues a token; prints it once.
    ///
    /// Example: `tfreg token create --registry registry.example.com --tier uploader --namespace acme --days 90 --description ci`
    Create {
        #[command(flatten)]
        target: Target,
        /// `uploader` or `downloader`.
        #[arg(long)]
        tier: String,
        /// A namespace it is limited to (repeat for more; none for all).
        #[arg(long = "namespace")]
        namespaces: Vec<String>,
        /// Its lifetime in days (none: it does not expire).
        #[arg(long)]
        days: Option<u64>,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
    },
    /// Lists the issued tokens (never their secrets).
    List {
        #[command(flatten)]
        target: Target,
    },
    /// Revokes a token by its id.
    Revoke {
        #[command(flatten)]
        target: Target,
        /// The token's id (from `tfreg token list`).
        id: String,
    },
}

/// `tfreg pin ...`
#[derive(Debug, Subcommand)]
pub(crate) enum PinCommand {
    /// Copies a module (`NS/NAME/SYSTEM`) or provider (`providers/NS/TYPE`) version from the
    /// upstream, so it stays when the upstream goes.
    ///
    /// Example: `tfreg pin add hashicorp/consul/aws --version 0.11.0 --registry registry.example.com`
    Add {
        #[command(flatten)]
        target: Target,
        /// `NS/NAME/SYSTEM` or `providers/NS/TYPE`.
        address: String,
        /// One version; or `--constraint`.
        #[arg(long)]
        version: Option<String>,
        /// Every version matching a Terraform constraint (`~> 5.0`).
        #[arg(long)]
        constraint: Option<String>,
    },
    /// Lists the pins.
    List {
        #[command(flatten)]
        target: Target,
    },
    /// Removes a pin.
    Remove {
        #[command(flatten)]
        target: Target,
        /// `NS/NAME/SYSTEM` or `providers/NS/TYPE`.
        address: String,
        /// The pinned version.
        #[arg(long)]
        version: String,
    },
}

/// `tfreg audit`
#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(flatten)]
    target: Target,
    /// How many entries, newest first.
    #[arg(long, default_value_t = 20)]
    limit: u32,
}

/// A request to the registry's API: method, path below `/v1/`, JSON body.
pub(super) struct Call {
    pub(super) method: reqwest::Method,
    pub(super) path: String,
    pub(super) body: Option<Value>,
}

pub(super) fn run(target: &Target, call: Call, text: impl FnOnce(&Value) -> String) -> crate::Result<()> {
    let token = credentials::token(&target.registry)?
        .ok_or_else(|| format!("no token for {0}: run `tfreg login {0}` first", target.registry))?;
    runtime()?.block_on(async {
        let remote = Remote::new(&target.registry, token, &target.tls).await?;
        let mut request =
            remote.client.request(call.method, remote.api(&call.path)?).bearer_auth(&remote.token);
        if let Some(body) = call.body {
            request = request.body(body.to_string());
        }
        let answer = remote.answer(request.send().await?).await?;
        match target.output {
            Output::Json => println!("{}", serde_json::to_string_pretty(&answer)?),
            Output::Text => print!("{}", text(&answer)),
        }
        Ok(())
    })
}

/// `tfreg token ...`
pub(crate) fn token(command: TokenCommand) -> crate::Result<()> {
    match command {
        TokenCommand::Create { target, tier, namespaces, days, description } => {
            let body = serde_json::json!({
                "tier": tier,
                "namespaces": (!namespaces.is_empty()).then_some(namespaces),
                "expires_in_days": days,
                "description": description,
            });
            let call = Call { method: reqwest::Method::POST, path: "tokens".into(), body: Some(body) };
            run(&target, call, |t| {
                format!(
                    "{}\n(id {}; shown once)\n",
                    t["token"].as_str().unwrap_or("?"),
                    t["id"].as_str().unwrap_or("?")
                )
            })
        }
        TokenCommand::List { target } => {
            let call = Call { method: reqwest::Method::GET, path: "tokens".into(), body: None };
            run(&target, call, |t| {
                lines(&t["tokens"], |k| {
                    format!(
                        "{}  {:<10} {:<24} {}",
                        k["id"].as_str().unwrap_or("?"),
                        k["tier"].as_str().unwrap_or("?"),
                        k["namespaces"].as_array().map_or("all namespaces".to_owned(), |n| n
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(",")),
                        k["description"].as_str().unwrap_or("")
                    )
                })
            })
        }
        TokenCommand::Revoke { target, id } => {
            let call = Call { method: reqwest::Method::DELETE, path: format!("tokens/{id}"), body: None };
            run(&target, call, |_| format!("revoked {id}\n"))
        }
    }
}

/// `tfreg pin ...`
pub(crate) fn pin(command: PinCommand) -> crate::Result<()> {
    match command {
        PinCommand::Add { target, address, version, constraint } => {
            let mut path = format!("pins/{address}");
            if let Some(version) = &version {
                path = format!("{path}/{version}");
            }
            if let Some(constraint) = &constraint {
                path = format!(
                    "{path}?constraint={}",
                    form_urlencoded::byte_serialize(constraint.as_bytes()).collect::<String>()
                );
            }
            let call = Call { method: reqwest::Method::POST, path, body: None };
            run(&target, call, |t| format!("pinned {}\n", compact(t)))
        }
        PinCommand::List { target } => {
            let call = Call { method: reqwest::Method::GET, path: "pins".into(), body: None };
            run(&target, call, |t| {
                lines(&t["pins"], |p| {
                    format!(
                        "{} {}  from {} by {}",
                        p["address"].as_str().unwrap_or("?"),
                        p["version"].as_str().unwrap_or("?"),
                        p["upstream"].as_str().unwrap_or("?"),
                        p["pinned_by"].as_str().unwrap_or("?")
                    )
                })
            })
        }
        PinCommand::Remove { target, address, version } => {
            let call = Call {
                method: reqwest::Method::DELETE,
                path: format!("pins/{address}/{version}"),
                body: None,
            };
            run(&target, call, |_| format!("unpinned {address} {version}\n"))
        }
    }
}

/// `tfreg audit`
pub(crate) fn audit(args: AuditArgs) -> crate::Result<()> {
    let call = Call { method: reqwest::Method::GET, path: format!("audit?limit={}", args.limit), body: None };
    run(&args.target, call, |t| {
        lines(&t["entries"], |e| {
            format!(
                "{}  {:<20} {:<40} {:<8} {}",
                e["at"].as_str().unwrap_or("?"),
                e["action"].as_str().unwrap_or("?"),
                e["target"].as_str().unwrap_or(""),
                e["outcome"].as_str().unwrap_or("?"),
                e["actor"].as_str().unwrap_or("?")
            )
        })
    })
}

pub(super) fn lines(list: &Value, line: impl Fn(&Value) -> String) -> String {
    list.as_array().map_or_else(String::new, |items| items.iter().map(|i| format!("{}\n", line(i))).collect())
}

pub(super) fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
