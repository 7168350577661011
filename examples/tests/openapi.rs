//! End to end, the OpenAPI document against the live server: schemathesis (from PyPI, installed
//! by `scripts/install-tools.sh` into `.cache/venv-schemathesis`) generates requests for every
//! operation in `GET /v1/openapi.json`, once with the master token and once without one, and
//! every answer must be no 5xx and must match the document (status, content type, headers,
//! body schema). The number of cases each run generated is printed.

#[macro_use]
mod support;

use std::path::PathBuf;
use std::process::Command;

use support::{provider_zip, tar_gz, Server, MASTER};

/// The checks every answer must pass; the others (`negative_data_rejection`, `ignored_auth`,
/// ...) judge API design choices the registry makes on purpose (it ignores unknown headers,
/// and `GET /v1/keys` is public).
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance";

fn schemathesis() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.cache/venv-schemathesis/bin/st");
    assert!(path.is_file(), "schemathesis is missing: run scripts/install-tools.sh");
    path
}

/// Runs schemathesis against `server` with `headers`; its output and the cases it generated.
fn run(server: &Server, headers: &[String]) -> (String, u64) {
    let mut command = Command::new(schemathesis());
    command
        .arg("run")
        .arg(server.url("/v1/openapi.json"))
        .args(["--checks", CHECKS, "--max-examples", "12", "--seed", "1", "--no-color"])
        .args(["--generation-database", "none", "--workers", "2", "--request-timeout", "20"])
        .arg("--tls-verify")
        .arg(&server.cert);
    for header in headers {
        command.args(["-H", header]);
    }
    let output = command.env("NO_COLOR", "1").output().expect("run schemathesis");
    let text =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "schemathesis found failures:\n{text}");
    (text.clone(), generated(&text))
}

/// The number in schemathesis' summary (`Test cases:` then `N generated, N passed`).
fn generated(text: &str) -> u64 {
    let summary = text.split("Test cases:").nth(1).unwrap_or_else(|| panic!("no summary in:\n{text}"));
    let count = summary.split_whitespace().next().and_then(|n| n.parse().ok());
    count.unwrap_or_else(|| panic!("no case count after \"Test cases:\" in:\n{text}"))
}

#[test]
fn the_live_server_answers_as_its_document_says() {
    let server = Server::start(&[]);
    // Something to find, under the names the document's examples use.
    let archive = tar_gz("", &[("main.tf", "variable \"cidr\" {}\noutput \"x\" { value = 1 }\n")]);
    assert_eq!(server.publish("acme/net/aws", "1.0.0", archive, MASTER).status(), 201);
    let zip = provider_zip("terraform-provider-null_v1.0.0", b"binary");
    assert_eq!(server.publish_provider("acme/null/1.0.0/linux/amd64", zip, MASTER).status(), 201);

    let (_, anonymous) = run(&server, &[]);
    let (text, master) = run(&server, &[format!("Authorization: Bearer {MASTER}")]);
    println!("{text}");
    println!("schemathesis generated {anonymous} cases without a token and {master} with the master token");
    assert!(anonymous > 100 && master > 100, "too few cases: {anonymous} and {master}");
}
