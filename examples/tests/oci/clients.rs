//! The real OCI clients the tests drive: skopeo (Debian) and the ORAS Python SDK (PyPI), both
//! installed by `scripts/install-tools.sh`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::Server;

/// Whether a missing tool must fail the test rather than skip it.
pub(crate) fn tools_required() -> bool {
    std::env::var_os("TFREG_REQUIRE_TOOLS").is_some() || std::env::var_os("CI").is_some()
}

/// `true` when `ran` shows the tool ran; otherwise fails the test (tools required) or says the
/// test is skipped.
pub(crate) fn tool_present(what: &str, ran: std::io::Result<Output>) -> bool {
    match ran {
        Ok(output) if output.status.success() => true,
        other => {
            let why = match other {
                Ok(output) => String::from_utf8_lossy(&output.stderr).into_owned(),
                Err(err) => err.to_string(),
            };
            assert!(!tools_required(), "{what} is required (scripts/install-tools.sh installs it): {why}");
            eprintln!("skipped: {what} is missing ({why}); run scripts/install-tools.sh");
            false
        }
    }
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// skopeo with its own policy, auth file and HOME, trusting the server's certificate.
pub(crate) struct Skopeo {
    pub(crate) dir: tempfile::TempDir,
}

impl Skopeo {
    pub(crate) fn new(server: &Server) -> Option<Skopeo> {
        if !tool_present("skopeo", Command::new("skopeo").arg("--version").output()) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("certs")).unwrap();
        std::fs::copy(&server.cert, dir.path().join("certs/ca.crt")).unwrap();
        std::fs::write(dir.path().join("policy.json"), r#"{"default":[{"type":"insecureAcceptAnything"}]}"#)
            .unwrap();
        std::fs::write(dir.path().join("auth.json"), "{}").unwrap();
        Some(Skopeo { dir })
    }

    pub(crate) fn certs(&self) -> PathBuf {
        self.dir.path().join("certs")
    }

    /// Runs `skopeo --policy ... args`.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        Command::new("skopeo")
            .arg("--policy")
            .arg(self.dir.path().join("policy.json"))
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", self.dir.path())
            .env("REGISTRY_AUTH_FILE", self.dir.path().join("auth.json"))
            .env("XDG_RUNTIME_DIR", self.dir.path())
            .output()
            .expect("run skopeo")
    }

    pub(crate) fn ok(&self, args: &[&str]) -> Vec<u8> {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "skopeo {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    /// `skopeo inspect --raw` of `reference` (`repo:tag` or `repo@digest`) with `creds`.
    pub(crate) fn inspect_raw(&self, server: &Server, reference: &str, creds: &str) -> Value {
        let certs = self.certs();
        let image = format!("docker://{}/{reference}", server.host());
        let raw =
            self.ok(&["inspect", "--raw", "--cert-dir", certs.to_str().unwrap(), "--creds", creds, &image]);
        serde_json::from_slice(&raw).expect("a manifest")
    }
}

/// `scripts/oras-client.sh COMMAND host/REFERENCE PATH oauth2 TOKEN` (the ORAS Python SDK),
/// trusting the server's certificate; what it printed, or `None` when the SDK is missing and
/// tools are not required.
fn oras(server: &Server, command: &str, reference: &str, path: &Path, token: &str) -> Option<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/oras-client.sh");
    if !tool_present("the ORAS Python SDK", Command::new("bash").arg(&script).arg("version").output()) {
        return None;
    }
    let home = tempfile::tempdir().unwrap();
    let output = Command::new("bash")
        .arg(&script)
        .args([command, &format!("{}/{reference}", server.host()), path.to_str().unwrap(), "oauth2", token])
        .env("REQUESTS_CA_BUNDLE", &server.cert)
        .env("SSL_CERT_FILE", &server.cert)
        .env("HOME", home.path())
        .output()
        .expect("run scripts/oras-client.sh");
    assert!(
        output.status.success(),
        "oras {command} {reference} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

/// The ORAS Python SDK pulling `reference` into `outdir` with `token`; the files it wrote.
pub(crate) fn oras_pull(
    server: &Server,
    reference: &str,
    outdir: &Path,
    token: &str,
) -> Option<Vec<PathBuf>> {
    let printed = oras(server, "pull", reference, outdir, token)?;
    Some(printed.lines().map(PathBuf::from).collect())
}

/// The ORAS Python SDK pushing the module zip `zip` as `reference` with `token`.
pub(crate) fn oras_push_module(server: &Server, reference: &str, zip: &Path, token: &str) -> Option<()> {
    oras(server, "push-module", reference, zip, token).map(drop)
}

/// The ORAS Python SDK pushing the provider packages in `dir` as `reference` with `token`;
/// the digest of the index it pushed.
pub(crate) fn oras_push_provider(
    server: &Server,
    reference: &str,
    dir: &Path,
    token: &str,
) -> Option<String> {
    oras(server, "push-provider", reference, dir, token).map(|printed| printed.trim().to_owned())
}
