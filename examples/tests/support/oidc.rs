//! The real OpenID Connect provider of `scripts/oidc-provider.mjs` (panva's `oidc-provider`,
//! installed from npm by `scripts/install-tools.sh`) on a free loopback port, for the tests of
//! `terraform login` and trusted publishing.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Whether Node.js and the provider are installed.
pub fn provider_present() -> bool {
    let required = std::env::var_os("TFREG_REQUIRE_TOOLS").is_some() || std::env::var_os("CI").is_some();
    let module = root().join(".cache/tools/oidc/node_modules/oidc-provider/package.json");
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if node && module.is_file() {
        return true;
    }
    assert!(
        !required,
        "node and oidc-provider are required (scripts/install-tools.sh); node: {node}, {}",
        module.display()
    );
    eprintln!("skipped: node or oidc-provider is missing; run scripts/install-tools.sh");
    false
}

/// The provider, stopped when dropped.
pub struct Provider(Child);

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A loopback port nobody listens on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the provider on `port` with the registry as its client (`tfreg`, `client_secret`,
/// `redirect`), once it answers.
pub fn start_provider(port: u16, client_secret: &str, redirect: &str) -> Provider {
    let mut child = Command::new("node")
        .arg(root().join("scripts/oidc-provider.mjs"))
        .args([&port.to_string(), "tfreg", client_secret, redirect])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the OpenID provider");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("listening on") {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the OpenID provider exited");
    }
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    Provider(child)
}

/// A CI job's OIDC token for `audience`, from the provider's stand-in for the platform's token
/// service (`job`: `github-tag`, `github-branch`, `gitlab-tag`).
pub fn ci_token(port: u16, job: &str, audience: &str) -> String {
    let url = format!("http://127.0.0.1:{port}/_ci/token?audience={audience}");
    let client = reqwest::blocking::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    // Sent again when the provider drops the connection before answering (it does under load).
    let answer = (0..3)
        .find_map(|_| client.get(&url).bearer_auth(job).send().ok())
        .unwrap_or_else(|| panic!("GET {url} failed three times"));
    assert!(answer.status().is_success(), "the CI token service answered {}", answer.status());
    let body: serde_json::Value = serde_json::from_slice(&answer.bytes().unwrap()).unwrap();
    body["value"].as_str().unwrap().to_owned()
}
