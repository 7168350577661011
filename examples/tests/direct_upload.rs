//! End to end, direct uploads: `tfreg serve` on the local filesystem (uploads stream through the
//! registry's signed URL), on a real S3-compatible server and on the Azure Blob emulator on
//! 127.0.0.1 (uploads go to a presigned URL); a module and the real null provider are published by naming their
//! sessions, bad uploads publish nothing, and the real Terraform CLI installs what was published.

#[macro_use]
mod support;

#[path = "../../registry-storage/tests/support/servers.rs"]
mod servers;

use sha2::{Digest, Sha256};
use support::{
    issue, json, null_and_module, null_provider, open, provider_zip, publish, serve_on, tar_gz, upload,
    Server, Workdir, MASTER,
};

terraform_test! {
fn direct_uploads_on_the_local_filesystem() {
    let server = Server::start(&[]);
    let store = format!("file://{}", server.data.path().join("store").display());
    direct_uploads_install(&server, false, || uploads_in(&store, &[]));
    // Emptied session folders are removed too.
    assert!(!server.data.path().join("store/uploads").exists());
}
}

terraform_test! {
fn direct_uploads_on_s3() {
    let s3 = servers::s3("tfreg-direct");
    let env = s3.env();
    let server = serve_on(&env, "s3://tfreg-direct/registry", &[]);
    direct_uploads_install(&server, true, || uploads_in("s3://tfreg-direct/registry", &env));
    // Presigned URLs point into the bucket, under the registry's prefix.
    let session = open(&server, MASTER);
    let prefix = format!("http://127.0.0.1:{}/tfreg-direct/registry/uploads/", s3.port);
    assert!(session["upload_url"].as_str().unwrap().starts_with(&prefix), "{session}");
}
}

terraform_test! {
fn direct_uploads_on_azure() {
    let azure = servers::azure("tfreg-direct");
    let env = azure.azure_env();
    let server = serve_on(&env, "az://tfreg-direct/registry", &[]);
    direct_uploads_install(&server, true, || uploads_in("az://tfreg-direct/registry", &env));
    // SAS URLs into the container, which need the blob type header.
    let session = open(&server, MASTER);
    let prefix = format!("http://127.0.0.1:{}/devstoreaccount1/tfreg-direct/registry/uploads/", azure.port);
    assert!(session["upload_url"].as_str().unwrap().starts_with(&prefix), "{session}");
    assert_eq!(session["upload_headers"]["x-ms-blob-type"], "BlockBlob");
}
}

/// How many objects the store at `url` (configured by `env`, as the server is) holds under
/// `uploads/`, listed through the storage crate.
fn uploads_in(url: &str, env: &[(&'static str, String)]) -> usize {
    for (key, value) in env {
        // Each kind of store has variables of its own names, so tests side by side do not clash.
        std::env::set_var(key, value);
    }
    let storage = tfreg_storage::from_url(url).unwrap();
    let runtime = actix_rt::Runtime::new().unwrap();
    runtime.block_on(tfreg_core::storage::Storage::list(&storage, "uploads/")).unwrap().len()
}

fn direct_uploads_install(server: &Server, direct: bool, uploads_left: impl Fn() -> usize) {
    let (_, token) = issue(server, r#"{"tier": "uploader", "namespaces": ["acme"]}"#);

    // Bad uploads first: a broken archive and a broken package publish nothing.
    let garbage = upload(server, &token, b"this is not an archive".to_vec(), direct);
    assert_eq!(publish(server, &token, "/v1/modules/acme/direct/aws/1.0.0", &garbage).status(), 400);
    let refused = publish(server, &token, "/v1/providers/acme/null/2.1.2/linux/amd64", &garbage);
    assert_eq!(refused.status(), 400);
    assert!(refused.text().unwrap().contains("invalid provider package"));
    let versions =
        server.client().get(server.url("/v1/modules/acme/direct/aws/versions")).bearer_auth(&token);
    assert_eq!(versions.send().unwrap().status(), 404);
    // Out of the uploader's namespaces.
    assert_eq!(publish(server, &token, "/v1/modules/other/direct/aws/1.0.0", &garbage).status(), 403);
    let abandon = server.client().delete(server.url(&format!("/v1/uploads/{garbage}"))).bearer_auth(&token);
    assert_eq!(abandon.send().unwrap().status(), 204);
    assert_eq!(uploads_left(), 0, "abandoning a session removes its upload");

    // A module and the real null provider (about 20 MB, several multipart parts).
    let module = tar_gz("", &[("main.tf", "output \"how\" { value = \"direct\" }\n")]);
    let id = upload(server, &token, module, direct);
    let published = publish(server, &token, "/v1/modules/acme/direct/aws/1.0.0", &id);
    assert_eq!(published.status(), 201, "{}", published.text().unwrap());
    let package = provider_zip("terraform-provider-null_v2.1.2_x4", &std::fs::read(null_provider()).unwrap());
    let sha = hex::encode(Sha256::digest(&package));
    let id = upload(server, &token, package, direct);
    let published = publish(server, &token, "/v1/providers/acme/null/2.1.2/linux/amd64?protocols=5.0", &id);
    assert_eq!(published.status(), 201);
    let published = json(published);
    assert_eq!(published["shasum"], sha.as_str());
    let used = server.client().get(server.url(&format!("/v1/uploads/{id}"))).bearer_auth(&token);
    assert_eq!(used.send().unwrap().status(), 404, "a published session is used up");
    assert_eq!(uploads_left(), 0, "published sessions leave nothing under uploads/");

    let host = server.host();
    let main_tf =
        null_and_module(&format!("{host}/acme/null"), &format!("{host}/acme/direct/aws"), "1.0.0", "how");
    let work = Workdir::new(server, Some(&token), &main_tf);
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains("self-signed, key ID"), "{init}");
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(work.ok(&["output", "-raw", "how"]), "direct");
}
