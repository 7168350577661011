//! Pushing: the ORAS SDK pushes a module and a provider (its packages in chunks) that each
//! Terraform CLI then installs through the registry protocol, the provider signed by the
//! registry; skopeo copies a module from one repository to another, and its rewritten copy
//! of a provider index (without the artifact type OpenTofu needs) is refused, publishing
//! nothing.

use crate::clients::{oras_push_module, oras_push_provider, sha256, Skopeo};
use crate::read::{publish_null, BINARY_NAME};
use crate::support::{self, null_provider, provider_zip, tar_gz, Server, Workdir, MASTER};

terraform_test! {
    fn oras_pushes_a_module_and_a_provider_that_terraform_installs() {
        let server = Server::start(&[]);
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("greeting.zip");
        std::fs::write(&module, tfreg_testkit::zip(&[("main.tf", b"output \"greeting\" { value = \"pushed\" }\n")]))
            .unwrap();
        let Some(()) = oras_push_module(&server, "modules/acme/pushed/aws:1.0.0", &module, MASTER) else {
            return;
        };
        let packages = dir.path().join("packages");
        std::fs::create_dir(&packages).unwrap();
        let package = provider_zip(BINARY_NAME, &std::fs::read(null_provider()).unwrap());
        std::fs::write(packages.join("terraform-provider-null_2.1.2_linux_amd64.zip"), &package).unwrap();
        let index = oras_push_provider(&server, "providers/acme/null:2.1.2", &packages, MASTER).unwrap();

        let host = server.host();
        let main_tf = support::null_and_module(
            &format!("{host}/acme/null"),
            &format!("{host}/acme/pushed/aws"),
            "1.0.0",
            "greeting",
        );
        let work = Workdir::new(&server, Some(MASTER), &main_tf);
        let init = work.ok(&["init", "-no-color"]);
        // Signed by the registry's own key, as every provider it publishes.
        assert!(init.contains("acme/null v2.1.2 (self-signed, key ID"), "{init}");
        let applied = work.ok(&["apply", "-auto-approve", "-no-color"]);
        assert!(applied.contains("greeting = \"pushed\""), "{applied}");
        let lock = std::fs::read_to_string(work.path().join(".terraform.lock.hcl")).unwrap();
        assert!(lock.contains(&format!("zh:{}", sha256(&package))), "the layer pushed is the package: {lock}");

        // The tag gives back the index as pushed.
        let served = server
            .client()
            .get(server.url("/v2/providers/acme/null/manifests/2.1.2"))
            .bearer_auth(MASTER)
            .send()
            .unwrap();
        assert_eq!(served.headers()["docker-content-digest"].to_str().unwrap(), index);
    }
}

#[test]
fn skopeo_copies_a_module_between_repositories_and_an_index_it_rewrites_is_refused() {
    let server = Server::start(&[]);
    let Some(skopeo) = Skopeo::new(&server) else { return };
    let module = tar_gz("", &[("main.tf", "output \"greeting\" { value = \"copied\" }\n")]);
    assert_eq!(server.publish("acme/vpc/aws", "1.0.0", module, MASTER).status(), 201);
    publish_null(&server);
    let creds = format!("oauth2:{MASTER}");
    let certs = skopeo.certs();
    let copy = |from: &str, to: &str| {
        skopeo.run(&[
            "copy",
            "--all",
            "--src-cert-dir",
            certs.to_str().unwrap(),
            "--dest-cert-dir",
            certs.to_str().unwrap(),
            "--src-creds",
            &creds,
            "--dest-creds",
            &creds,
            &format!("docker://{}/{from}", server.host()),
            &format!("docker://{}/{to}", server.host()),
        ])
    };

    // A module: blobs, then the manifest, published as team/vpc/aws, the same bytes.
    let copied = copy("modules/acme/vpc/aws:1.0.0", "modules/team/vpc/aws:1.0.0");
    assert!(copied.status.success(), "{}", String::from_utf8_lossy(&copied.stderr));
    let versions = support::json(
        server
            .client()
            .get(server.url("/v1/modules/team/vpc/aws/versions"))
            .bearer_auth(MASTER)
            .send()
            .unwrap(),
    );
    assert_eq!(versions["modules"][0]["versions"][0]["version"], "1.0.0");
    assert_eq!(
        skopeo.inspect_raw(&server, "modules/team/vpc/aws:1.0.0", &creds),
        skopeo.inspect_raw(&server, "modules/acme/vpc/aws:1.0.0", &creds)
    );

    // skopeo before 1.14 (Debian 12 has 1.9) writes an index again without its artifactType:
    // refused, nothing published. A newer one keeps it, and the provider is published.
    let pushed = copy("providers/acme/null:2.1.2", "providers/team/null:2.1.2");
    let versions = server
        .client()
        .get(server.url("/v1/providers/team/null/versions"))
        .bearer_auth(MASTER)
        .send()
        .unwrap();
    if pushed.status.success() {
        assert_eq!(versions.status(), 200);
    } else {
        let stderr = String::from_utf8_lossy(&pushed.stderr);
        assert!(stderr.contains("artifactType"), "{stderr}");
        assert_eq!(versions.status(), 404);
    }
}
