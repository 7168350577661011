//! End to end: a GitHub App publishes modules that the real Terraform CLIs (1.0.3 and 1.11.4)
//! install from the real `tfreg` server over TLS. GitHub is a stand-in on 127.0.0.1
//! (`terraform_github_app/github_api.rs`) serving real git repositories the test makes; the
//! webhook bodies are the documented payloads in `registry-core/tests/scm/fixtures/`, signed
//! with the App's webhook secret as GitHub signs them. The App's RSA key is made by the test
//! and its JWTs are checked by the stand-in against the public half.
//!
//! install -> namespace and modules with every version tag -> a pushed tag is a new version
//! Terraform installs -> a redelivery publishes nothing twice -> an added repository -> an
//! uninstall takes the namespace away, and a reinstall brings it back. And a GitLab source:
//! its tag push hook, with GitLab's API stood in by the same server, publishes a version too.
//!
//! `git` is installed by `scripts/install-tools.sh`; with `TFREG_REQUIRE_TOOLS=1` (or on CI) a
//! missing one fails the test.

#[macro_use]
mod support;
#[path = "terraform_github_app/github_api.rs"]
mod github_api;

use std::path::{Path, PathBuf};
use std::process::Command;

use github_api::GitHubApi;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::Value;
use support::{Server, Workdir, MASTER};

const APP_ID: u64 = 777;
const SECRET: &str = "the-app-webhook-secret-0123456789";

fn git_present() -> bool {
    let required = std::env::var_os("TFREG_REQUIRE_TOOLS").is_some() || std::env::var_os("CI").is_some();
    match Command::new("git").arg("--version").output() {
        Ok(out) if out.status.success() => true,
        other => {
            assert!(!required, "git is required (scripts/install-tools.sh): {other:?}");
            eprintln!("skipped: git is missing; run scripts/install-tools.sh");
            false
        }
    }
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=tfreg test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Commits the module at `tag` in the repository `dir` (made if new) and tags it.
fn tag(dir: &Path, tag: &str) {
    if !dir.join(".git").exists() {
        std::fs::create_dir_all(dir).unwrap();
        git(dir, &["init", "-q"]);
    }
    std::fs::write(dir.join("main.tf"), format!("output \"tag\" {{ value = \"{tag}\" }}\n")).unwrap();
    std::fs::write(dir.join("README.md"), format!("# Module at {tag}\n")).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", tag]);
    git(dir, &["tag", tag]);
}

fn fixture(name: &str) -> Vec<u8> {
    fixture_of(&format!("github/{name}"))
}

/// The payload fixture `{host}/{name}.json`.
fn fixture_of(name: &str) -> Vec<u8> {
    let path = format!("{}/../registry-core/tests/scm/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Delivers the fixture `name` as GitHub would, as event `event` with delivery id `id`.
fn deliver(server: &Server, event: &str, name: &str, id: &str) -> (u16, Value) {
    let body = fixture(name);
    let signature = tfreg_core::scm::signature::sign(SECRET.as_bytes(), &body);
    let answer = server
        .client()
        .post(server.url("/v1/webhooks/github"))
        .header("x-github-event", event)
        .header("x-github-delivery", id)
        .header("x-hub-signature-256", signature)
        .header("content-type", "application/json")
        .header("user-agent", "GitHub-Hookshot/5a1b2c3")
        .body(body)
        .send()
        .unwrap();
    let status = answer.status().as_u16();
    (status, serde_json::from_str(&answer.text().unwrap()).unwrap())
}

fn versions(server: &Server, addr: &str) -> Vec<String> {
    let answer = server
        .client()
        .get(server.url(&format!("/v1/modules/{addr}/versions")))
        .bearer_auth(MASTER)
        .send()
        .unwrap();
    if answer.status() == 404 {
        return Vec::new();
    }
    let body = support::json(answer);
    let mut found: Vec<String> = body["modules"][0]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap().to_owned())
        .collect();
    found.sort();
    found
}

/// Terraform installs `acme/network/aws` `version` and reads its output.
fn install(server: &Server, version: &str) -> String {
    install_from(server, "acme/network/aws", version)
}

/// Terraform installs the module `addr` `version` and reads its output.
fn install_from(server: &Server, addr: &str, version: &str) -> String {
    let host = server.host();
    let main_tf = format!(
        "module \"network\" {{\n  source  = \"{host}/{addr}\"\n  version = \"{version}\"\n}}\noutput \"tag\" {{ value = module.network.tag }}\n"
    );
    let work = Workdir::new(server, Some(MASTER), &main_tf);
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains("Terraform has been successfully initialized"), "{init}");
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: Value = serde_json::from_str(&work.ok(&["output", "-json"])).unwrap();
    outputs["tag"]["value"].as_str().unwrap().to_owned()
}

terraform_test! {
fn a_github_app_publishes_what_terraform_installs() {
    if !git_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let key_file = dir.path().join("app.pem");
    std::fs::write(&key_file, key.to_pkcs1_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
    let public = key.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
    let secret_file = dir.path().join("webhook-secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();

    let github = GitHubApi::start(APP_ID, public.as_bytes());
    let repo = |name: &str| -> PathBuf { dir.path().join("repos").join(name) };
    for t in ["v1.0.0", "v1.1.0"] {
        tag(&repo("terraform-aws-network"), t);
    }
    tag(&repo("terraform-google-dns"), "v0.3.0");
    tag(&repo("website"), "v9.0.0");
    tag(&repo("infra-modules"), "v1.0.0");
    for name in ["terraform-aws-network", "terraform-google-dns", "website", "infra-modules"] {
        github.add(&format!("acme/{name}"), repo(name));
    }
    let (app_id, key_path, secret_path, api) =
        (APP_ID.to_string(), key_file.display().to_string(), secret_file.display().to_string(), github.url());
    let server = Server::start(&[
        "--github-app-id", &app_id,
        "--github-app-private-key", &key_path,
        "--github-webhook-secret-file", &secret_path,
        "--github-api-url", &api,
    ]);

    // Installed: the namespace and every module repository's version tags.
    let (status, record) = deliver(&server, "installation", "installation.created", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["status"], "done", "{record}");
    assert_eq!(versions(&server, "acme/network/aws"), ["1.0.0", "1.1.0"]);
    assert_eq!(versions(&server, "acme/dns/google"), ["0.3.0"]);
    assert!(github.state.lock().unwrap().jwts >= 1, "an installation token was bought with the App's JWT");
    assert!(github.seen().iter().any(|r| r.starts_with("GET /codeload/acme/terraform-aws-network/")), "followed GitHub's redirect");
    assert_eq!(install(&server, "1.1.0"), "v1.1.0");

    // A tag pushed: a new version, which Terraform installs.
    tag(&repo("terraform-aws-network"), "v1.2.0");
    let (status, record) = deliver(&server, "push", "push.tag", "d-push-1");
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["results"][0]["outcome"], "published", "{record}");
    assert_eq!(install(&server, "1.2.0"), "v1.2.0");

    // Redelivered: nothing fetched, nothing published twice.
    let tarballs = |g: &GitHubApi| g.seen().iter().filter(|r| r.contains("/tarball/")).count();
    let before = tarballs(&github);
    let (status, again) = deliver(&server, "push", "push.tag", "d-push-1");
    assert_eq!((status, again["attempts"].as_u64()), (200, Some(1)), "{again}");
    assert_eq!(tarballs(&github), before);

    // A repository added to the installation.
    tag(&repo("terraform-aws-vpc"), "v0.1.0");
    github.add("acme/terraform-aws-vpc", repo("terraform-aws-vpc"));
    let (status, record) = deliver(&server, "installation_repositories", "installation_repositories.added", "d-add");
    assert_eq!(status, 200, "{record}");
    assert_eq!(versions(&server, "acme/vpc/aws"), ["0.1.0"]);

    // A wrongly signed delivery is refused.
    let forged = server
        .client()
        .post(server.url("/v1/webhooks/github"))
        .header("x-github-event", "installation")
        .header("x-github-delivery", "forged")
        .header("x-hub-signature-256", tfreg_core::scm::signature::sign(b"not-the-secret-0123456789", &fixture("installation.deleted")))
        .body(fixture("installation.deleted"))
        .send()
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(versions(&server, "acme/network/aws").len(), 3);

    // Uninstalled: gone from the registry; Terraform finds nothing.
    let (status, record) = deliver(&server, "installation", "installation.deleted", "d-uninstall");
    assert_eq!(status, 200, "{record}");
    assert!(versions(&server, "acme/network/aws").is_empty());
    let host = server.host();
    let main_tf = format!("module \"network\" {{\n  source  = \"{host}/acme/network/aws\"\n  version = \"1.2.0\"\n}}\n");
    let work = Workdir::new(&server, Some(MASTER), &main_tf);
    let refused = work.run(&["init", "-no-color"]);
    assert!(!refused.status.success(), "init must fail once the module is withdrawn");

    // Reinstalled within the grace period: restored, without fetching again.
    let before = tarballs(&github);
    let (status, record) = deliver(&server, "installation", "installation.created", "d-reinstall");
    assert_eq!(status, 200, "{record}");
    assert_eq!(versions(&server, "acme/network/aws"), ["1.0.0", "1.1.0", "1.2.0"]);
    assert_eq!(tarballs(&github), before, "restored from the store");
    assert_eq!(install(&server, "1.2.0"), "v1.2.0");

    // A tag whose delivery never came: `tfreg github sync` reads the installation again.
    tag(&repo("terraform-aws-network"), "v1.3.0");
    let home = dir.path().join("home");
    let (host, cert) = (server.host(), server.cert.display().to_string());
    let tfreg = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tfreg")).args(args).env("HOME", &home).env("TFREG_LOG", "warn").output().unwrap();
        let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "tfreg {args:?}: {printed}");
        printed
    };
    tfreg(&["login", &host, "--token", MASTER, "--cacert", &cert]);
    let synced = tfreg(&["github", "sync", "4242", "--registry", &host, "--cacert", &cert]);
    assert!(synced.contains("published") && synced.contains("1.3.0"), "{synced}");
    assert_eq!(install(&server, "1.3.0"), "v1.3.0");
    let printed = tfreg(&["deliveries", "--registry", &host, "--cacert", &cert]);
    assert!(printed.contains("d-push-1") && printed.contains("installation.deleted"), "{printed}");

    // The deliveries as the operator sees them.
    let listed = support::json(server.client().get(server.url("/v1/webhooks/deliveries")).bearer_auth(MASTER).send().unwrap());
    let ids: Vec<&str> = listed["deliveries"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    for id in ["d-push-1", "d-add", "d-uninstall", "d-reinstall"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    assert!(!ids.contains(&"forged"));
}
}

terraform_test! {
fn a_gitlab_tag_push_publishes_what_terraform_installs() {
    if !git_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let public = key.to_public_key().to_public_key_pem(LineEnding::LF).unwrap();
    let api = GitHubApi::start(APP_ID, public.as_bytes());
    let repository = dir.path().join("terraform-aws-network");
    tag(&repository, "v1.1.0");
    tag(&repository, "v1.2.0");
    api.add("acme/terraform-aws-network", repository);
    let server = Server::start(&["--scm-allow-host", "127.0.0.1"]);

    // Registered by the namespace's uploader, with the project access token.
    let (_, uploader) = support::issue(&server, r#"{"tier": "uploader", "namespaces": ["platform"]}"#);
    let created = server
        .client()
        .post(server.url("/v1/sources"))
        .bearer_auth(&uploader)
        .body(serde_json::json!({
            "kind": "gitlab", "namespace": "platform", "repository": "acme/terraform-aws-network",
            "secret": SECRET, "access_token": github_api::GITLAB_TOKEN, "api_url": format!("{}/api/v4", api.url()),
        }).to_string())
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    let hook = support::json(created)["hook_url"].as_str().unwrap().to_owned();

    // GitLab's tag push hook, with the secret token.
    let push = |token: &str, uuid: &str| {
        server
            .client()
            .post(server.url(&hook))
            .header("x-gitlab-event", "Tag Push Hook")
            .header("x-gitlab-token", token)
            .header("x-gitlab-event-uuid", uuid)
            .header("content-type", "application/json")
            .body(fixture_of("gitlab/tag_push"))
            .send()
            .unwrap()
    };
    assert_eq!(push("not-the-secret", "u-0").status(), 401);
    let answer = push(SECRET, "u-1");
    assert_eq!(answer.status(), 200);
    assert_eq!(support::json(answer)["results"][0]["outcome"], "published");
    assert_eq!(versions(&server, "platform/network/aws"), ["1.2.0"]);
    assert!(api.seen().iter().any(|r| r.starts_with("GET /api/v4/projects/acme%2Fterraform-aws-network/repository/archive.tar.gz")));
    assert_eq!(install_from(&server, "platform/network/aws", "1.2.0"), "v1.2.0");

    // The source's sync publishes the tag whose hook never came.
    let sources = support::json(server.client().get(server.url("/v1/sources")).bearer_auth(&uploader).send().unwrap());
    let id = sources["sources"][0]["id"].as_str().unwrap().to_owned();
    let synced = server.client().post(server.url(&format!("/v1/sources/{id}/sync"))).bearer_auth(&uploader).send().unwrap();
    assert_eq!(synced.status(), 200);
    assert_eq!(versions(&server, "platform/network/aws"), ["1.1.0", "1.2.0"]);
    assert_eq!(install_from(&server, "platform/network/aws", "1.1.0"), "v1.1.0");
}
}
