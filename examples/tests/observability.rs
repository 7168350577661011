//! End to end, operating `tfreg serve`: `/metrics` in Prometheus' text format behind the master
//! token (or open with `--metrics-public`), `/healthz` and `/readyz`, request ids, and JSON log
//! lines with one access line per request that names the route and the principal, never the
//! token.

#[macro_use]
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use support::{tar_gz, Server, MASTER};

#[test]
fn metrics_health_and_request_ids() {
    let server = Server::start(&[]);
    let archive = tar_gz("", &[("main.tf", "output \"x\" { value = 1 }\n")]);
    assert_eq!(server.publish("acme/net/aws", "1.0.0", archive, MASTER).status(), 201);
    let client = server.client();
    for _ in 0..3 {
        let answer =
            client.get(server.url("/v1/modules/acme/net/aws/versions")).bearer_auth(MASTER).send().unwrap();
        assert_eq!(answer.status(), 200);
        assert!(answer.headers().contains_key("x-request-id"));
    }
    let echoed = client.get(server.url("/healthz")).header("x-request-id", "probe-1").send().unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "probe-1");
    assert_eq!(client.get(server.url("/readyz")).send().unwrap().status(), 200);

    let refused = client.get(server.url("/metrics")).send().unwrap();
    assert_eq!(refused.status(), 401);
    let text = client.get(server.url("/metrics")).bearer_auth(MASTER).send().unwrap().text().unwrap();
    assert!(
        text.contains(&format!("tfreg_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(
        text.contains(r#"tfreg_requests_total{route="/v1/modules/{ns}/{name}/{system}/versions",method="GET",status="200"} 3"#),
        "{text}"
    );
    assert!(
        text.contains(r#"tfreg_publishes_total{kind="module",outcome="published",status="201"} 1"#),
        "{text}"
    );

    let open = Server::start(&["--metrics-public"]);
    assert_eq!(open.client().get(open.url("/metrics")).send().unwrap().status(), 200);

    // A separate plain-HTTP listener serves the metrics without a token; the main one still
    // asks for it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let separate = Server::start(&["--metrics-listen", &format!("127.0.0.1:{port}")]);
    let scraped = reqwest::blocking::get(format!("http://127.0.0.1:{port}/metrics")).unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.text().unwrap().contains("tfreg_build_info"));
    assert_eq!(separate.client().get(separate.url("/metrics")).send().unwrap().status(), 401);
    // It answers probes too, and `tfreg health` (the container's health check) reads them.
    let probe = |url: String| {
        let out = Command::new(env!("CARGO_BIN_EXE_tfreg")).args(["health", &url]).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (ok, printed) = probe(format!("http://127.0.0.1:{port}/readyz"));
    assert!(ok && printed.contains("200"), "{printed}");
    assert!(probe(format!("http://127.0.0.1:{port}/healthz")).0);
    assert!(!probe(format!("http://127.0.0.1:{port}/nothing-here")).0);
}

#[test]
fn json_logs_have_one_access_line_per_request_without_the_token() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tfreg"))
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0", "--plain-http"])
        .current_dir(data.path())
        .env("TFREG_STORAGE", format!("file://{}", data.path().join("store").display()))
        .env("TFREG_MASTER_TOKEN", MASTER)
        .env("TFREG_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let port = loop {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "tfreg exited");
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap()
                .rsplit(':')
                .next()
                .unwrap()
                .parse::<u16>()
                .unwrap();
        }
    };
    let client = reqwest::blocking::Client::new();
    let url = format!("http://127.0.0.1:{port}/v1/modules/acme/none/aws/versions");
    let answer = client.get(&url).bearer_auth(MASTER).header("x-request-id", "trace-7").send().unwrap();
    assert_eq!(answer.status(), 404);
    let _ = child.kill();
    let _ = child.wait();
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(!logs.contains(MASTER), "no token in the logs");
    assert!(!logs.contains('\u{1b}'), "no colour codes in a file");
    let access: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}"))
        })
        .filter(|v| v["target"] == "tfreg::access")
        .collect();
    assert_eq!(access.len(), 1, "{logs}");
    let fields = &access[0]["fields"];
    assert_eq!(fields["request_id"], "trace-7");
    assert_eq!(fields["route"], "/v1/modules/{ns}/{name}/{system}/versions");
    assert_eq!(fields["status"], 404);
    assert_eq!(fields["principal"], "master");
    assert_eq!(fields["remote"], "127.0.0.1");
}
