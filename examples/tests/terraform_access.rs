//! End to end: token tiers with the real Terraform CLIs (1.0.3 and 1.11.4) against the real server.

#[macro_use]
mod support;

use support::{tar_gz, Server, Workdir, MASTER};

fn create_token(server: &Server, body: &str) -> serde_json::Value {
    let response = server
        .client()
        .post(server.url("/v1/tokens"))
        .bearer_auth(MASTER)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    serde_json::from_str(&response.text().unwrap()).unwrap()
}

terraform_test! {
fn tiers_namespaces_and_revocation_with_terraform() {
    let server = Server::start(&[]);
    let module = tar_gz("", &[("main.tf", "output \"hello\" { value = \"world\" }\n")]);

    let uploader = create_token(
        &server,
        r#"{"tier": "uploader", "namespaces": ["acme"], "description": "ci for acme"}"#,
    );
    let uploader = uploader["token"].as_str().unwrap();
    assert_eq!(server.publish("acme/hello/aws", "1.0.0", module.clone(), uploader).status(), 201);
    let denied = server.publish("other/hello/aws", "1.0.0", module.clone(), uploader);
    assert_eq!(denied.status(), 403);
    assert!(denied.text().unwrap().contains("namespace \\\"other\\\""));

    let downloader = create_token(&server, r#"{"tier": "downloader", "expires_in_days": 30}"#);
    let (down_id, down_token) = (downloader["id"].as_str().unwrap(), downloader["token"].as_str().unwrap());
    assert_eq!(
        server.publish("acme/hello/aws", "1.0.1", module, down_token).status(),
        403,
        "downloaders cannot publish"
    );

    let main_tf = format!(
        "module \"hello\" {{\n  source  = \"{}/acme/hello/aws\"\n  version = \"~> 1.0\"\n}}\noutput \"hello\" {{ value = module.hello.hello }}\n",
        server.host()
    );
    let work = Workdir::new(&server, Some(down_token), &main_tf);
    work.ok(&["init", "-no-color"]);
    work.ok(&["apply", "-auto-approve", "-no-color"]);
    assert!(work.ok(&["output", "-raw", "hello"]).contains("world"));

    let revoked = server
        .client()
        .delete(server.url(&format!("/v1/tokens/{down_id}")))
        .bearer_auth(MASTER)
        .send()
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let after = Workdir::new(&server, Some(down_token), &main_tf);
    let out = after.run(&["init", "-no-color"]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "init with a revoked token must fail:\n{text}");
    assert!(text.contains("401"), "{text}");

    let audit: serde_json::Value = serde_json::from_str(
        &server.client().get(server.url("/v1/audit")).bearer_auth(MASTER).send().unwrap().text().unwrap(),
    )
    .unwrap();
    let actions: Vec<&str> =
        audit["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "token.revoke",
            "module.publish",
            "token.create",
            "module.publish",
            "module.publish",
            "token.create"
        ]
    );
    assert!(!audit.to_string().contains(down_token) && !audit.to_string().contains(uploader));
}
}
