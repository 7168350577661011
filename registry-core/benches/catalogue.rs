//! The catalogue at 10,000 modules of 20 versions each, in one process over the in-memory
//! store: the first read (which catalogues the modules found in the store), then list, namespace
//! and search answers (p50 and p99 over repeated requests, beside the versions answer of one
//! module as the baseline), a publish's catalogue write (one shard) beside what rewriting one
//! object holding every entry would cost, and the process's peak resident memory. Asserts
//! nothing.
//!
//! `cargo bench -p tfreg-core --bench catalogue [-- MODULES]`

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, StatusCode};
use tfreg_core::catalogue::Entry;
use tfreg_core::modules::index::{ModuleIndex, ModuleVersion};
use tfreg_core::storage::PutMode;
use tfreg_core::types::Version;
use tfreg_testkit::{send, tar_gz, TestRegistry};

const VERSIONS: usize = 20;
const NAMESPACES: usize = 100;
const SYSTEMS: [&str; 4] = ["aws", "azurerm", "google", "kubernetes"];
const WORDS: [&str; 10] =
    ["vpc", "network", "dns", "bucket", "cluster", "queue", "db", "cache", "iam", "cdn"];

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The index of module number `n`, with [`VERSIONS`] versions.
fn index(n: usize) -> ModuleIndex {
    let versions = (0..VERSIONS)
        .rev()
        .map(|v| ModuleVersion {
            version: Version::parse(&format!("{}.{}.0", v / 10 + 1, v % 10)).unwrap(),
            sha256: format!("{n:064x}"),
            size: 1000,
            published_at: "2026-01-01T00:00:00Z".into(),
            published_by: "bench".into(),
            pinned: false,
            description: None,
            source: None,
            deprecation: None,
            yanked: None,
            location: None,
            imported_from: None,
        })
        .collect();
    ModuleIndex {
        namespace: format!("team{:02}", n % NAMESPACES),
        name: format!("{}-{}", WORDS[n % WORDS.len()], n),
        system: SYSTEMS[n % SYSTEMS.len()].into(),
        versions,
        deleting: Vec::new(),
    }
}

/// p50 and p99 of `rounds` answers to `uri`, in microseconds: as the master, or with the UI
/// session `cookie`.
async fn latency_as(h: &TestRegistry, uri: &str, rounds: usize, cookie: Option<&str>) -> (f64, f64, usize) {
    let mut took = Vec::with_capacity(rounds);
    let mut size = 0;
    for _ in 0..rounds {
        let request = match cookie {
            Some(cookie) => Request::get(uri).header("cookie", cookie).header("host", "registry.example.com"),
            None => Request::get(uri).header("authorization", format!("Bearer {}", h.master)),
        }
        .body(Bytes::new());
        let started = Instant::now();
        let answer = send(&h.registry, request.unwrap()).await;
        took.push(started.elapsed());
        assert_eq!(answer.status(), StatusCode::OK, "{uri}");
        size = answer.body().len();
    }
    took.sort();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    (micros(took[rounds / 2]), micros(took[rounds * 99 / 100]), size)
}

/// [`latency_as`] the master.
async fn latency(h: &TestRegistry, uri: &str, rounds: usize) -> (f64, f64, usize) {
    latency_as(h, uri, rounds, None).await
}

/// A UI session as the master: the `Cookie` header's value.
async fn ui_session(h: &TestRegistry) -> String {
    let body = format!("token={}", h.master);
    let answer = send(&h.registry, Request::post("/ui/signin").body(Bytes::from(body)).unwrap()).await;
    let cookie = answer.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let modules: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let h = TestRegistry::new().await;
    let started = Instant::now();
    for n in 0..modules {
        let index = index(n);
        let key = format!("modules/{}/{}/{}/index.json", index.namespace, index.name, index.system);
        let body = Bytes::from(serde_json::to_vec(&index).unwrap());
        h.storage.put(&key, body, PutMode::Create).await.unwrap();
    }
    println!("catalogue benchmark: {modules} modules of {VERSIONS} versions, in-memory store");
    println!(
        "  stored the indexes in {:.1} s, peak RSS {:.1} MB",
        started.elapsed().as_secs_f64(),
        peak_rss_mb()
    );

    let started = Instant::now();
    let (_, _, size) = latency(&h, "/v1/modules?limit=1", 1).await;
    println!(
        "  first read (catalogues every module found): {:.2} s ({size} bytes)",
        started.elapsed().as_secs_f64()
    );

    println!("  {:<44} {:>9} {:>9} {:>8}", "answer", "p50 µs", "p99 µs", "bytes");
    let rounds = 2000;
    let one = index(7);
    let baseline = format!("/v1/modules/{}/{}/{}/versions", one.namespace, one.name, one.system);
    for (label, uri) in [
        ("baseline: one module's versions", baseline.as_str()),
        ("list, first page (15)", "/v1/modules"),
        ("list, page 100 of 100 (limit 100)", "/v1/modules?limit=100&offset=9900"),
        ("namespace team42", "/v1/modules/team42"),
        ("list, provider=google", "/v1/modules?provider=google"),
        ("search q=vpc", "/v1/modules/search?q=vpc"),
        ("search q=team42 dns", "/v1/modules/search?q=team42%20dns"),
        ("search q=nothing-matches", "/v1/modules/search?q=zzzz"),
    ] {
        let (p50, p99, size) = latency(&h, uri, rounds).await;
        println!("  {label:<44} {p50:>9.0} {p99:>9.0} {size:>8}");
    }

    // The web UI's pages (time to the whole answer, in process), with a session.
    let cookie = ui_session(&h).await;
    let files = [
        ("main.tf", "variable \"cidr\" {\n  description = \"CIDR\"\n}\noutput \"id\" { value = 1 }\nresource \"aws_vpc\" \"this\" {}\n"),
        ("README.md", "# Demo\n\nA module with a README, an input, an output and a resource.\n"),
    ];
    let published = h.publish_module("team07/ui-demo/aws", "1.0.0", tar_gz(&files)).await;
    assert_eq!(published.status(), StatusCode::CREATED);
    let module = "/ui/modules/team07/ui-demo/aws";
    for (label, uri) in
        [("UI: home page", "/ui/"), ("UI: search q=vpc", "/ui/search?q=vpc"), ("UI: module page", module)]
    {
        let (p50, p99, size) = latency_as(&h, uri, 500, Some(&cookie)).await;
        println!("  {label:<44} {p50:>9.0} {p99:>9.0} {size:>8}");
    }

    // A publish: its catalogue write is one shard; the baseline rewrites every entry.
    let shard_sizes: Vec<u64> =
        h.storage.list("catalogue/modules/").await.unwrap().iter().map(|o| o.size).collect();
    let largest = shard_sizes.iter().max().copied().unwrap_or(0);
    let all: u64 = shard_sizes.iter().sum();
    let started = Instant::now();
    let published = h.publish_module("team01/vpc-new/aws", "1.0.0", tar_gz(&[("main.tf", "# x")])).await;
    assert_eq!(published.status(), StatusCode::CREATED);
    let publish = started.elapsed();
    let started = Instant::now();
    let everything: Vec<Entry> = (0..modules).filter_map(|n| Entry::of(&index(n), None)).collect();
    let one_object = serde_json::to_vec(&everything).unwrap();
    h.storage.put("bench/one-object.json", Bytes::from(one_object), PutMode::Overwrite).await.unwrap();
    let rewrite = started.elapsed();
    println!(
        "  publish of one version: {:.1} ms in all; catalogue objects: {} shards, largest {:.1} KB, {:.1} MB in all",
        publish.as_secs_f64() * 1e3,
        shard_sizes.len(),
        largest as f64 / 1024.0,
        all as f64 / 1048576.0
    );
    println!(
        "  baseline: rewriting one object of every entry instead: {:.1} ms",
        rewrite.as_secs_f64() * 1e3
    );
    println!("  peak RSS {:.1} MB", peak_rss_mb());
}
