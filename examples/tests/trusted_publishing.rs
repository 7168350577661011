//! End to end: CI jobs publish with their own identity instead of a stored secret ("trusted
//! publishing"). The OIDC tokens are issued by a real OpenID provider on 127.0.0.1 (panva's
//! `oidc-provider`, `scripts/oidc-provider.mjs`), with the claims GitHub Actions and GitLab CI
//! put in theirs; AWS callers are checked by moto's STS (`scripts/sts-server.sh`), with
//! credentials of roles assumed there. The real `tfreg` client runs `publish --oidc`, `login
//! --oidc` and `publish --aws` as a CI job would; the real Terraform CLIs (1.0.3 and 1.11.4)
//! then install what the jobs published.
//!
//! Node.js, the provider and moto are required; with `TFREG_REQUIRE_TOOLS=1` (or on CI) a
//! missing one fails the test.

#[macro_use]
mod support;
#[path = "support/oidc.rs"]
mod oidc;
#[path = "../../registry-storage/tests/support/servers.rs"]
mod servers;

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use support::{Server, Workdir, MASTER};

/// A module folder at `root/name`.
fn module_dir(root: &Path, name: &str, greeting: &str) -> String {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), format!("output \"greeting\" {{ value = \"{greeting}\" }}\n"))
        .unwrap();
    dir.display().to_string()
}

/// Runs `tfreg ARGS` as a CI job with `env` (and a HOME of its own): success and what it printed.
fn job(server: &Server, home: &Path, env: &[(&str, String)], args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tfreg"))
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env("TFREG_LOG", "warn")
        .env("SSL_CERT_FILE", &server.cert)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), printed)
}

fn trust(server: &Server, rule: Value) -> String {
    let created = server
        .client()
        .post(server.url("/v1/auth/trust"))
        .bearer_auth(MASTER)
        .body(rule.to_string())
        .send()
        .unwrap();
    assert_eq!(created.status(), 201);
    support::json(created)["id"].as_str().unwrap().to_owned()
}

terraform_test! {
fn ci_jobs_publish_with_their_own_identity() {
    if !oidc::provider_present() {
        return;
    }
    let (sts, credentials) = servers::sts(&["ci-publisher", "developer"]);
    let sts_url = format!("http://127.0.0.1:{}/", sts.port);
    let port = oidc::free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let server = Server::start(&["--aws-sts-url", &sts_url]);
    let _provider = oidc::start_provider(port, "unused-client-secret", &server.url("/oauth/callback"));
    let host = server.host();

    // The master's rules: GitHub tag workflows of the repository, GitLab tag pipelines of the
    // project, and the AWS role ci-publisher, each an uploader for acme.
    let github = trust(&server, json!({
        "issuer": issuer, "claims": {"repository": "acme/terraform-aws-network", "ref": "refs/tags/v*", "workflow": "release"},
        "tier": "uploader", "namespaces": ["acme"], "lifetime_secs": 600,
    }));
    let gitlab = trust(&server, json!({
        "issuer": issuer, "audience": "https://registry.acme.example",
        "claims": {"project_path": "acme/terraform-aws-network", "ref_type": "tag", "ref_protected": "true"},
        "tier": "uploader", "namespaces": ["acme"],
    }));
    let aws = trust(&server, json!({
        "issuer": "aws", "audience": host,
        "claims": {"role": "arn:aws:iam::123456789012:role/ci-publisher", "account": "123456789012"},
        "tier": "uploader", "namespaces": ["acme"],
    }));
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let publish = |version: &str, greeting: &str, extra: &[&str]| {
        let dir = module_dir(root.path(), version, greeting);
        let mut args = vec!["publish", "module", &dir, "--registry", &host, "--address", "acme/network/aws", "--version", version];
        args.extend_from_slice(extra);
        args.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()
    };
    let run = |env: &[(&str, String)], args: &[String]| {
        job(&server, &home, env, &args.iter().map(String::as_str).collect::<Vec<_>>())
    };

    // A GitHub Actions job of a tag: `tfreg publish --oidc` asks the Actions token service for
    // its OIDC token and trades it; no token is stored anywhere.
    let actions_url = format!("{issuer}/_ci/token");
    let actions = |job: &'static str| vec![("ACTIONS_ID_TOKEN_REQUEST_URL", actions_url.clone()), ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", job.to_owned())];
    let tag_job = actions("github-tag");
    let (ok, printed) = run(&tag_job, &publish("1.1.0", "from github", &["--oidc"]));
    assert!(ok, "{printed}");
    assert!(printed.contains("published acme/network/aws 1.1.0"), "{printed}");
    assert!(!home.join(".terraform.d/credentials.tfrc.json").exists(), "publish --oidc stores nothing");
    // A branch's job: refused, naming the rule and the claim.
    let branch_job = actions("github-branch");
    let (ok, printed) = run(&branch_job, &publish("1.1.1", "from a branch", &["--oidc"]));
    assert!(!ok, "{printed}");
    assert!(printed.contains(&format!("rule {github}: claim ref is \"refs/heads/main\"")), "{printed}");

    // A GitLab CI job: its `id_tokens` token (audience https://registry.acme.example) in
    // TFREG_OIDC_TOKEN; `tfreg login --oidc` stores the short-lived token, and a plain
    // `tfreg publish` uses it.
    let gitlab_token = oidc::ci_token(port, "gitlab-tag", "https://registry.acme.example");
    let gitlab_job = [("TFREG_OIDC_TOKEN", gitlab_token), ("TFREG_AUDIENCE", "https://registry.acme.example".to_owned())];
    let login: Vec<String> = ["login", &host, "--oidc"].iter().map(|s| (*s).to_owned()).collect();
    let (ok, printed) = run(&gitlab_job, &login);
    assert!(ok, "{printed}");
    assert!(printed.contains("as uploader for acme until") && printed.contains(&gitlab), "{printed}");
    let (ok, printed) = run(&[], &publish("1.2.0", "from gitlab", &[]));
    assert!(ok, "{printed}");
    // The GitHub token is not for that audience, and the GitLab token not for GitHub's rule.
    let github_token = oidc::ci_token(port, "github-tag", "https://registry.acme.example");
    let exchange = |body: Value| server.client().post(server.url("/v1/auth/exchange")).body(body.to_string()).send().unwrap();
    let refused = exchange(json!({"token": github_token}));
    assert_eq!(refused.status(), 403);
    assert!(support::json(refused)["errors"][0].as_str().unwrap().contains(&format!("rule {gitlab}: claim project_path is missing")));

    // The provider's own token, tampered with or for another audience: 401, nothing minted.
    let token = oidc::ci_token(port, "github-tag", "tfreg");
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].replacen('e', "f", 1);
    assert_ne!(parts.join("."), token, "the payload changed");
    let refused = exchange(json!({"token": parts.join(".")}));
    assert_eq!(refused.status(), 401, "a tampered token");
    let refused = exchange(json!({"token": oidc::ci_token(port, "github-tag", "someone-else")}));
    assert_eq!(refused.status(), 401, "another audience");

    // An AWS job with the role ci-publisher's credentials: `tfreg publish --aws` signs
    // GetCallerIdentity, the registry forwards it to STS and matches the role.
    let role = |name: &str, field: &str| credentials[name][field].as_str().unwrap().to_owned();
    let aws_job = |name: &str| {
        vec![
            ("AWS_ACCESS_KEY_ID", role(name, "AccessKeyId")),
            ("AWS_SECRET_ACCESS_KEY", role(name, "SecretAccessKey")),
            ("AWS_SESSION_TOKEN", role(name, "SessionToken")),
            ("TFREG_AWS_STS_URL", sts_url.clone()),
            ("TFREG_AUDIENCE", host.clone()),
        ]
    };
    let publisher = aws_job("ci-publisher");
    let (ok, printed) = run(&publisher, &publish("1.3.0", "from aws", &["--aws"]));
    assert!(ok, "{printed}");
    let developer = aws_job("developer");
    let (ok, printed) = run(&developer, &publish("1.3.1", "from a developer", &["--aws"]));
    assert!(!ok, "{printed}");
    assert!(printed.contains(&format!("rule {aws}: claim role is \"arn:aws:iam::123456789012:role/developer\"")), "{printed}");
    // Signed for another audience: refused before anything reaches STS.
    let mut other = publisher.clone();
    other.retain(|(k, _)| *k != "TFREG_AUDIENCE");
    let (ok, printed) = run(&other, &publish("1.3.2", "elsewhere", &["--aws"]));
    assert!(!ok && printed.contains("audience"), "{printed}");

    // Each minted token names who it was for; every exchange is audited.
    let tokens = support::json(server.client().get(server.url("/v1/tokens")).bearer_auth(MASTER).send().unwrap());
    let owners: Vec<&str> = tokens["tokens"].as_array().unwrap().iter().filter_map(|t| t["owner"]["subject"].as_str()).collect();
    for owner in ["repo:acme/terraform-aws-network:ref:refs/tags/v1.1.0", "project_path:acme/terraform-aws-network:ref_type:tag:ref:v1.1.0", "arn:aws:sts::123456789012:assumed-role/ci-publisher/job-42"] {
        assert!(owners.contains(&owner), "{owner} in {owners:?}");
    }
    let audit = support::json(server.client().get(server.url("/v1/audit?limit=200")).bearer_auth(MASTER).send().unwrap());
    let exchanges: Vec<&Value> = audit["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "token.exchange").collect();
    assert_eq!(exchanges.iter().filter(|e| e["outcome"] == "success").count(), 3, "{exchanges:?}");
    assert!(exchanges.iter().filter(|e| e["outcome"] != "success").count() >= 3, "{exchanges:?}");

    // What the jobs published installs with the real Terraform CLI.
    let main_tf = format!("module \"network\" {{\n  source  = \"{host}/acme/network/aws\"\n  version = \"~> 1.1\"\n}}\noutput \"greeting\" {{ value = module.network.greeting }}\n");
    let work = Workdir::new(&server, Some(MASTER), &main_tf);
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains("1.3.0"), "{init}");
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: Value = serde_json::from_str(&work.ok(&["output", "-json"])).unwrap();
    assert_eq!(outputs["greeting"]["value"], "from aws");
    let versions = support::json(server.client().get(server.url("/v1/modules/acme/network/aws/versions")).bearer_auth(MASTER).send().unwrap());
    let listed: Vec<&str> = versions["modules"][0]["versions"].as_array().unwrap().iter().filter_map(|v| v["version"].as_str()).collect();
    assert_eq!(listed.len(), 3, "{listed:?}: nothing a refused job sent was stored");
}
}
