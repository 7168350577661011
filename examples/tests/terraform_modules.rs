//! End to end: the real Terraform CLIs (1.0.3 and 1.11.4) against the real `tfreg` server over TLS on
//! 127.0.0.1, installing modules published through the upload API; what was installed is then
//! found in the catalogue and documented in the version detail.

#[macro_use]
mod support;

use support::{tar_gz, Server, Workdir, MASTER};
use tfreg_core::types::constraint::Constraints;
use tfreg_core::types::version::Version;

fn module_files(version: &str) -> Vec<(String, String)> {
    vec![
        ("main.tf".into(), format!("output \"version\" {{\n  value = \"{version}\"\n}}\n")),
        (
            "modules/child/main.tf".into(),
            format!("output \"greeting\" {{\n  value = \"hello from child {version}\"\n}}\n"),
        ),
        ("README.md".into(), format!("# network {version}\n")),
    ]
}

fn archive(version: &str, prefix: &str) -> Vec<u8> {
    let files = module_files(version);
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, c)| (n.as_str(), c.as_str())).collect();
    tar_gz(prefix, &refs)
}

terraform_test! {
fn terraform_installs_published_modules() {
    let server = Server::start(&[]);
    for (version, prefix) in PUBLISHED {
        let response = server.publish("acme/network/aws", version, archive(version, prefix), MASTER);
        assert_eq!(response.status(), 201, "publish {version}: {}", response.text().unwrap());
    }
    let again = server.publish("acme/network/aws", "1.1.5", archive("1.1.5", ""), MASTER);
    assert_eq!(again.status(), 409, "republishing a version conflicts");

    let host = server.host();
    let mut main_tf = format!(
        r#"
module "child" {{
  source  = "{host}/acme/network/aws//modules/child"
  version = "~> 1.1.0"
}}
output "child" {{ value = module.child.greeting }}
"#
    );
    // Terraform's own choice for each constraint must be the one tfreg_core's constraint logic
    // makes (which "latest" and later pins and proxy filters rely on).
    let published: Vec<Version> = PUBLISHED.iter().map(|(v, _)| Version::parse(v).unwrap()).collect();
    for (i, constraint) in CONSTRAINTS.iter().enumerate() {
        // Mixed case in the address: namespaces and names match case-insensitively.
        let source = if i % 2 == 0 { "acme/network/aws" } else { "Acme/Network/aws" };
        main_tf += &format!(
            "module \"c{i}\" {{\n  source  = \"{host}/{source}\"\n  version = \"{constraint}\"\n}}\noutput \"c{i}\" {{ value = module.c{i}.version }}\n"
        );
    }
    let work = Workdir::new(&server, Some(MASTER), &main_tf);
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains("Terraform has been successfully initialized"), "{init}");
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    let outputs: serde_json::Value = serde_json::from_str(&work.ok(&["output", "-json"])).unwrap();
    assert_eq!(
        outputs["child"]["value"], "hello from child 1.1.5",
        "//modules/child resolves in the archive"
    );
    for (i, (constraint, expected)) in CONSTRAINTS.iter().zip(EXPECTED).enumerate() {
        let chosen = &outputs[format!("c{i}")]["value"];
        assert_eq!(chosen, expected, "Terraform's choice for {constraint:?}");
        let ours = Constraints::parse(constraint).unwrap().select_newest(&published).map(|v| v.to_string());
        assert_eq!(
            ours.as_deref(),
            Some(expected),
            "tfreg's choice for {constraint:?} agrees with Terraform's"
        );
    }

    // What was installed is browsable and documented, over the same TLS listener.
    let get = |path: &str| {
        let response = server.client().get(server.url(path)).bearer_auth(MASTER).send().unwrap();
        assert_eq!(response.status(), 200, "{path}");
        support::json(response)
    };
    let list = get("/v1/modules");
    assert_eq!(list["modules"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["modules"][0]["id"], "acme/network/aws/2.0.0", "the newest release");
    let found = get("/v1/modules/search?q=netw");
    assert_eq!(found["modules"][0]["id"], "acme/network/aws/2.0.0");
    let detail = get("/v1/modules/acme/network/aws/1.1.5");
    assert_eq!(detail["root"]["outputs"][0]["name"], "version");
    assert_eq!(detail["root"]["readme"], "# network 1.1.5\n");
    assert_eq!(detail["submodules"][0]["path"], "modules/child");
    assert_eq!(detail["submodules"][0]["outputs"][0]["name"], "greeting");
    assert_eq!(detail["versions"].as_array().unwrap().len(), PUBLISHED.len());
}
}

/// What is published, with the wrapping folder of each archive (GitHub-style, `./`, none).
const PUBLISHED: [(&str, &str); 6] = [
    ("1.0.0", ""),
    ("1.1.0", "network-1.1.0/"),
    ("1.1.5", "./"),
    ("1.2.0-beta1", ""),
    ("2.0.0", "terraform-aws-network-2.0.0/"),
    ("2.1.0-rc.1", ""),
];

/// Constraints as users write them, and the version Terraform 1.0.3 installs for each.
/// (Terraform 1.0.3 selects a pre-release only when the constraint string is the bare version
/// itself; newer Terraform and OpenTofu also accept `= 2.1.0-rc.1` and `v2.1.0-rc.1`, as
/// `Constraints::select_newest` does.)
const CONSTRAINTS: [&str; 10] = [
    "~> 1.1",
    "~> 1.1.0",
    "1.2.0-beta1",
    ">= 1.0, < 3.0",
    "~> 1",
    "!= 2.0.0",
    "< 1.1",
    ">= 1.2.0-beta1",
    "v1.1.0",
    "2.1.0-rc.1",
];
const EXPECTED: [&str; 10] =
    ["1.1.5", "1.1.5", "1.2.0-beta1", "2.0.0", "2.0.0", "1.1.5", "1.0.0", "2.0.0", "1.1.0", "2.1.0-rc.1"];

terraform_test! {
fn terraform_init_fails_with_a_wrong_token() {
    let server = Server::start(&[]);
    let response = server.publish("acme/network/aws", "1.0.0", archive("1.0.0", ""), MASTER);
    assert_eq!(response.status(), 201);
    let main_tf = format!(
        "module \"m\" {{\n  source  = \"{}/acme/network/aws\"\n  version = \"1.0.0\"\n}}\n",
        server.host()
    );

    let wrong = Workdir::new(&server, Some("tfreg_not-the-right-token-at-all"), &main_tf);
    let out = wrong.run(&["init", "-no-color"]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "init with a wrong token must fail:\n{text}");
    assert!(text.contains("401"), "the failure names the 401:\n{text}");

    let none = Workdir::new(&server, None, &main_tf);
    let out = none.run(&["init", "-no-color"]);
    assert!(!out.status.success(), "init without a token must fail while reads are closed");

    let right = Workdir::new(&server, Some(MASTER), &main_tf);
    right.ok(&["init", "-no-color"]);
}
}

terraform_test! {
fn anonymous_reads_when_switched_on() {
    let server = Server::start(&["--anonymous-read"]);
    let response = server.publish("acme/network/aws", "1.0.0", archive("1.0.0", ""), MASTER);
    assert_eq!(response.status(), 201);
    let unauthenticated = server.publish("acme/network/aws", "1.0.1", archive("1.0.1", ""), "");
    assert_eq!(unauthenticated.status(), 401, "publishing still needs a token");
    let main_tf = format!(
        "module \"m\" {{\n  source  = \"{}/acme/network/aws\"\n  version = \"1.0.0\"\n}}\n",
        server.host()
    );
    Workdir::new(&server, None, &main_tf).ok(&["init", "-no-color"]);
}
}
