//! End to end: the real Terraform CLIs (1.0.3 and 1.11.4) and the real `terraform-provider-null` 2.1.2
//! against the real server over TLS: the provider registry protocol with registry-managed
//! signing, the network mirror, mirror import, and a team's own signature.

#[macro_use]
mod support;

use std::process::Command;

use base64::Engine;
use sha2::Digest;
use support::{null_provider, provider_zip, Server, Workdir, MASTER};

const BINARY_NAME: &str = "terraform-provider-null_v2.1.2_x4";
const PACKAGE_NAME: &str = "terraform-provider-null_2.1.2_linux_amd64.zip";

fn null_zip() -> Vec<u8> {
    provider_zip(BINARY_NAME, &std::fs::read(null_provider()).unwrap())
}

fn main_tf(source: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    null = {{
      source  = "{source}"
      version = "2.1.2"
    }}
  }}
}}

resource "null_resource" "hello" {{}}
"#
    )
}

fn mirror_config(server: &Server) -> String {
    format!(
        "provider_installation {{\n  network_mirror {{\n    url = \"{}\"\n  }}\n}}\n",
        server.url("/v1/mirror/")
    )
}

fn put(server: &Server, path: &str, body: Vec<u8>) -> (u16, String) {
    let response = server.client().put(server.url(path)).bearer_auth(MASTER).body(body).send().unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

fn registry_key_id(server: &Server) -> String {
    let keys: serde_json::Value =
        serde_json::from_str(&server.client().get(server.url("/v1/keys")).send().unwrap().text().unwrap())
            .unwrap();
    let registry_key = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["owner"] == "registry")
        .expect("the registry's key");
    registry_key["key_id"].as_str().unwrap().to_owned()
}

terraform_test! {
fn publish_install_signed_then_install_through_the_mirror_and_an_import() {
    let server = Server::start(&["--hostname", "registry.example.com"]);
    let (status, body) = put(&server, "/v1/providers/acme/null/2.1.2/linux/amd64", null_zip());
    assert_eq!(status, 201, "{body}");
    let (status, _) = put(&server, "/v1/providers/acme/null/2.1.2/linux/amd64", null_zip());
    assert_eq!(status, 409, "a platform is published once");
    let key_id = registry_key_id(&server);

    // The registry protocol: Terraform verifies the registry's signature.
    let direct = Workdir::new(&server, Some(MASTER), &main_tf(&format!("{}/acme/null", server.host())));
    let init = direct.ok(&["init", "-no-color"]);
    assert!(init.contains(&format!("(self-signed, key ID {key_id})")), "{init}");
    direct.ok(&["apply", "-auto-approve", "-no-color"]);
    let h1 = direct.locked_h1();
    let lock = std::fs::read_to_string(direct.path().join(".terraform.lock.hcl")).unwrap();
    assert!(lock.contains("zh:"), "{lock}");

    // The network mirror, for the same provider under the registry's port-less host name.
    let mirrored = Workdir::with_cli_config(
        &server,
        Some(MASTER),
        &mirror_config(&server),
        &main_tf("registry.example.com/acme/null"),
    );
    mirrored.ok(&["init", "-no-color"]);
    assert_eq!(mirrored.locked_h1(), h1, "the mirror's h1 is the registry's");

    // Over HTTP/2 (what Terraform and curl speak over TLS) a request names its host in
    // `:authority`, not `Host`: the mirror still finds the registry's own providers under the
    // host with its port.
    let url = server.url(&format!("/v1/mirror/{}/acme/null/2.1.2.json", server.host()));
    let answer = server.h2_client().get(url).bearer_auth(MASTER).send().unwrap();
    assert_eq!(answer.version(), reqwest::Version::HTTP_2);
    assert_eq!(answer.status(), 200, "{}", answer.text().unwrap());

    // `terraform providers mirror` writes the packed layout; rename it as if it had been made
    // against the public registry, import it into another registry, and install from there.
    let out = tempfile::tempdir().unwrap();
    direct.ok(&["providers", "mirror", "-platform=linux_amd64", out.path().to_str().unwrap()]);
    let made = out.path().join(server.host()).join("acme/null");
    assert!(made.join(PACKAGE_NAME).is_file() && made.join("2.1.2.json").is_file());
    let packed = tempfile::tempdir().unwrap();
    let target = packed.path().join("registry.terraform.io/hashicorp");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::rename(&made, target.join("null")).unwrap();

    let other = Server::start(&[]);
    let store = format!("file://{}", other.data.path().join("store").display());
    let import = Command::new(env!("CARGO_BIN_EXE_tfreg"))
        .args(["mirror", "import"])
        .arg(packed.path())
        .args(["--storage", &store])
        .output()
        .unwrap();
    assert!(import.status.success(), "{}", String::from_utf8_lossy(&import.stderr));
    assert!(String::from_utf8_lossy(&import.stdout)
        .contains("registry.terraform.io/hashicorp/null 2.1.2 linux_amd64"));
    let imported =
        Workdir::with_cli_config(&other, Some(MASTER), &mirror_config(&other), &main_tf("hashicorp/null"));
    imported.ok(&["init", "-no-color"]);
    assert_eq!(imported.locked_h1(), h1);

    // An import whose hashes do not match its JSON is refused.
    let json = target.join("null/2.1.2.json");
    let text = std::fs::read_to_string(&json)
        .unwrap()
        .replace(&h1, "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    std::fs::write(&json, text).unwrap();
    let refused = Command::new(env!("CARGO_BIN_EXE_tfreg"))
        .args(["mirror", "import"])
        .arg(packed.path())
        .args(["--storage", &store])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("do not match"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
}

terraform_test! {
fn a_team_signs_its_own_release() {
    let server = Server::start(&[]);
    let team_key = tfreg_core::pgp::SigningKey::from_armored(include_str!(
        "../../registry-core/src/pgp/testdata/signing-key.asc"
    ))
    .unwrap();
    let armor = team_key.public_key().unwrap().to_armored().unwrap();
    let response = server
        .client()
        .post(server.url("/v1/keys"))
        .bearer_auth(MASTER)
        .body(serde_json::json!({"namespace": "team", "ascii_armor": armor}).to_string())
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);

    let zip = null_zip();
    let shasums = format!("{}  {PACKAGE_NAME}\n", hex::encode(sha2::Sha256::digest(&zip)));
    let signature = team_key.sign_detached(shasums.as_bytes()).unwrap();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let upload = |sums: &str, sig: &[u8]| {
        put(
            &server,
            "/v1/providers/team/null/2.1.2/shasums",
            serde_json::json!({"shasums": sums, "signature": b64(sig)}).to_string().into_bytes(),
        )
    };

    // Tampered SHA256SUMS, tampered signature, another key's signature: refused, nothing stored.
    let tampered = shasums.replacen(&shasums[..4], "0000", 1);
    let (status, body) = upload(&tampered, &signature);
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("does not verify"), "{body}");
    let mut bad_sig = signature.clone();
    let last = bad_sig.len() - 3;
    bad_sig[last] ^= 0xff;
    assert_eq!(upload(&shasums, &bad_sig).0, 400);
    let other = tfreg_core::pgp::SigningKey::from_armored(include_str!(
        "../../registry-core/src/pgp/testdata/other-signing-key.asc"
    ))
    .unwrap();
    assert_eq!(upload(&shasums, &other.sign_detached(shasums.as_bytes()).unwrap()).0, 400);
    let versions = server
        .client()
        .get(server.url("/v1/providers/team/null/versions"))
        .bearer_auth(MASTER)
        .send()
        .unwrap();
    assert_eq!(versions.status(), 404, "nothing was stored");

    let (status, body) = upload(&shasums, &signature);
    assert_eq!(status, 201, "{body}");
    // A package that does not match the uploaded SHA256SUMS is refused; the right one lands.
    let wrong = provider_zip(BINARY_NAME, b"not the provider");
    let (status, body) = put(&server, "/v1/providers/team/null/2.1.2/linux/amd64", wrong);
    assert_eq!(status, 400, "{body}");
    let (status, body) = put(&server, "/v1/providers/team/null/2.1.2/linux/amd64", zip);
    assert_eq!(status, 201, "{body}");

    let work = Workdir::new(&server, Some(MASTER), &main_tf(&format!("{}/team/null", server.host())));
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains(&format!("key ID {}", team_key.key_id())), "{init}");
}
}
