//! End to end, the client side of `tfreg` against the real server over TLS, with the real
//! Terraform CLIs (1.0.3 and 1.11.4): `tfreg login` stores the token where Terraform reads it,
//! `tfreg publish module` packs a folder (honouring `.terraformignore`, leaving `.terraform/`
//! and `.git/` out) and publishes it, through an upload session when the body is too large,
//! and `terraform init` then installs it with no credentials block.

#[macro_use]
mod support;

use std::path::Path;
use std::process::Command;

use support::{Server, Workdir, MASTER};

/// Runs `tfreg ARGS` with `HOME` at `home`: its exit status and output.
fn tfreg(home: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tfreg"))
        .args(args)
        .env("HOME", home)
        .env("TFREG_LOG", "warn")
        .output()
        .unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), printed)
}

fn module_dir(root: &Path) -> std::path::PathBuf {
    let dir = root.join("module");
    for (path, text) in [
        ("main.tf", "output \"greeting\" {\n  value = \"hello from the CLI\"\n}\n"),
        ("README.md", "# Published with tfreg\n"),
        (".terraformignore", "secret.txt\n*.log\n"),
        ("secret.txt", "do not publish"),
        ("debug.log", "noise"),
        (".terraform/modules/junk.tf", "junk"),
        (".git/config", "[core]"),
        ("modules/child/main.tf", "variable \"x\" { default = 1 }\n"),
    ] {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

terraform_test! {
fn login_publish_and_install_with_terraforms_own_credentials() {
    let server = Server::start(&[]);
    let root = tempfile::tempdir().unwrap();
    let dir = module_dir(root.path());
    let work = Workdir::new(&server, None, &format!(
        "module \"m\" {{\n  source  = \"{}/acme/cli/aws\"\n  version = \"1.0.0\"\n}}\noutput \"greeting\" {{ value = module.m.greeting }}\n",
        server.host()
    ));
    // Terraform's home in the work folder: where `tfreg login` writes, and Terraform reads.
    let home = work.path().parent().unwrap().join("home");
    let (host, cert) = (server.host(), server.cert.display().to_string());

    let (ok, printed) = tfreg(&home, &["login", &host, "--token", "tfreg_wrong", "--cacert", &cert]);
    assert!(!ok && printed.contains("not accepted"), "{printed}");
    let (ok, printed) = tfreg(&home, &["login", &host, "--token", MASTER, "--cacert", &cert]);
    assert!(ok, "{printed}");
    let credentials = home.join(".terraform.d/credentials.tfrc.json");
    let stored: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&credentials).unwrap()).unwrap();
    assert_eq!(stored["credentials"][&host]["token"], MASTER);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&credentials).unwrap().permissions().mode() & 0o777, 0o600);

    let dir_text = dir.display().to_string();
    let publish = ["publish", "module", &dir_text, "--registry", &host, "--address", "acme/cli/aws", "--version", "1.0.0", "--cacert", &cert];
    let (ok, printed) = tfreg(&home, &publish);
    assert!(ok, "{printed}");
    assert!(printed.contains(&format!("source  = \"{host}/acme/cli/aws\"")), "{printed}");
    let (ok, printed) = tfreg(&home, &publish);
    assert!(!ok && printed.contains("already published"), "a second publish is refused: {printed}");

    // What was packed: the module's files, not what .terraformignore, .terraform/ and .git/ hold.
    let client = server.client();
    let download = client.get(server.url("/v1/modules/acme/cli/aws/1.0.0/download")).bearer_auth(MASTER).send().unwrap();
    let link = download.headers()["x-terraform-get"].to_str().unwrap().to_owned();
    let link = if link.starts_with('/') { server.url(&link) } else { link };
    let archive = client.get(link).send().unwrap().bytes().unwrap();
    let mut names: Vec<String> = tar::Archive::new(flate2::read::GzDecoder::new(&archive[..]))
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["README.md", "main.tf", "modules/child/main.tf"]);

    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains("Terraform has been successfully initialized"), "{init}");
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: serde_json::Value = serde_json::from_str(&work.ok(&["output", "-json"])).unwrap();
    assert_eq!(outputs["greeting"]["value"], "hello from the CLI");

    let (ok, printed) = tfreg(&home, &["logout", &host]);
    assert!(ok, "{printed}");
    let stored: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&credentials).unwrap()).unwrap();
    assert!(stored["credentials"].get(&host).is_none());
}
}

#[test]
fn a_module_can_go_through_an_upload_session() {
    let server = Server::start(&[]);
    let root = tempfile::tempdir().unwrap();
    let dir = module_dir(root.path());
    let home = root.path().join("home");
    let (host, cert) = (server.host(), server.cert.display().to_string());
    assert!(tfreg(&home, &["login", &host, "--token", MASTER, "--cacert", &cert]).0);
    let dir_text = dir.display().to_string();
    let args = [
        "publish",
        "module",
        &dir_text,
        "--registry",
        &host,
        "--address",
        "acme/big/aws",
        "--version",
        "2.0.0",
    ];
    let (ok, printed) = tfreg(
        &home,
        &[&args[..], &["--upload-session", "--cacert", &cert, "--description", "Through a session"]].concat(),
    );
    assert!(ok, "{printed}");
    let detail = support::json(
        server.client().get(server.url("/v1/modules/acme/big/aws/2.0.0")).bearer_auth(MASTER).send().unwrap(),
    );
    assert_eq!(detail["description"], "Through a session", "{detail}");
    let sessions: Vec<String> = server
        .client()
        .get(server.url("/v1/audit?limit=20"))
        .bearer_auth(MASTER)
        .send()
        .unwrap()
        .text()
        .map(|t| t.matches("upload.create").map(str::to_owned).collect())
        .unwrap();
    assert_eq!(sessions.len(), 1, "one upload session was opened");
}

#[test]
fn tokens_pins_and_the_audit_trail_from_the_command_line() {
    let upstream = Server::start(&["--anonymous-read"]);
    let archive = support::tar_gz("", &[("main.tf", "output \"x\" { value = 1 }\n")]);
    assert_eq!(upstream.publish("hashicorp/consul/aws", "0.11.0", archive, MASTER).status(), 201);
    let cert = upstream.cert.display().to_string();
    let server = Server::start_with_env(
        &["--upstream", &upstream.url(""), "--upstream-ttl-secs", "0"],
        &[("SSL_CERT_FILE", &cert)],
    );
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    let (host, cert) = (server.host(), server.cert.display().to_string());
    assert!(tfreg(&home, &["login", &host, "--token", MASTER, "--cacert", &cert]).0);
    let at = ["--registry", host.as_str(), "--cacert", cert.as_str()];
    let run = |args: &[&str]| {
        let (ok, printed) = tfreg(&home, &[args, &at[..]].concat());
        assert!(ok, "tfreg {args:?}: {printed}");
        printed
    };

    let created = run(&[
        "token",
        "create",
        "--tier",
        "uploader",
        "--namespace",
        "acme",
        "--days",
        "7",
        "--description",
        "ci",
        "--output",
        "json",
    ]);
    let created: serde_json::Value = serde_json::from_str(&created).unwrap();
    let (id, token) =
        (created["id"].as_str().unwrap().to_owned(), created["token"].as_str().unwrap().to_owned());
    let listed = run(&["token", "list"]);
    assert!(
        listed.contains(&id)
            && listed.contains("uploader")
            && listed.contains("acme")
            && !listed.contains(&token),
        "{listed}"
    );
    assert!(run(&["token", "revoke", &id]).contains("revoked"));
    let (ok, printed) = tfreg(&home, &[&["token", "revoke", &id][..], &at[..]].concat());
    assert!(!ok && printed.contains("404"), "revoking twice says so: {printed}");

    assert!(run(&["pin", "add", "hashicorp/consul/aws", "--version", "0.11.0"]).contains("pinned"));
    let pins = run(&["pin", "list"]);
    assert!(pins.contains("hashicorp/consul/aws 0.11.0"), "{pins}");
    assert!(run(&["pin", "remove", "hashicorp/consul/aws", "--version", "0.11.0"]).contains("unpinned"));

    let trail = run(&["audit", "--limit", "10"]);
    for action in ["token.create", "token.revoke", "module.pin", "module.unpin"] {
        assert!(trail.contains(action), "{action}: {trail}");
    }
    let (ok, printed) = tfreg(&home, &["token", "list", "--registry", "127.0.0.1:1", "--cacert", &cert]);
    assert!(!ok && !printed.is_empty(), "no token for that host: {printed}");
}

terraform_test! {
fn a_provider_release_folder_is_published_and_installed() {
    let server = Server::start(&[]);
    let root = tempfile::tempdir().unwrap();
    let dist = root.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let binary = std::fs::read(support::null_provider()).unwrap();
    let real = support::provider_zip("terraform-provider-null_v2.1.2_x4", &binary);
    std::fs::write(dist.join("terraform-provider-null_2.1.2_linux_amd64.zip"), real).unwrap();
    let other = support::provider_zip("terraform-provider-null_v2.1.2_x4", b"not for this machine");
    std::fs::write(dist.join("terraform-provider-null_2.1.2_darwin_arm64.zip"), other).unwrap();
    std::fs::write(
        dist.join("terraform-provider-null_2.1.2_manifest.json"),
        r#"{"version": 1, "metadata": {"protocol_versions": ["5.0"]}}"#,
    )
    .unwrap();
    std::fs::write(dist.join("checksums.txt"), "ignored").unwrap();

    let main_tf = format!(
        "terraform {{\n  required_providers {{\n    null = {{\n      source  = \"{}/acme/null\"\n      version = \"2.1.2\"\n    }}\n  }}\n}}\nresource \"null_resource\" \"n\" {{}}\n",
        server.host()
    );
    let work = Workdir::new(&server, None, &main_tf);
    let home = work.path().parent().unwrap().join("home");
    let (host, cert) = (server.host(), server.cert.display().to_string());
    assert!(tfreg(&home, &["login", &host, "--token", MASTER, "--cacert", &cert]).0);
    let dist_text = dist.display().to_string();
    let publish = ["publish", "provider", &dist_text, "--registry", &host, "--address", "acme/null", "--cacert", &cert];
    let (ok, printed) = tfreg(&home, &publish);
    assert!(ok, "{printed}");
    assert!(printed.contains("linux_amd64: published") && printed.contains("darwin_arm64: published"), "{printed}");
    assert!(printed.contains(&format!("source  = \"{host}/acme/null\"")), "{printed}");
    let (ok, printed) = tfreg(&home, &publish);
    assert!(ok && printed.contains("linux_amd64: already published"), "running again finishes, not fails: {printed}");

    let versions = support::json(server.client().get(server.url("/v1/providers/acme/null/versions")).bearer_auth(MASTER).send().unwrap());
    assert_eq!(versions["versions"][0]["platforms"].as_array().unwrap().len(), 2, "{versions}");
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains("Installed"), "{init}");
}
}

#[test]
fn credentials_blocks_and_ssl_cert_file_serve_the_client_as_they_serve_terraform() {
    let server = Server::start(&[]);
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let host = server.host();
    let config = root.path().join("cli.tfrc");
    std::fs::write(&config, format!("credentials \"{host}\" {{\n  token = \"{MASTER}\"\n}}\n")).unwrap();
    let client = |extra: &[(&str, &str)], args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tfreg"))
            .args(args)
            .env("HOME", &home)
            .env("TFREG_LOG", "warn")
            .env("TF_CLI_CONFIG_FILE", &config)
            .env("SSL_CERT_FILE", &server.cert)
            .envs(extra.iter().copied())
            .output()
            .unwrap();
        let printed =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), printed)
    };
    // No login and no --cacert: the block gives the token, SSL_CERT_FILE the trust.
    let (ok, printed) = client(&[], &["token", "list", "--registry", &host, "--output", "json"]);
    assert!(ok, "{printed}");
    assert!(printed.trim_start().starts_with('{') || printed.trim_start().starts_with('['), "{printed}");
    // TF_TOKEN_{host} comes first, as in Terraform: a wrong one is refused.
    let (ok, printed) = client(
        &[("TF_TOKEN_127_0_0_1", "tfreg_not-a-token-at-all-000")],
        &["token", "list", "--registry", &host],
    );
    assert!(!ok && printed.contains("401"), "{printed}");
    // Signing in while a block names the host says which token wins.
    let (ok, printed) = client(&[], &["login", &host, "--token", MASTER]);
    assert!(ok && printed.contains("has a credentials block"), "{printed}");
}
