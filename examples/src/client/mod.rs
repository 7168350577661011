//! The client side of `tfreg`: `login` and `logout` (Terraform's own credentials file),
//! `publish module`, and the administration commands (`token`, `pin`, `audit`), talking to a
//! running registry over HTTPS.

pub(crate) mod admin;
mod credentials;
pub(crate) mod health;
mod provider;
pub(crate) mod publish;
pub(crate) mod sources;
mod workload;

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::Value;

/// `tfreg login HOST`.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// The registry's host, with its port when it has one (`registry.example.com`,
    /// `127.0.0.1:8443`).
    host: String,
    /// The token; read from standard input when not given (so it stays out of shell history).
    #[arg(long, env = "TFREG_TOKEN", hide_env_values = true, conflicts_with_all = ["oidc", "aws"])]
    token: Option<String>,
    #[command(flatten)]
    workload: workload::Workload,
    #[command(flatten)]
    tls: Tls,
}

/// `tfreg logout HOST`.
#[derive(Debug, Args)]
pub(crate) struct LogoutArgs {
    /// The registry's host.
    host: String,
}

/// What `tfreg publish` publishes.
#[derive(Debug, Subcommand)]
pub(crate) enum PublishCommand {
    /// Packs a module folder (honouring `.terraformignore`; `.terraform/` and `.git/` left out)
    /// and publishes it.
    ///
    /// Example: `tfreg publish module . --registry registry.example.com --address acme/vpc/aws --version 1.2.0`
    Module(PublishModule),
    /// Publishes a provider release from a folder such as goreleaser's `dist/`: every
    /// `terraform-provider-TYPE_VERSION_OS_ARCH.zip`, with `..._SHA256SUMS` and its `.sig` when
    /// present (the registry signs otherwise). Running it again finishes an interrupted publish.
    ///
    /// Example: `tfreg publish provider dist --registry registry.example.com --address acme/widgets`
    Provider(PublishProvider),
}

/// `tfreg publish provider DIST`.
#[derive(Debug, Args)]
pub(crate) struct PublishProvider {
    /// The folder the release build wrote.
    dir: PathBuf,
    /// The registry's host (with its port).
    #[arg(long, env = "TFREG_REGISTRY")]
    registry: String,
    /// `NAMESPACE/TYPE`.
    #[arg(long)]
    address: String,
    #[command(flatten)]
    workload: workload::Workload,
    #[command(flatten)]
    tls: Tls,
}

/// `tfreg publish module DIR`.
#[derive(Debug, Args)]
pub(crate) struct PublishModule {
    /// The module's folder.
    dir: PathBuf,
    /// The registry's host (with its port).
    #[arg(long, env = "TFREG_REGISTRY")]
    registry: String,
    /// `NAMESPACE/NAME/SYSTEM`.
    #[arg(long)]
    address: String,
    /// The version to publish.
    #[arg(long)]
    version: String,
    /// What the module is for.
    #[arg(long)]
    description: Option<String>,
    /// Where its code lives (a URL).
    #[arg(long)]
    source: Option<String>,
    /// Uploads through an upload session rather than in the publish request (done anyway when
    /// something in front of the registry refuses the body as too large).
    #[arg(long)]
    upload_session: bool,
    #[command(flatten)]
    workload: workload::Workload,
    #[command(flatten)]
    tls: Tls,
}

/// How the client trusts the registry's certificate.
#[derive(Debug, Args)]
pub(crate) struct Tls {
    /// A PEM certificate to trust besides the system's (a development registry's
    /// `tfreg-data/tls/cert.pem`); without it, the file `SSL_CERT_FILE` names, as Terraform
    /// trusts it.
    #[arg(long, env = "TFREG_CACERT")]
    cacert: Option<PathBuf>,
}

/// A registry and the token to talk to it with.
pub(crate) struct Remote {
    client: reqwest::Client,
    /// `https://host/`, where discovery and the API lie.
    base: String,
    token: String,
}

impl Tls {
    /// A client that trusts what these settings name, waiting at most `timeout` for an answer.
    fn client(&self, timeout: std::time::Duration) -> crate::Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder().timeout(timeout);
        let trusted = self.cacert.clone().or_else(|| std::env::var_os("SSL_CERT_FILE").map(PathBuf::from));
        if let Some(pem) = trusted {
            let text = std::fs::read(&pem).map_err(|e| format!("cannot read {}: {e}", pem.display()))?;
            for certificate in reqwest::Certificate::from_pem_bundle(&text)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        Ok(builder.build()?)
    }
}

impl Remote {
    async fn new(host: &str, token: String, tls: &Tls) -> crate::Result<Self> {
        let client = tls.client(std::time::Duration::from_secs(600))?;
        // Service discovery says where the module API is; the other APIs sit beside it.
        let discovery = client.get(format!("https://{host}/.well-known/terraform.json")).send().await?;
        let discovery: serde_json::Value =
            serde_json::from_slice(&discovery.error_for_status()?.bytes().await?)?;
        let modules =
            discovery["modules.v1"].as_str().ok_or("the registry's discovery names no modules.v1")?;
        let modules = url::Url::parse(&format!("https://{host}/"))?.join(modules)?;
        let base = modules
            .as_str()
            .strip_suffix("v1/modules/")
            .ok_or("modules.v1 does not end in v1/modules/")?
            .to_owned();
        Ok(Self { client, base, token })
    }

    /// A remote with the token of an exchange when `workload` asks for one, else the token
    /// stored for `host`.
    async fn signed_in(host: &str, workload: &workload::Workload, tls: &Tls) -> crate::Result<Self> {
        if workload.wanted() {
            let mut remote = Self::new(host, String::new(), tls).await?;
            remote.exchange(workload).await?;
            return Ok(remote);
        }
        let token = credentials::token(host)?.ok_or_else(|| {
            format!("no token for {host}: run `tfreg login {host}` first (or --oidc, --aws in CI)")
        })?;
        Self::new(host, token, tls).await
    }

    /// The URL of `/v1/{path}`.
    fn api(&self, path: &str) -> crate::Result<String> {
        Ok(format!("{}v1/{path}", self.base))
    }

    /// The JSON of a successful answer; an error saying the registry's message otherwise.
    async fn answer(&self, answer: reqwest::Response) -> crate::Result<serde_json::Value> {
        let status = answer.status();
        let body = answer.bytes().await?;
        if status.is_success() {
            return Ok(if body.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_slice(&body)?
            });
        }
        let message = serde_json::from_slice::<tfreg_core::protocol::Errors>(&body)
            .map(|e| e.errors.join("; "))
            .unwrap_or_else(|_| String::from_utf8_lossy(&body).into_owned());
        Err(format!("the registry answered {status}: {message}").into())
    }
}

fn runtime() -> crate::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

/// `tfreg login HOST`: checks the token against the registry, then stores it where Terraform
/// keeps its credentials.
pub(crate) fn login(args: LoginArgs) -> crate::Result<()> {
    if args.workload.wanted() {
        return runtime()?.block_on(async {
            let mut remote = Remote::new(&args.host, String::new(), &args.tls).await?;
            let answer = remote.exchange(&args.workload).await?;
            let path = credentials::store(&args.host, Some(&remote.token))?;
            println!(
                "signed in to {} as {} for {} until {} (trust rule {}); the token is in {}",
                args.host,
                answer["tier"].as_str().unwrap_or_default(),
                answer["namespaces"]
                    .as_array()
                    .map(|n| n.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default(),
                answer["expires_at"].as_str().unwrap_or_default(),
                answer["rule"].as_str().unwrap_or_default(),
                path.display()
            );
            warn_if_configured(&args.host)
        });
    }
    let token = match args.token {
        Some(token) => token,
        None => {
            eprintln!("Token for {} (from the registry's master token or `POST /v1/tokens`):", args.host);
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim().to_owned()
        }
    };
    if token.is_empty() {
        return Err("no token given".into());
    }
    runtime()?.block_on(async {
        let remote = Remote::new(&args.host, token.clone(), &args.tls).await?;
        let check =
            remote.client.get(remote.api("modules?limit=1")?).bearer_auth(&remote.token).send().await?;
        remote.answer(check).await.map_err(|e| format!("the token was not accepted: {e}"))?;
        let path = credentials::store(&args.host, Some(&token))?;
        println!("signed in to {}; the token is in {} (Terraform reads it too)", args.host, path.display());
        warn_if_configured(&args.host)?;
        Ok(())
    })
}

/// `tfreg logout HOST`.
pub(crate) fn logout(args: LogoutArgs) -> crate::Result<()> {
    let path = credentials::store(&args.host, None)?;
    println!("signed out of {}; removed its token from {}", args.host, path.display());
    warn_if_configured(&args.host)
}

/// A `credentials` block for `host` in the CLI configuration comes before the file `login`
/// writes, for Terraform and for this client: say so, as `terraform login` does.
fn warn_if_configured(host: &str) -> crate::Result<()> {
    if credentials::configured(host)?.is_some() {
        let file = credentials::cli_config().unwrap_or_default();
        eprintln!(
            "note: {} has a credentials block for {host}; Terraform and tfreg use that token first",
            file.display()
        );
    }
    Ok(())
}

/// `tfreg publish ...`.
pub(crate) fn publish(command: PublishCommand) -> crate::Result<()> {
    let args = match command {
        PublishCommand::Module(args) => args,
        PublishCommand::Provider(args) => return publish_provider(args),
    };
    let files = publish::files(&args.dir)?;
    let archive = publish::pack(&args.dir, &files)?;
    let mut metadata = Vec::new();
    metadata.extend(args.description.clone().map(|d| ("description", d)));
    metadata.extend(args.source.clone().map(|s| ("source", s)));
    runtime()?.block_on(async {
        let remote = Remote::signed_in(&args.registry, &args.workload, &args.tls).await?;
        publish::module(&remote, &args.address, &args.version, archive, &metadata, args.upload_session).await?;
        let name = args.address.split('/').nth(1).unwrap_or("this").replace('-', "_");
        println!(
            "published {} {} ({} files)\n\nmodule \"{name}\" {{\n  source  = \"{}/{}\"\n  version = \"{}\"\n}}",
            args.address,
            args.version,
            files.len(),
            args.registry,
            args.address,
            args.version
        );
        Ok(())
    })
}

fn publish_provider(args: PublishProvider) -> crate::Result<()> {
    let r#type = args.address.split('/').nth(1).ok_or("the address is NAMESPACE/TYPE")?;
    let release = provider::release(&args.dir, r#type)?;
    runtime()?.block_on(async {
        let remote = Remote::signed_in(&args.registry, &args.workload, &args.tls).await?;
        for line in provider::publish(&remote, &args.address, &release).await? {
            println!("{line}");
        }
        println!(
            "\nterraform {{\n  required_providers {{\n    {type} = {{\n      source  = \"{}/{}\"\n      version = \"{}\"\n    }}\n  }}\n}}",
            args.registry, args.address, release.version
        );
        Ok(())
    })
}
