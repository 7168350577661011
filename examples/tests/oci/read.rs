//! Reading: skopeo inspects and copies a provider, ORAS pulls a provider platform and a module,
//! and each provider layer is the `zh:` hash Terraform writes in its lock file.

use std::io::Read;

use serde_json::Value;

use crate::clients::{oras_pull, sha256, Skopeo};
use crate::support::{self, issue, null_provider, provider_zip, tar_gz, Server, Workdir, MASTER};

pub(crate) const BINARY_NAME: &str = "terraform-provider-null_v2.1.2_x4";
const REPO: &str = "providers/acme/null";

/// Publishes the real null provider 2.1.2 for linux_amd64 and a stand-in package for
/// darwin_arm64; the packages by platform.
pub(crate) fn publish_null(server: &Server) -> Vec<(&'static str, Vec<u8>)> {
    let real = provider_zip(BINARY_NAME, &std::fs::read(null_provider()).unwrap());
    let other = provider_zip(BINARY_NAME, b"a stand-in for the darwin_arm64 build");
    let mut packages = Vec::new();
    for (platform, package) in [("linux/amd64", real), ("darwin/arm64", other)] {
        let response = server
            .client()
            .put(server.url(&format!("/v1/providers/acme/null/2.1.2/{platform}")))
            .bearer_auth(MASTER)
            .body(package.clone())
            .send()
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().unwrap());
        packages.push((platform, package));
    }
    packages
}

/// The `zh:` hashes Terraform 1.11.4 records in the lock file for `acme/null` 2.1.2 from this
/// registry (the installation goes through the provider registry protocol, not OCI).
fn terraform_zh_hashes(server: &Server) -> Vec<String> {
    let mut hashes = Vec::new();
    support::with_terraform(support::TERRAFORM_1_11_4, || {
        let main_tf = format!(
            "terraform {{\n  required_providers {{\n    null = {{\n      source  = \"{}/acme/null\"\n      version = \"2.1.2\"\n    }}\n  }}\n}}\n",
            server.host()
        );
        let work = Workdir::new(server, Some(MASTER), &main_tf);
        work.ok(&["init", "-no-color"]);
        let lock = std::fs::read_to_string(work.path().join(".terraform.lock.hcl")).unwrap();
        hashes = lock.split('"').filter(|s| s.starts_with("zh:")).map(str::to_owned).collect();
    });
    hashes
}

#[test]
fn skopeo_inspects_and_copies_a_provider_whose_layers_are_terraforms_zh_hashes() {
    let server = Server::start(&[]);
    let Some(skopeo) = Skopeo::new(&server) else { return };
    let packages = publish_null(&server);
    let creds = format!("oauth2:{MASTER}");

    // The index and each platform's manifest, as OpenTofu requires them.
    let index = skopeo.inspect_raw(&server, &format!("{REPO}:2.1.2"), &creds);
    assert_eq!(index["mediaType"], "application/vnd.oci.image.index.v1+json");
    assert_eq!(index["artifactType"], "application/vnd.opentofu.provider");
    let manifests = index["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 2);
    let zh = terraform_zh_hashes(&server);
    assert_eq!(zh.len(), 2, "one zh: hash per platform in the lock file: {zh:?}");
    for entry in manifests {
        assert_eq!(entry["artifactType"], "application/vnd.opentofu.provider-target");
        let digest = entry["digest"].as_str().unwrap();
        let manifest = skopeo.inspect_raw(&server, &format!("{REPO}@{digest}"), &creds);
        assert_eq!(manifest["artifactType"], "application/vnd.opentofu.provider-target");
        let layers = manifest["layers"].as_array().unwrap();
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0]["mediaType"], "archive/zip");
        let layer = layers[0]["digest"].as_str().unwrap().strip_prefix("sha256:").unwrap();
        assert!(
            zh.contains(&format!("zh:{layer}")),
            "the layer {layer} is a zh: hash of the lock file {zh:?}"
        );
        let platform = format!(
            "{}/{}",
            entry["platform"]["os"].as_str().unwrap(),
            entry["platform"]["architecture"].as_str().unwrap()
        );
        let (_, package) = packages.iter().find(|(p, _)| *p == platform).unwrap();
        assert_eq!(layer, sha256(package));
    }

    // A copy of every platform into an OCI layout holds the very zips.
    let layout = skopeo.dir.path().join("layout");
    let certs = skopeo.certs();
    skopeo.ok(&[
        "copy",
        "--all",
        "--dest-oci-accept-uncompressed-layers",
        "--src-cert-dir",
        certs.to_str().unwrap(),
        "--src-creds",
        &creds,
        &format!("docker://{}/{REPO}:2.1.2", server.host()),
        &format!("oci:{}:2.1.2", layout.display()),
    ]);
    for (_, package) in &packages {
        let blob = layout.join("blobs/sha256").join(sha256(package));
        assert_eq!(std::fs::read(&blob).expect("the layer in the copy").as_slice(), package.as_slice());
    }
    // skopeo 1.9 (Debian 12) writes the index again in its own words (its containers/image
    // predates an index's `artifactType`), but keeps every platform's manifest byte for byte.
    let copied: Value = serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let top = copied["manifests"][0]["digest"].as_str().unwrap().strip_prefix("sha256:").unwrap();
    let copied_index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("blobs/sha256").join(top)).unwrap()).unwrap();
    let digests = |index: &Value| -> Vec<String> {
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["digest"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(digests(&copied_index), digests(&index));
    for digest in digests(&index) {
        let copied =
            std::fs::read(layout.join("blobs/sha256").join(digest.strip_prefix("sha256:").unwrap())).unwrap();
        let served = skopeo.ok(&[
            "inspect",
            "--raw",
            "--cert-dir",
            certs.to_str().unwrap(),
            "--creds",
            &creds,
            &format!("docker://{}/{REPO}@{digest}", server.host()),
        ]);
        assert_eq!(copied, served, "the platform manifest {digest} is copied unchanged");
        assert_eq!(format!("sha256:{}", sha256(&copied)), digest);
    }
}

#[test]
fn skopeo_meets_the_token_flow_and_namespace_scopes() {
    let server = Server::start(&[]);
    let Some(skopeo) = Skopeo::new(&server) else { return };
    publish_null(&server);
    let client = server.client();

    // No token: 401 with the Bearer challenge naming the realm and the pull scope.
    let refused = client.get(server.url(&format!("/v2/{REPO}/manifests/2.1.2"))).send().unwrap();
    assert_eq!(refused.status(), 401);
    let challenge = refused.headers()["www-authenticate"].to_str().unwrap().to_owned();
    assert_eq!(
        challenge,
        format!(
            "Bearer realm=\"https://{host}/v2/token\",service=\"{host}\",scope=\"repository:{REPO}:pull\"",
            host = server.host()
        )
    );
    let body: Value = serde_json::from_slice(&refused.bytes().unwrap()).unwrap();
    assert_eq!(body["errors"][0]["code"], "UNAUTHORIZED");
    let image = format!("docker://{}/{REPO}:2.1.2", server.host());
    let certs = skopeo.certs();
    let anonymous = skopeo.run(&["inspect", "--raw", "--cert-dir", certs.to_str().unwrap(), &image]);
    assert!(!anonymous.status.success(), "no credentials, no manifest");

    // The token flow with a downloader's token: skopeo asks the realm by basic authentication.
    let (_, reader) = issue(&server, r#"{"tier":"downloader","namespaces":["acme"]}"#);
    let index = skopeo.inspect_raw(&server, &format!("{REPO}:2.1.2"), &format!("anyone:{reader}"));
    assert_eq!(index["artifactType"], "application/vnd.opentofu.provider");
    let tags = skopeo.ok(&[
        "list-tags",
        "--cert-dir",
        certs.to_str().unwrap(),
        "--creds",
        &format!("anyone:{reader}"),
        &format!("docker://{}/{REPO}", server.host()),
    ]);
    let tags: Value = serde_json::from_slice(&tags).unwrap();
    assert_eq!(tags["Tags"], serde_json::json!(["2.1.2"]));

    // A token limited to another namespace is denied this one's repository.
    let (_, other) = issue(&server, r#"{"tier":"downloader","namespaces":["other"]}"#);
    let denied = skopeo.run(&[
        "inspect",
        "--raw",
        "--cert-dir",
        certs.to_str().unwrap(),
        "--creds",
        &format!("anyone:{other}"),
        &image,
    ]);
    assert!(!denied.status.success());
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert!(stderr.contains("denied") || stderr.contains("DENIED") || stderr.contains("403"), "{stderr}");
    let direct =
        client.get(server.url(&format!("/v2/{REPO}/manifests/2.1.2"))).bearer_auth(&other).send().unwrap();
    assert_eq!(direct.status(), 403);
}

#[test]
fn oras_pulls_a_provider_platform_and_a_module() {
    let server = Server::start(&[]);
    let packages = publish_null(&server);
    let module = tar_gz(
        "",
        &[("main.tf", "output \"greeting\" { value = \"hello\" }\n"), ("modules/child/main.tf", "# child\n")],
    );
    let published = server.publish("acme/vpc/aws", "1.0.0", module, MASTER);
    assert_eq!(published.status(), 201);
    let out = tempfile::tempdir().unwrap();

    // One platform of the provider: its manifest by digest, from the index.
    let index = support::json(
        server
            .client()
            .get(server.url(&format!("/v2/{REPO}/manifests/2.1.2")))
            .bearer_auth(MASTER)
            .send()
            .unwrap(),
    );
    let linux =
        index["manifests"].as_array().unwrap().iter().find(|m| m["platform"]["os"] == "linux").unwrap()
            ["digest"]
            .as_str()
            .unwrap()
            .to_owned();
    let Some(files) = oras_pull(&server, &format!("{REPO}@{linux}"), &out.path().join("provider"), MASTER)
    else {
        return;
    };
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with("terraform-provider-null_2.1.2_linux_amd64.zip"), "{files:?}");
    assert_eq!(std::fs::read(&files[0]).unwrap(), packages[0].1);

    // The module by tag: a zip of the module's files.
    let files = oras_pull(&server, "modules/acme/vpc/aws:1.0.0", &out.path().join("module"), MASTER).unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&files[0]).unwrap()).unwrap();
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        names.push((entry.name().to_owned(), text));
    }
    assert_eq!(
        names,
        [
            ("main.tf".to_owned(), "output \"greeting\" { value = \"hello\" }\n".to_owned()),
            ("modules/child/main.tf".to_owned(), "# child\n".to_owned())
        ]
    );
}
