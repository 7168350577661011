//! Scaling out: two `tfreg serve` replicas share nothing but one bucket on a real S3-compatible
//! server on 127.0.0.1. What one publishes (by body or by upload session), the other serves to
//! the real Terraform CLI, signed with the same key; a session opened on one is published
//! through the other; a revocation on one reaches the other within its token cache TTL; and
//! racing publishes of one version through both give exactly one winner.

#[macro_use]
mod support;

#[path = "../../registry-storage/tests/support/servers.rs"]
mod servers;

use support::{
    issue, json, null_and_module, null_provider, provider_zip, publish, serve_on, tar_gz, upload, Workdir,
    MASTER,
};

terraform_test! {
fn two_replicas_on_one_bucket_act_as_one_registry() {
    let s3 = servers::s3("tfreg-replicas");
    let env = s3.env();
    let flags = ["--token-cache-ttl-secs", "1", "--cache-ttl-secs", "1"];
    let a = serve_on(&env, "s3://tfreg-replicas/registry", &flags);
    let b = serve_on(&env, "s3://tfreg-replicas/registry", &flags);
    let (token_id, token) = issue(&a, r#"{"tier": "uploader", "namespaces": ["acme"]}"#);

    // A module published on A, by body; the null provider uploaded through a session opened on
    // A and published through B.
    let module = tar_gz("", &[("main.tf", "output \"replica\" { value = \"shared\" }\n")]);
    assert_eq!(a.publish("acme/shared/aws", "1.0.0", module.clone(), &token).status(), 201);
    let package = provider_zip("terraform-provider-null_v2.1.2_x4", &std::fs::read(null_provider()).unwrap());
    let id = upload(&a, &token, package, true);
    let published = publish(&b, &token, "/v1/providers/acme/null/2.1.2/linux/amd64", &id);
    assert_eq!(published.status(), 201, "{}", published.text().unwrap());

    // Both replicas sign with the one key kept in the bucket.
    let keys = |server: &support::Server| json(server.client().get(server.url("/v1/keys")).send().unwrap());
    let key_id = keys(&a)["keys"][0]["key_id"].as_str().unwrap().to_owned();
    assert_eq!(keys(&b)["keys"][0]["key_id"], key_id.as_str());

    // Terraform installs both from B.
    let host = b.host();
    let main_tf =
        null_and_module(&format!("{host}/acme/null"), &format!("{host}/acme/shared/aws"), "1.0.0", "replica");
    let work = Workdir::new(&b, Some(&token), &main_tf);
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains(&format!("key ID {key_id}")), "{init}");
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(work.ok(&["output", "-raw", "replica"]), "shared");

    // Racing publishes of one version through both replicas: one 201, one 409.
    let racers: Vec<_> = [&a, &b]
        .into_iter()
        .map(|server| {
            let (client, url, body, token) = (
                server.client(),
                server.url("/v1/modules/acme/shared/aws/2.0.0"),
                module.clone(),
                token.clone(),
            );
            std::thread::spawn(move || client.put(url).bearer_auth(token).body(body).send().unwrap().status())
        })
        .collect();
    let mut statuses: Vec<u16> = racers.into_iter().map(|t| t.join().unwrap().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);

    // A token revoked on B stops working on A once A's token cache (1 s here) has lapsed.
    let versions = |server: &support::Server| {
        let url = server.url("/v1/modules/acme/shared/aws/versions");
        server.client().get(url).bearer_auth(&token).send().unwrap().status().as_u16()
    };
    assert_eq!(versions(&a), 200);
    let revoke = b.client().delete(b.url(&format!("/v1/tokens/{token_id}"))).bearer_auth(MASTER);
    assert_eq!(revoke.send().unwrap().status(), 204);
    assert_eq!(versions(&b), 401, "at once where it was revoked");
    // A is another process with its own clock: poll until its cache entry lapses, within a
    // bound of the TTL plus slack for a loaded machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match versions(&a) {
            401 => break,
            200 => assert!(std::time::Instant::now() < deadline, "A still accepts the token 5 s after it was revoked"),
            other => panic!("unexpected {other} from A"),
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
}
