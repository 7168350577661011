//! End to end on S3: `tfreg serve --storage s3://...` against a real S3-compatible server on
//! 127.0.0.1, with the real Terraform CLI installing a module and a provider whose downloads are
//! served by presigned URLs.

#[macro_use]
mod support;

#[path = "../../registry-storage/tests/support/servers.rs"]
mod servers;

use support::{null_and_module, null_provider, provider_zip, tar_gz, Server, Workdir, MASTER};

terraform_test! {
fn terraform_installs_from_s3_through_presigned_urls() {
    let s3 = servers::s3("tfreg-e2e");
    let env = s3.env();
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.push(("TFREG_STORAGE", "s3://tfreg-e2e/registry"));
    let server = Server::start_with_env(&[], &env);

    let module = tar_gz("", &[("main.tf", "output \"where\" { value = \"s3\" }\n")]);
    assert_eq!(server.publish("acme/bucket/aws", "1.0.0", module, MASTER).status(), 201);
    let package = provider_zip("terraform-provider-null_v2.1.2_x4", &std::fs::read(null_provider()).unwrap());
    assert_eq!(server.publish_provider("acme/null/2.1.2/linux/amd64", package, MASTER).status(), 201);

    // The registry's own link answers HEAD itself and redirects GET to a presigned S3 URL.
    let download = server
        .client()
        .get(server.url("/v1/modules/acme/bucket/aws/1.0.0/download"))
        .bearer_auth(MASTER)
        .send()
        .unwrap();
    let link = server.url(download.headers()["x-terraform-get"].to_str().unwrap());
    let head = server.client().head(&link).send().unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.headers()["content-length"].to_str().unwrap().parse::<u64>().unwrap() > 0);
    let get = server.client().get(&link).send().unwrap();
    assert_eq!(get.status(), 302);
    let presigned = get.headers()["location"].to_str().unwrap();
    assert!(
        presigned.starts_with(&format!("http://127.0.0.1:{}/tfreg-e2e/registry/modules/", s3.port)),
        "{presigned}"
    );
    assert!(presigned.contains("X-Amz-Signature"), "{presigned}");

    let host = server.host();
    let main_tf =
        null_and_module(&format!("{host}/acme/null"), &format!("{host}/acme/bucket/aws"), "1.0.0", "where");
    let work = Workdir::new(&server, Some(MASTER), &main_tf);
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains("self-signed, key ID"), "{init}");
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(work.ok(&["output", "-raw", "where"]), "s3");
}
}
