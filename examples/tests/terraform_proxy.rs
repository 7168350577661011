//! End to end: two `tfreg` instances on 127.0.0.1, one the upstream of the other's
//! pull-through proxy, with the real Terraform CLIs (1.0.3 and 1.11.4) and terraform-provider-null 2.1.2.

#[macro_use]
mod support;

use std::path::PathBuf;

use support::{null_and_module, null_provider, provider_zip, tar_gz, Server, Workdir, MASTER};

/// A PEM bundle trusting both servers' development certificates (Terraform talks to the proxy
/// for metadata and to the upstream for archives).
fn bundle(dir: &tempfile::TempDir, servers: &[&Server]) -> PathBuf {
    let path = dir.path().join("bundle.pem");
    let pem: String = servers.iter().map(|s| std::fs::read_to_string(&s.cert).unwrap()).collect();
    std::fs::write(&path, pem).unwrap();
    path
}

fn module(version: &str) -> Vec<u8> {
    tar_gz("", &[("main.tf", &format!("output \"version\" {{ value = \"{version}\" }}\n"))])
}

terraform_test! {
fn terraform_installs_through_the_proxy_and_the_policy_and_cache_hold() {
    let upstream = Server::start(&["--anonymous-read"]);
    for (addr, version) in [("acme/net/aws", "1.0.0"), ("acme/net/aws", "1.1.0"), ("secret/net/aws", "1.0.0")]
    {
        assert_eq!(upstream.publish(addr, version, module(version), MASTER).status(), 201);
    }
    let binary = std::fs::read(null_provider()).unwrap();
    let package = provider_zip("terraform-provider-null_v2.1.2_x4", &binary);
    assert_eq!(upstream.publish_provider("hashicorp/null/2.1.2/linux/amd64", package, MASTER).status(), 201);
    let keys: serde_json::Value = serde_json::from_str(
        &upstream.client().get(upstream.url("/v1/keys")).send().unwrap().text().unwrap(),
    )
    .unwrap();
    let upstream_key = keys["keys"][0]["key_id"].as_str().unwrap().to_owned();

    let cert = upstream.cert.to_str().unwrap().to_owned();
    let proxy = Server::start_with_env(
        &["--upstream", &upstream.url(""), "--proxy-deny", "secret/", "--upstream-ttl-secs", "0"],
        &[("SSL_CERT_FILE", &cert)],
    );
    let certs = tempfile::tempdir().unwrap();
    let trust = bundle(&certs, &[&proxy, &upstream]);

    let host = proxy.host();
    let main_tf = null_and_module(
        &format!("{host}/hashicorp/null"),
        &format!("{host}/acme/net/aws"),
        "~> 1.0",
        "version",
    );
    let work = Workdir::new(&proxy, Some(MASTER), &main_tf).trusting(&trust);
    let init = work.ok(&["init", "-no-color"]);
    assert!(init.contains(&format!("key ID {upstream_key}")), "verified against the upstream's key:\n{init}");
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(work.ok(&["output", "-raw", "version"]), "1.1.0");

    // A denied prefix fails with the policy message.
    let denied = proxy
        .client()
        .get(proxy.url("/v1/modules/secret/net/aws/versions"))
        .bearer_auth(MASTER)
        .send()
        .unwrap();
    assert_eq!(denied.status(), 404);
    assert!(denied.text().unwrap().contains("not allowed by policy"));
    let denied_tf =
        format!("module \"s\" {{\n  source  = \"{host}/secret/net/aws\"\n  version = \"1.0.0\"\n}}\n");
    let out = Workdir::new(&proxy, Some(MASTER), &denied_tf).trusting(&trust).run(&["init", "-no-color"]);
    assert!(!out.status.success(), "a denied module cannot be installed");

    // Pin what this team depends on, then lose the upstream.
    for pin in [
        "/v1/pins/acme/net/aws?constraint=~%3E%201.0",
        "/v1/pins/providers/hashicorp/null/2.1.2?platforms=linux_amd64",
    ] {
        let pinned = proxy.client().post(proxy.url(pin)).bearer_auth(MASTER).send().unwrap();
        assert_eq!(pinned.status(), 201, "{pin}: {}", pinned.text().unwrap());
    }
    drop(upstream);
    let fresh = Workdir::new(&proxy, Some(MASTER), &main_tf).trusting(&trust);
    let init = fresh.ok(&["init", "-no-color"]);
    assert!(
        init.contains(&format!("key ID {upstream_key}")),
        "pinned, still the upstream's signature:\n{init}"
    );
    fresh.ok(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(fresh.ok(&["output", "-raw", "version"]), "1.1.0");
    let unpinned_tf =
        format!("module \"u\" {{\n  source  = \"{host}/acme/unpinned/aws\"\n  version = \"1.0.0\"\n}}\n");
    let out = Workdir::new(&proxy, Some(MASTER), &unpinned_tf).trusting(&trust).run(&["init", "-no-color"]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "an unpinned module needs the upstream:\n{text}");
    assert!(text.contains("502"), "{text}");

    // The listing seen before is served stale; anything never seen is a 502 naming the
    // upstream.
    let stale = proxy
        .client()
        .get(proxy.url("/v1/modules/acme/net/aws/versions"))
        .bearer_auth(MASTER)
        .send()
        .unwrap();
    assert_eq!(stale.status(), 200);
    assert!(stale.text().unwrap().contains("1.1.0"));
    let unseen = proxy
        .client()
        .get(proxy.url("/v1/modules/acme/other/aws/versions"))
        .bearer_auth(MASTER)
        .send()
        .unwrap();
    assert_eq!(unseen.status(), 502);
    assert!(unseen.text().unwrap().contains("unreachable"));
}
}
