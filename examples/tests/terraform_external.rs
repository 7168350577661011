//! End to end: module versions from external sources with real parts on 127.0.0.1, installed
//! by the real Terraform CLIs (1.0.3 and 1.11.4) from the real `tfreg` server over TLS:
//! - a `git::http://127.0.0.1:PORT/...?ref=` version served by `git http-backend` (behind a
//!   small CGI bridge, `terraform_external/git_http.rs`) from a repository the test makes, and
//!   an `https://127.0.0.1:PORT/...tar.gz` archive (a TLS file server with the test's
//!   certificate, `terraform_external/https_files.rs`), each registered as a location that the
//!   registry answers verbatim, and installed (with a `//subdir` joined onto the git one);
//! - an import of each (the git one from a repository that wants the registry's configured
//!   credential, `--import-git-token`), installed after both source servers are gone.
//!
//! `git` (with `git http-backend`) is installed by `scripts/install-tools.sh`; with
//! `TFREG_REQUIRE_TOOLS=1` (or on CI) a missing one fails the test instead of skipping it.

#[macro_use]
mod support;
#[path = "terraform_external/git_http.rs"]
mod git_http;
#[path = "terraform_external/https_files.rs"]
mod https_files;

use std::collections::HashMap;
use std::process::Command;

use base64::Engine;
use git_http::{bare_repository, GitHttp};
use https_files::HttpsFiles;
use serde_json::{json, Value};
use support::{tar_gz, Server, Workdir, MASTER};

/// The token the private repository wants, as the registry's git credential.
const GIT_TOKEN: &str = "git-token-for-the-private-repository";

/// Whether `git` and `git http-backend` are here; a missing one fails the test when tools are
/// required, else the test is skipped.
fn git_present() -> bool {
    let required = std::env::var_os("TFREG_REQUIRE_TOOLS").is_some() || std::env::var_os("CI").is_some();
    // `git http-backend` without a request exits at once (its exit status says nothing).
    let backend = Command::new("git").arg("http-backend").env("REQUEST_METHOD", "GET").output();
    match (Command::new("git").arg("--version").output(), backend) {
        (Ok(version), Ok(_)) if version.status.success() => true,
        other => {
            assert!(!required, "git with git http-backend is required (scripts/install-tools.sh): {other:?}");
            eprintln!("skipped: git or git http-backend is missing; run scripts/install-tools.sh");
            false
        }
    }
}

fn module_files(version: &str) -> Vec<(&'static str, String)> {
    vec![
        ("main.tf", format!("output \"version\" {{ value = \"{version}\" }}\n")),
        ("modules/child/main.tf", format!("output \"greeting\" {{ value = \"child of {version}\" }}\n")),
        ("README.md", format!("# net {version}\n")),
    ]
}

/// The certificate of 127.0.0.1 the registry and the archive server both use, written to
/// `dir`: (cert path, key path, cert DER, key DER).
fn certificate(
    dir: &std::path::Path,
) -> (String, String, rustls_pki_types::CertificateDer<'static>, rustls_pki_types::PrivateKeyDer<'static>) {
    let made =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.key_pair.serialize_pem()).unwrap();
    let key_der = rustls_pki_types::PrivateKeyDer::Pkcs8(made.key_pair.serialize_der().into());
    (cert.display().to_string(), key.display().to_string(), made.cert.der().clone(), key_der)
}

fn register(server: &Server, version: &str, body: Value) -> reqwest::blocking::Response {
    server
        .client()
        .post(server.url(&format!("/v1/modules/acme/net/aws/{version}/external")))
        .bearer_auth(MASTER)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap()
}

fn created(response: reqwest::blocking::Response) -> Value {
    let status = response.status();
    let text = response.text().unwrap();
    assert_eq!(status, 201, "{text}");
    serde_json::from_str(&text).unwrap()
}

terraform_test! {
fn terraform_installs_external_and_imported_versions() {
    if !git_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, cert_der, key_der) = certificate(dir.path());
    let token_file = dir.path().join("git-token");
    std::fs::write(&token_file, format!("{GIT_TOKEN}\n")).unwrap();
    let credential = format!("127.0.0.1={}", token_file.display());
    let server = Server::start_with_env(
        &["--tls-cert", &cert, "--tls-key", &key, "--import-allow-host", "127.0.0.1", "--import-git-token", &credential],
        &[("SSL_CERT_FILE", &cert)],
    );

    // The sources: two repositories behind git http-backend, an archive over TLS.
    let repos = dir.path().join("repos");
    bare_repository(&repos, "acme/net.git", &module_files("1.0.0"), "v1.0.0");
    bare_repository(&repos, "private/net.git", &module_files("3.0.0"), "v3.0.0");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("x-access-token:{GIT_TOKEN}"));
    let git = GitHttp::start(&repos, &format!("Basic {basic}"));
    let files = module_files("2.0.0");
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
    let archive = tar_gz("", &refs);
    let https = HttpsFiles::start(cert_der, key_der, HashMap::from([("/net-2.0.0.tar.gz".to_owned(), archive)]));

    // Registered as locations: answered verbatim, and installed by Terraform from the sources.
    let git_location = format!("git::{}?ref=v1.0.0", git.url("acme/net.git"));
    let archive_location = https.url("/net-2.0.0.tar.gz");
    let view = created(register(&server, "1.0.0", json!({"location": git_location})));
    assert_eq!(view["location"], git_location.as_str());
    created(register(&server, "2.0.0", json!({"location": archive_location})));
    let download = server
        .client()
        .get(server.url("/v1/modules/acme/net/aws/1.0.0/download"))
        .bearer_auth(MASTER)
        .send()
        .unwrap();
    assert_eq!(download.headers()["x-terraform-get"], git_location.as_str());

    let host = server.host();
    let main_tf = format!(
        r#"
module "git" {{
  source  = "{host}/acme/net/aws"
  version = "1.0.0"
}}
module "child" {{
  source  = "{host}/acme/net/aws//modules/child"
  version = "1.0.0"
}}
module "archive" {{
  source  = "{host}/acme/net/aws"
  version = "2.0.0"
}}
output "git" {{ value = module.git.version }}
output "child" {{ value = module.child.greeting }}
output "archive" {{ value = module.archive.version }}
"#
    );
    let work = Workdir::new(&server, Some(MASTER), &main_tf);
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains("Terraform has been successfully initialized"), "{init}");
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: Value = serde_json::from_str(&work.ok(&["output", "-json"])).unwrap();
    assert_eq!(outputs["git"]["value"], "1.0.0");
    assert_eq!(outputs["child"]["value"], "child of 1.0.0", "//modules/child joined onto the git location");
    assert_eq!(outputs["archive"]["value"], "2.0.0");
    assert!(git.seen.lock().unwrap().iter().any(|(p, _)| p.starts_with("/acme/net.git/")), "Terraform cloned");
    assert!(https.seen.lock().unwrap().iter().any(|r| r == "GET /net-2.0.0.tar.gz"), "Terraform downloaded");

    // The catalogue marks the newest as external.
    let list = server.client().get(server.url("/v1/modules")).bearer_auth(MASTER).send().unwrap();
    let list = support::json(list);
    assert_eq!(list["modules"][0]["external"], true, "{list}");

    // Imported: fetched once by the registry (the private repository with its credential, only
    // its //modules/child), stored and served from here.
    let private = format!("git::{}//modules/child?ref=v3.0.0", git.url("private/net.git"));
    let imported = created(register(&server, "3.0.0", json!({"location": private, "import": true})));
    assert_eq!(imported["imported_from"], private.as_str());
    assert!(imported.get("location").is_none());
    let asked: Vec<_> = git.seen.lock().unwrap().iter().filter(|(p, _)| p.starts_with("/private/")).cloned().collect();
    assert!(!asked.is_empty() && asked.iter().all(|(_, auth)| auth.as_deref() == Some(&format!("Basic {basic}")[..])),
        "every request of the import carried the configured credential: {asked:?}");
    assert!(!imported.to_string().contains(GIT_TOKEN));
    let imported_archive = created(register(&server, "4.0.0", json!({"location": archive_location, "import": true})));
    assert_eq!(imported_archive["imported_from"], archive_location.as_str());
    let missing = register(&server, "5.0.0", json!({"location": format!("git::{}?ref=v1.0.0", git.url("acme/missing.git")), "import": true}));
    assert_eq!(missing.status(), 502, "a failing source is the source's fault");

    // The sources go away; the imported versions still install.
    drop(git);
    drop(https);
    let main_tf = format!(
        r#"
module "git" {{
  source  = "{host}/acme/net/aws"
  version = "3.0.0"
}}
module "archive" {{
  source  = "{host}/acme/net/aws"
  version = "4.0.0"
}}
output "git" {{ value = module.git.greeting }}
output "archive" {{ value = module.archive.version }}
"#
    );
    let work = Workdir::new(&server, Some(MASTER), &main_tf);
    work.ok(&["init", "-no-color"]);
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: Value = serde_json::from_str(&work.ok(&["output", "-json"])).unwrap();
    assert_eq!(outputs["git"]["value"], "child of 3.0.0", "the subdirectory is the imported module's root");
    assert_eq!(outputs["archive"]["value"], "2.0.0");
}
}
