//! The command line of `tfreg`: every flag also reads a `TFREG_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// tfreg: a private Terraform registry.
#[derive(Debug, Parser)]
#[command(name = "tfreg", version, about)]
pub(crate) struct Cli {
    /// How log lines are written: `text` (coloured only on a terminal) or `json` (one object a
    /// line, for log pipelines).
    #[arg(long, global = true, env = "TFREG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub(crate) log_format: LogFormat,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The forms of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    /// For people.
    Text,
    /// One JSON object a line.
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Runs the registry server.
    Serve(Box<ServeArgs>),
    /// Works with provider network mirrors.
    #[command(subcommand)]
    Mirror(MirrorCommand),
    /// Checks the store: every published archive and package present with the SHA-256 its
    /// index records, every index readable; lists orphans and crash leftovers. Exits 0 when
    /// clean, 1 when it found problems, 2 when it could not check.
    Fsck(FsckArgs),
    /// Stores a registry's token where Terraform keeps its credentials (checked first), so
    /// `terraform init` and `tfreg publish` both use it.
    Login(crate::client::LoginArgs),
    /// Removes a registry's token from Terraform's credentials.
    Logout(crate::client::LogoutArgs),
    /// Publishes to a running registry.
    #[command(subcommand)]
    Publish(crate::client::PublishCommand),
    /// Issues, lists and revokes tokens of a running registry (master token).
    #[command(subcommand)]
    Token(crate::client::admin::TokenCommand),
    /// Adds, lists and removes pins from the upstream of a running registry (master token).
    #[command(subcommand)]
    Pin(crate::client::admin::PinCommand),
    /// Registers, lists, syncs and removes repositories with their own webhooks (GitHub,
    /// GitLab, Bitbucket) on a running registry (the namespace's uploader token).
    #[command(subcommand)]
    Source(crate::client::sources::SourceCommand),
    /// Works with a running registry's GitHub App (master token).
    #[command(subcommand)]
    Github(crate::client::sources::GithubCommand),
    /// Shows the webhook deliveries a running registry received and what each did (master token).
    Deliveries(crate::client::sources::DeliveriesArgs),
    /// Shows a running registry's audit trail, newest first (master token).
    Audit(crate::client::admin::AuditArgs),
    /// Asks a running registry whether it is ready (for container health checks): exits 0 on
    /// a 2xx answer, 1 otherwise.
    Health(crate::client::health::HealthArgs),
    /// Reads every module version's documentation again and rebuilds the module and provider
    /// catalogues, on the store directly.
    Reindex(crate::reindex::ReindexArgs),
    /// Deprecates, yanks or deletes a module version (and undoes it), on the store directly.
    #[command(subcommand)]
    Module(crate::lifecycle::VersionCommand),
    /// Deprecates, yanks or deletes a provider version (and undoes it), on the store directly.
    #[command(subcommand)]
    Provider(crate::lifecycle::VersionCommand),
}

/// The settings of `tfreg fsck`.
#[derive(Debug, Args, Clone)]
pub(crate) struct FsckArgs {
    /// The store to check (the one `tfreg serve` uses).
    #[arg(long, env = "TFREG_STORAGE", default_value = "file://./tfreg-data")]
    pub(crate) storage: String,
    /// Remove orphans and leftovers older than the grace period, and say what was removed.
    /// Safe while servers run on the store: nothing an index references is ever removed.
    #[arg(long)]
    pub(crate) repair: bool,
    /// How old an orphan or leftover must be to count as a problem, and to be removed by
    /// --repair: younger ones may belong to a publish or upload in flight. `90s`, `30m`,
    /// `24h`, `7d`, `1h30m`, or seconds.
    #[arg(long, env = "TFREG_ORPHAN_GRACE", default_value = "24h", value_parser = crate::fsck::parse_duration)]
    pub(crate) grace: std::time::Duration,
    /// Only check that objects exist with the recorded sizes, without reading their content.
    #[arg(long)]
    pub(crate) quick: bool,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub(crate) output: Output,
}

/// The forms of `tfreg fsck`'s report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// A summary for people.
    Text,
    /// The typed reports as one JSON document.
    Json,
}

/// `tfreg mirror ...`
#[derive(Debug, Subcommand)]
pub(crate) enum MirrorCommand {
    /// Imports a directory written by `terraform providers mirror DIR` (the packed layout) into
    /// the store, keeping each provider's original host name, so the network mirror serves it.
    Import(ImportArgs),
}

/// The settings of `tfreg mirror import`.
#[derive(Debug, Args, Clone)]
pub(crate) struct ImportArgs {
    /// The directory `terraform providers mirror` wrote.
    pub(crate) dir: PathBuf,
    /// The store to import into (the one `tfreg serve` uses).
    #[arg(long, env = "TFREG_STORAGE", default_value = "file://./tfreg-data")]
    pub(crate) storage: String,
}

/// The settings of `tfreg serve`.
#[derive(Debug, Args, Clone)]
pub(crate) struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TFREG_LISTEN", default_value = "127.0.0.1:8443")]
    pub(crate) listen: SocketAddr,
    /// Where everything is stored: file://PATH, memory://, s3://BUCKET/PREFIX, gs://..., az://...
    #[arg(long, env = "TFREG_STORAGE", default_value = "file://./tfreg-data")]
    pub(crate) storage: String,
    /// PEM certificate chain for HTTPS. Without it (and --tls-key), a self-signed development
    /// certificate for localhost and 127.0.0.1 is made and kept beside the data.
    #[arg(long, env = "TFREG_TLS_CERT", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    #[arg(long, env = "TFREG_TLS_KEY", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
    /// Serve plain HTTP, for running behind a proxy that terminates TLS (Terraform itself only
    /// talks to registries over HTTPS).
    #[arg(long, env = "TFREG_PLAIN_HTTP", conflicts_with_all = ["tls_cert", "tls_key"])]
    pub(crate) plain_http: bool,
    /// The URL clients reach this registry at (`https://registry.example.com`), for absolute links.
    #[arg(long, env = "TFREG_PUBLIC_URL")]
    pub(crate) public_url: Option<String>,
    /// Host names (without a port) by which provider source addresses name this registry;
    /// the network mirror serves its own providers under them. Repeatable, or comma-separated.
    #[arg(long = "hostname", env = "TFREG_HOSTNAMES", value_delimiter = ',')]
    pub(crate) hostnames: Vec<String>,
    /// An armored OpenPGP secret key (RSA) to sign providers with; by default one is generated
    /// on first use and kept in the store. Versions signed by an earlier key keep working.
    #[arg(long, env = "TFREG_PROVIDER_SIGNING_KEY_FILE")]
    pub(crate) provider_signing_key: Option<PathBuf>,
    /// Mount the registry under this path (service discovery stays at the root).
    #[arg(long, env = "TFREG_BASE_PATH", default_value = "")]
    pub(crate) base_path: String,
    /// Let requests without a token read modules.
    #[arg(long, env = "TFREG_ANONYMOUS_READ")]
    pub(crate) anonymous_read: bool,
    /// The largest upload accepted, in bytes.
    #[arg(long, env = "TFREG_MAX_UPLOAD_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub(crate) max_upload_bytes: u64,
    /// The largest file accepted through an upload session (POST /v1/uploads), in bytes; such
    /// uploads stream to the store and are never held in memory.
    #[arg(long, env = "TFREG_MAX_SESSION_UPLOAD_BYTES", default_value_t = 1 << 30)]
    pub(crate) max_session_upload_bytes: u64,
    /// How long an upload session and its upload URL stay usable, in seconds; expired sessions
    /// and their files are removed.
    #[arg(long, env = "TFREG_UPLOAD_TTL_SECS", default_value_t = 3600)]
    pub(crate) upload_ttl_secs: u64,
    /// How long version lists and the catalogue are cached, in seconds (instances sharing a store see each other's
    /// publishes within this time).
    #[arg(long, env = "TFREG_CACHE_TTL_SECS", default_value_t = 5)]
    pub(crate) cache_ttl_secs: u64,
    /// Also serves `/metrics` without a token, and `/healthz` and `/readyz`, on this separate
    /// plain-HTTP address (for a scraper and probes on an internal network), e.g.
    /// `127.0.0.1:9464`.
    #[arg(long, env = "TFREG_METRICS_LISTEN")]
    pub(crate) metrics_listen: Option<SocketAddr>,
    /// Serves Prometheus metrics at `/metrics` without a token (by default the master token is
    /// needed, as `Authorization: Bearer ...`).
    #[arg(long, env = "TFREG_METRICS_PUBLIC")]
    pub(crate) metrics_public: bool,
    /// Proxies whose `X-Forwarded-For` the access log believes (repeat, or separate with
    /// commas); the peer's address is logged otherwise.
    #[arg(long, env = "TFREG_TRUSTED_PROXIES", value_delimiter = ',')]
    pub(crate) trusted_proxy: Vec<std::net::IpAddr>,
    /// Where the web UI is served, below the base path.
    #[arg(long, env = "TFREG_UI_PATH", default_value = "/ui")]
    pub(crate) ui_path: String,
    /// Serves no web UI (and no redirect from `/`).
    #[arg(long, env = "TFREG_NO_UI")]
    pub(crate) no_ui: bool,
    /// How often at most download counts are written to the store, in seconds: the bound on how
    /// far the catalogue's counts lag.
    #[arg(long, env = "TFREG_DOWNLOAD_FLUSH_SECS", default_value_t = 30)]
    pub(crate) download_flush_secs: u64,
    /// How long an issued token's record is trusted without reading the store again, in
    /// seconds: the bound on how long other instances keep accepting a token revoked here.
    #[arg(long, env = "TFREG_TOKEN_CACHE_TTL_SECS", default_value_t = 10)]
    pub(crate) token_cache_ttl_secs: u64,
    /// Proxy modules and providers not hosted here from this registry (found by its own
    /// service discovery), e.g. `https://registry.terraform.io`. Off by default.
    #[arg(long, env = "TFREG_UPSTREAM")]
    pub(crate) upstream: Option<String>,
    /// A token for the upstream registry's API.
    #[arg(long, env = "TFREG_UPSTREAM_TOKEN", hide_env_values = true)]
    pub(crate) upstream_token: Option<String>,
    /// Only proxy `namespace/name` (modules) or `namespace/type` (providers) starting with this
    /// prefix. Repeatable, or comma-separated.
    #[arg(long = "proxy-allow", env = "TFREG_PROXY_ALLOW", value_delimiter = ',')]
    pub(crate) proxy_allow: Vec<String>,
    /// Never proxy addresses starting with this prefix (wins over --proxy-allow).
    #[arg(long = "proxy-deny", env = "TFREG_PROXY_DENY", value_delimiter = ',')]
    pub(crate) proxy_deny: Vec<String>,
    /// How long upstream metadata is cached, in seconds (served stale when the upstream fails).
    #[arg(long, env = "TFREG_UPSTREAM_TTL_SECS", default_value_t = 300)]
    pub(crate) upstream_ttl_secs: u64,
    /// Let uploaders import external module versions (`"import": true`) from this host: the
    /// registry fetches https:// archives and git repositories over https:// from it (http://
    /// only from a loopback host). Repeatable, or comma-separated. None by default: imports
    /// are refused, and locations can only be registered.
    #[arg(long = "import-allow-host", env = "TFREG_IMPORT_ALLOW_HOSTS", value_delimiter = ',')]
    pub(crate) import_allow_hosts: Vec<String>,
    /// A credential for git imports from one host, `HOST=FILE`: the file holds a token (GitHub:
    /// an installation or fine-grained token; GitLab: a deploy or access token), sent to that
    /// host only, as HTTP basic auth with `--import-git-username`. Repeatable.
    #[arg(long = "import-git-token", env = "TFREG_IMPORT_GIT_TOKENS", value_delimiter = ',')]
    pub(crate) import_git_tokens: Vec<String>,
    /// The user name sent with a git import token (`x-access-token` is what GitHub takes;
    /// GitLab takes any, Bitbucket `x-token-auth`).
    #[arg(long, env = "TFREG_IMPORT_GIT_USERNAME", default_value = "x-access-token")]
    pub(crate) import_git_username: String,
    /// How long one import may take (download or clone), in seconds.
    #[arg(long, env = "TFREG_IMPORT_TIMEOUT_SECS", default_value_t = 120)]
    pub(crate) import_timeout_secs: u64,
    /// The GitHub App's id: with `--github-app-private-key` and `--github-webhook-secret-file`,
    /// installations of the App publish their repositories' tags (see the README's "Publishing
    /// from GitHub, GitLab and Bitbucket").
    #[arg(long, env = "TFREG_GITHUB_APP_ID", requires_all = ["github_app_private_key", "github_webhook_secret_file"])]
    pub(crate) github_app_id: Option<u64>,
    /// The GitHub App's private key (the PEM file GitHub makes), for its RS256 JWTs.
    #[arg(long, env = "TFREG_GITHUB_APP_PRIVATE_KEY", requires = "github_app_id")]
    pub(crate) github_app_private_key: Option<std::path::PathBuf>,
    /// A file holding the GitHub App's webhook secret.
    #[arg(long, env = "TFREG_GITHUB_WEBHOOK_SECRET_FILE", requires = "github_app_id")]
    pub(crate) github_webhook_secret_file: Option<std::path::PathBuf>,
    /// GitHub's API root: GitHub Enterprise Server's is `https://HOST/api/v3`.
    #[arg(long, env = "TFREG_GITHUB_API_URL", default_value = "https://api.github.com")]
    pub(crate) github_api_url: String,
    /// What the names of the App's module repositories start with: `terraform-aws-network` is
    /// module `network` for system `aws`.
    #[arg(long, env = "TFREG_GITHUB_REPOSITORY_PREFIX", default_value = "terraform-")]
    pub(crate) github_repository_prefix: String,
    /// A JSON file listing monorepos: `[{"repository": "infra-modules", "modules": [{"name":
    /// "network", "system": "aws", "path": "modules/network", "tag_pattern":
    /// "network-v{version}"}]}]`.
    #[arg(long, env = "TFREG_GITHUB_MONOREPOS")]
    pub(crate) github_monorepos: Option<std::path::PathBuf>,
    /// How long the modules of an uninstalled App (or a removed repository) are kept for a
    /// reinstall, in seconds, before their objects go.
    #[arg(long, env = "TFREG_SCM_REMOVAL_GRACE_SECS", default_value_t = 7 * 24 * 3600)]
    pub(crate) scm_removal_grace_secs: u64,
    /// Hosts besides the public services (api.github.com, gitlab.com, bitbucket.org) that a
    /// registered source's API URL may name: a GitHub Enterprise Server, a self-managed GitLab,
    /// a Bitbucket Data Center. Repeatable, or comma-separated.
    #[arg(long = "scm-allow-host", env = "TFREG_SCM_ALLOW_HOSTS", value_delimiter = ',')]
    pub(crate) scm_allow_hosts: Vec<String>,
    /// How long one call to a source-control host may take, archive downloads included, in
    /// seconds.
    #[arg(long, env = "TFREG_SCM_TIMEOUT_SECS", default_value_t = 120)]
    pub(crate) scm_timeout_secs: u64,
    /// The OpenID Connect provider people sign in with for `terraform login` (its issuer URL):
    /// discovery then advertises `login.v1`. Needs --oidc-client-id and
    /// --oidc-client-secret-file; register `https://HOST/oauth/callback` as the client's
    /// redirect URI at the provider.
    #[arg(long, env = "TFREG_OIDC_ISSUER")]
    pub(crate) oidc_issuer: Option<String>,
    /// The registry's client id at the provider.
    #[arg(long, env = "TFREG_OIDC_CLIENT_ID")]
    pub(crate) oidc_client_id: Option<String>,
    /// A file holding the registry's client secret at the provider.
    #[arg(long, env = "TFREG_OIDC_CLIENT_SECRET_FILE")]
    pub(crate) oidc_client_secret_file: Option<std::path::PathBuf>,
    /// A JSON file mapping ID token claims to tiers and namespaces: `{"rules": [{"claim":
    /// "groups", "value": "platform-admins", "tier": "master"}, {"claim": "groups", "value":
    /// "team-a", "tier": "uploader", "namespaces": ["team-a"]}], "default": {"tier":
    /// "downloader"}}`. Without it nobody gets a token.
    #[arg(long, env = "TFREG_OIDC_RULES")]
    pub(crate) oidc_rules: Option<std::path::PathBuf>,
    /// How long a token minted at a sign-in lives, in seconds.
    #[arg(long, env = "TFREG_OIDC_TOKEN_LIFETIME_SECS", default_value_t = 30 * 24 * 3600)]
    pub(crate) oidc_token_lifetime_secs: u64,
    /// The scopes asked of the provider (`openid` always). Comma-separated.
    #[arg(long, env = "TFREG_OIDC_SCOPES", value_delimiter = ',', default_value = "openid,email,profile")]
    pub(crate) oidc_scopes: Vec<String>,
    /// The only AWS STS endpoint AWS callers' signed requests are forwarded to (GovCloud,
    /// China, a VPC endpoint); without it, AWS's public global and regional endpoints.
    #[arg(long, env = "TFREG_AWS_STS_URL")]
    pub(crate) aws_sts_url: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long, env = "TFREG_WORKERS")]
    pub(crate) workers: Option<usize>,
    /// The most connections held open at once; more wait to be accepted. Default: the
    /// open-file limit (raised to its hard limit at start) less a reserve of a quarter (at
    /// least 256) for the files the store reads, so accepting never runs out of descriptors.
    #[arg(long, env = "TFREG_MAX_CONNECTIONS")]
    pub(crate) max_connections: Option<usize>,
    /// Refuse tokens without a checksum (tokens issued by older releases of tfreg) without
    /// reading the store, instead of looking them up; switch on once old tokens are replaced.
    #[arg(long, env = "TFREG_REFUSE_LEGACY_TOKENS")]
    pub(crate) refuse_legacy_tokens: bool,
    /// The most uploads (publishes and upload-session data) in progress at once; more get 429.
    #[arg(long, env = "TFREG_MAX_UPLOADS", default_value_t = 64)]
    pub(crate) max_uploads: usize,
    /// The most uploads one principal may have in progress at once.
    #[arg(long, env = "TFREG_MAX_UPLOADS_PER_PRINCIPAL", default_value_t = 8)]
    pub(crate) max_uploads_per_principal: usize,
    /// The longest pause, in seconds, allowed while a request body arrives (408 after).
    #[arg(long, env = "TFREG_BODY_IDLE_TIMEOUT_SECS", default_value_t = 20)]
    pub(crate) body_idle_timeout_secs: u64,
    /// The slowest average rate, in bytes a second, a request body may arrive at once it has
    /// taken 10 s (408 below it).
    #[arg(long, env = "TFREG_BODY_MIN_RATE", default_value_t = 1024)]
    pub(crate) body_min_rate: u64,
}
