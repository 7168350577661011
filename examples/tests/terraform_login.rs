//! End to end: `terraform login` through a real OpenID Connect provider. The provider is panva's
//! `oidc-provider` on 127.0.0.1 (`scripts/oidc-provider.mjs`, installed from npm by
//! `scripts/install-tools.sh`); the registry is the real `tfreg` server over TLS, configured
//! with `--oidc-issuer`; the real Terraform CLIs (1.0.3 and 1.11.4) run `terraform login`, and
//! the test plays the browser: it follows the URL Terraform prints, signs in at the provider,
//! consents, and lands back on Terraform's loopback listener. The token lands in Terraform's
//! credentials file, carries the tier and namespaces the claim rules give, is listed with its
//! owner, and `terraform init` installs a module with it.
//!
//! Node.js and the provider are required; with `TFREG_REQUIRE_TOOLS=1` (or on CI) a missing one
//! fails the test.

#[macro_use]
mod support;
#[path = "support/oidc.rs"]
mod oidc;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Server, Workdir, MASTER};

const CLIENT_SECRET: &str = "the-registry-client-secret-0123456789";

const RULES: &str = r#"{
  "rules": [
    {"claim": "groups", "value": "platform-admins", "tier": "master"},
    {"claim": "groups", "value": "team-a", "tier": "uploader", "namespaces": ["team-a"]}
  ],
  "default": {"tier": "downloader"}
}"#;

/// The value of `attr="..."` in `tag`.
fn attribute<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let start = tag.find(&format!("{attr}=\""))? + attr.len() + 2;
    tag[start..].split('"').next()
}

/// Follows redirects from `answer` as a browser does, each a GET (sent again when the
/// connection drops before an answer: the provider closes connections under load, and a GET of
/// these pages changes nothing); the page it ends on.
fn follow(
    browser: &reqwest::blocking::Client,
    mut answer: reqwest::blocking::Response,
) -> Option<reqwest::blocking::Response> {
    for _ in 0..10 {
        if !answer.status().is_redirection() {
            return Some(answer);
        }
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        let next = answer.url().join(&location).unwrap();
        if next.host_str() == Some("localhost") && next.path() == "/login" {
            // Terraform's listener takes one request and shuts down, which may cut the answer
            // short: whether the sign-in worked is for `terraform login`'s exit status to say.
            return browser.get(next).send().ok();
        }
        answer = (0..3)
            .find_map(|_| browser.get(next.clone()).send().ok())
            .unwrap_or_else(|| panic!("GET {next} failed three times"));
    }
    panic!("too many redirects");
}

/// Plays the browser from `url` on: every page of the provider is a form (sign-in, then
/// consent), filled in and sent, until a redirect lands on Terraform's listener.
fn browse(url: &str, login: &str, cert: &Path) -> String {
    let cert = reqwest::Certificate::from_pem(&std::fs::read(cert).unwrap()).unwrap();
    let browser = reqwest::blocking::Client::builder()
        .cookie_store(true)
        // A fresh connection for each request: the provider closes idle ones.
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .add_root_certificate(cert)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut page = follow(&browser, browser.get(url).send().unwrap());
    for _ in 0..5 {
        let Some(current) = page else { return String::new() };
        let at = current.url().clone();
        let status = current.status();
        let html = current.text().unwrap();
        if at.host_str() == Some("localhost") && at.path() == "/login" {
            assert!(status.is_success(), "Terraform's listener answered {status}: {html}");
            return html;
        }
        assert!(status.is_success(), "{at} answered {status}: {html}");
        let form =
            html.find("<form").map(|i| &html[i..]).unwrap_or_else(|| panic!("no form at {at}: {html}"));
        let action = attribute(form, "action").unwrap().to_owned();
        let prompt =
            form.find("name=\"prompt\"").map(|i| attribute(&form[i..], "value").unwrap().to_owned()).unwrap();
        let mut fields = vec![("prompt".to_owned(), prompt.clone())];
        if prompt == "login" {
            fields.push(("login".to_owned(), login.to_owned()));
            fields.push(("password".to_owned(), "any password".to_owned()));
        }
        let action = at.join(&action).unwrap();
        page = follow(&browser, browser.post(action).form(&fields).send().unwrap());
    }
    panic!("the sign-in never came back to Terraform");
}

/// `terraform login HOST` in `work`'s home, signing in as `login`; Terraform's output.
fn terraform_login(work: &Workdir, server: &Server, login: &str) -> String {
    let home = work.dir.path().join("home");
    std::fs::create_dir_all(home.join(".terraform.d")).unwrap();
    let mut child = Command::new(support::terraform())
        .args(["login", "-no-color", &server.host()])
        .env_clear()
        // No xdg-open: Terraform prints the URL, and no real browser starts.
        .env("PATH", work.dir.path())
        .env("HOME", &home)
        .env("SSL_CERT_FILE", &server.cert)
        .env("CHECKPOINT_DISABLE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"yes\n").unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let started = Instant::now();
    let mut printed = String::new();
    let url = loop {
        let line = rx.recv_timeout(Duration::from_secs(60)).expect("terraform login printed no URL");
        printed.push_str(&line);
        printed.push('\n');
        if let Some(at) = line.find("https://").filter(|_| line.contains("/oauth/authorization")) {
            break line[at..].trim().to_owned();
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{printed}");
    };
    assert!(url.contains("code_challenge_method=S256") && url.contains("client_id=terraform-cli"), "{url}");
    browse(&url, login, &server.cert);
    let status = child.wait().unwrap();
    printed.extend(rx.try_iter().map(|l| l + "\n"));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "terraform login failed:\n{printed}\n{stderr}");
    printed
}

/// The token `terraform login` saved for the server.
fn saved_token(work: &Workdir, server: &Server) -> String {
    let file = work.dir.path().join("home/.terraform.d/credentials.tfrc.json");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    saved["credentials"][server.host()]["token"].as_str().unwrap().to_owned()
}

terraform_test! {
fn terraform_login_signs_in_through_the_openid_provider() {
    if !oidc::provider_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (secret, rules) = (dir.path().join("client-secret"), dir.path().join("rules.json"));
    std::fs::write(&secret, CLIENT_SECRET).unwrap();
    std::fs::write(&rules, RULES).unwrap();
    let port = oidc::free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let (secret, rules) = (secret.display().to_string(), rules.display().to_string());
    let server = Server::start(&[
        "--oidc-issuer", &issuer,
        "--oidc-client-id", "tfreg",
        "--oidc-client-secret-file", &secret,
        "--oidc-rules", &rules,
        "--oidc-scopes", "openid,email,profile,groups",
    ]);
    let _provider = oidc::start_provider(port, CLIENT_SECRET, &server.url("/oauth/callback"));

    let discovery = support::json(server.client().get(server.url("/.well-known/terraform.json")).send().unwrap());
    assert_eq!(discovery["login.v1"]["client"], "terraform-cli", "{discovery}");
    assert_eq!(discovery["login.v1"]["grant_types"], serde_json::json!(["authz_code"]));

    // A module to install with the token.
    let files = [("main.tf", "output \"greeting\" { value = \"signed in\" }\n")];
    let published = server.publish("acme/hello/aws", "1.0.0", support::tar_gz("", &files), MASTER);
    assert_eq!(published.status(), 201);

    // Alice (platform-admins) signs in: a master-tier token for her, in the credentials file.
    let host = server.host();
    let main_tf = format!("module \"hello\" {{\n  source  = \"{host}/acme/hello/aws\"\n  version = \"1.0.0\"\n}}\noutput \"greeting\" {{ value = module.hello.greeting }}\n");
    let work = Workdir::new(&server, None, &main_tf);
    let printed = terraform_login(&work, &server, "alice");
    assert!(printed.contains("Success!"), "{printed}");
    let token = saved_token(&work, &server);
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains("Terraform has been successfully initialized"), "{init}");
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: Value = serde_json::from_str(&work.ok(&["output", "-json"])).unwrap();
    assert_eq!(outputs["greeting"]["value"], "signed in");

    let tokens = support::json(server.client().get(server.url("/v1/tokens")).bearer_auth(&token).send().unwrap());
    let alice = tokens["tokens"].as_array().unwrap().iter().find(|t| t["owner"]["subject"] == "alice").unwrap().clone();
    assert_eq!(alice["tier"], "master", "{alice}");
    assert_eq!(alice["owner"]["email"], "alice@acme.example");
    assert_eq!(alice["owner"]["issuer"], issuer.as_str());
    assert!(alice["expires_at"].is_string(), "a minted token expires");

    // Bob (team-a): an uploader for team-a only. Carol (no group): the default, downloader.
    for (login, tier, namespaces) in [("bob", "uploader", serde_json::json!(["team-a"])), ("carol", "downloader", Value::Null)] {
        let work = Workdir::new(&server, None, "");
        terraform_login(&work, &server, login);
        let token = saved_token(&work, &server);
        let tokens = support::json(server.client().get(server.url("/v1/tokens")).bearer_auth(MASTER).send().unwrap());
        let view = tokens["tokens"].as_array().unwrap().iter().find(|t| t["owner"]["subject"] == login).unwrap().clone();
        assert_eq!((view["tier"].as_str(), &view["namespaces"]), (Some(tier), &namespaces), "{view}");
        // The token works, within its tier.
        let read = server.client().get(server.url("/v1/modules/acme/hello/aws/versions")).bearer_auth(&token).send().unwrap();
        assert_eq!(read.status(), if login == "bob" { 403 } else { 200 }, "{login} reads acme");
        // Revocable like every token.
        let id = view["id"].as_str().unwrap();
        let revoked = server.client().delete(server.url(&format!("/v1/tokens/{id}"))).bearer_auth(MASTER).send().unwrap();
        assert_eq!(revoked.status(), 204);
        let after = server.client().get(server.url("/v1/modules/acme/hello/aws/versions")).bearer_auth(&token).send().unwrap();
        assert_eq!(after.status(), 401);
    }

    // Every sign-in is audited.
    let audit = support::json(server.client().get(server.url("/v1/audit?limit=100")).bearer_auth(MASTER).send().unwrap());
    let signins = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "login.signin" && e["outcome"] == "success").count();
    assert_eq!(signins, 3, "{audit}");

    // A code is good once: Terraform's exchange is not repeatable.
    let replay = server.client().post(server.url("/oauth/token"))
        .form(&[("grant_type", "authorization_code"), ("code", "made-up"), ("client_id", "terraform-cli"), ("redirect_uri", "http://localhost:10000/login"), ("code_verifier", "x")])
        .send().unwrap();
    assert_eq!(replay.status(), 400);
    assert_eq!(support::json(replay)["error"], "invalid_grant");
}
}
