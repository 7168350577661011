//! End to end, version lifecycle with the real Terraform CLIs (1.0.3 and 1.11.4) against the
//! real server over TLS: a module version yanked with `tfreg module yank` is passed over by
//! `~>`, and a provider version deprecated through the API shows its message in
//! `terraform init`'s output; both changes are in the audit trail.

#[macro_use]
mod support;

use std::process::Command;

use support::{null_and_module, null_provider, provider_zip, tar_gz, Server, Workdir, MASTER};

/// Runs `tfreg ARGS` on the server's store; what it printed, after checking it succeeded.
fn tfreg(server: &Server, args: &[&str]) -> String {
    let store = format!("file://{}", server.data.path().join("store").display());
    let out = Command::new(env!("CARGO_BIN_EXE_tfreg"))
        .args(args)
        .env("TFREG_STORAGE", store)
        .env("TFREG_LOG", "warn")
        .output()
        .expect("run tfreg");
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "tfreg {args:?}: {printed}{}", String::from_utf8_lossy(&out.stderr));
    printed
}

terraform_test! {
fn yanked_versions_are_passed_over_and_deprecated_providers_warn() {
    // No caching, so the server sees what `tfreg module yank` writes to the store at once
    // (otherwise within its cache TTL).
    let server = Server::start(&["--cache-ttl-secs", "0"]);
    for version in ["1.0.0", "1.1.0", "1.1.1"] {
        let archive = tar_gz("", &[("main.tf", &format!("output \"version\" {{ value = \"{version}\" }}\n"))]);
        assert_eq!(server.publish("acme/net/aws", version, archive, MASTER).status(), 201);
    }
    let package = provider_zip("terraform-provider-null_v2.1.2_x4", &std::fs::read(null_provider()).unwrap());
    let client = server.client();
    assert_eq!(server.publish_provider("acme/null/2.1.2/linux/amd64", package, MASTER).status(), 201);

    let yanked = tfreg(&server, &["module", "yank", "acme/net/aws", "1.1.1", "--reason", "breaks routing", "--actor", "cli:e2e"]);
    assert!(yanked.contains("\"reason\": \"breaks routing\"") || yanked.contains("\"reason\":\"breaks routing\""), "{yanked}");
    let message = "null 2.1.2 is end of life; move to acme/null 3.x";
    let deprecated = client
        .put(server.url("/v1/providers/acme/null/2.1.2/deprecation"))
        .bearer_auth(MASTER)
        .body(serde_json::json!({ "message": message, "link": "https://wiki.example.com/null" }).to_string())
        .send()
        .unwrap();
    assert_eq!(deprecated.status(), 200, "{}", deprecated.text().unwrap());

    let host = server.host();
    let main_tf = null_and_module(&format!("{host}/acme/null"), &format!("{host}/acme/net/aws"), "~> 1.1", "version");
    let work = Workdir::new(&server, Some(MASTER), &main_tf);
    let init = work.ok(&["init", "-no-color"]);
    // Terraform wraps the warning's lines.
    let words = init.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("Additional provider information from registry"), "{init}");
    assert!(
        words.contains(&format!("Version 2.1.2 of acme/null is deprecated: {message} More: https://wiki.example.com/null")),
        "terraform init shows the deprecation:\n{init}"
    );
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: serde_json::Value = serde_json::from_str(&work.ok(&["output", "-json"])).unwrap();
    assert_eq!(outputs["version"]["value"], "1.1.0", "~> 1.1 passes over the yanked 1.1.1");

    // Unyanked, the next init picks it again.
    tfreg(&server, &["module", "unyank", "acme/net/aws", "1.1.1"]);
    let again = Workdir::new(&server, Some(MASTER), &main_tf);
    again.ok(&["init", "-no-color"]);
    again.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: serde_json::Value = serde_json::from_str(&again.ok(&["output", "-json"])).unwrap();
    assert_eq!(outputs["version"]["value"], "1.1.1");

    let audit = support::json(client.get(server.url("/v1/audit?limit=10")).bearer_auth(MASTER).send().unwrap());
    let entries: Vec<(String, String)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_owned(), e["actor"].as_str().unwrap().to_owned()))
        .collect();
    assert!(entries.contains(&("module.yank".into(), "cli:e2e".into())), "{entries:?}");
    assert!(entries.iter().any(|(action, _)| action == "provider.deprecate"), "{entries:?}");
    assert!(entries.iter().any(|(action, actor)| action == "module.unyank" && actor.starts_with("cli:")), "{entries:?}");
}
}
