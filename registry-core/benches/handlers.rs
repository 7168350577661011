//! In-process benchmark of the hot paths (versions, download) beside a trivial handler on the
//! same router (service discovery: a precomputed answer), and of how the versions path scales
//! from a catalogue of 10 modules to one of 10,000. Prints figures and ratios; asserts nothing.
//!
//! `cargo bench -p tfreg-core --bench handlers`

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::{Request, StatusCode};
use tfreg_core::auth::hash_token;
use tfreg_core::modules::index::{self, ModuleVersion};
use tfreg_core::storage::Storage;
use tfreg_core::types::address::ModuleAddress;
use tfreg_core::types::version::Version;
use tfreg_core::Registry;

const TOKEN: &str = "tfreg_bench-token";

async fn registry_with(modules: usize) -> Registry {
    let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url("memory://").unwrap());
    for m in 0..modules {
        let addr = ModuleAddress::parse("acme", &format!("module{m}"), "aws").unwrap();
        for v in 0..20 {
            let entry = ModuleVersion {
                version: Version::parse(&format!("1.{v}.0")).unwrap(),
                sha256: "0".repeat(64),
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
            };
            index::add_version(storage.as_ref(), &addr, entry).await.unwrap();
        }
    }
    Registry::builder(storage).master_token(hash_token(TOKEN)).build().await.unwrap()
}

fn request(uri: &str) -> Request<Bytes> {
    Request::get(uri).header("authorization", format!("Bearer {TOKEN}")).body(Bytes::new()).unwrap()
}

/// Median nanoseconds per call over five timed rounds of `n` calls each.
async fn measure(registry: &Registry, uri: &str, expect: StatusCode, n: u32) -> f64 {
    let check = registry.handle(request(uri)).await;
    assert_eq!(check.status(), expect, "{uri}");
    let mut rounds = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..n {
            black_box(registry.handle(black_box(request(uri))).await);
        }
        rounds.push(start.elapsed().as_nanos() as f64 / f64::from(n));
    }
    rounds.sort_by(f64::total_cmp);
    rounds[2]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let n = 100_000;
        println!(
            "tfreg-core in-process handlers: median of 5 rounds x {n} calls, one thread, in-memory store\n"
        );
        for modules in [10, 10_000] {
            let started = Instant::now();
            let registry = registry_with(modules).await;
            let seeded = started.elapsed();
            // Warm the cache of the module under test, as a live registry's would be.
            let baseline = measure(&registry, "/.well-known/terraform.json", StatusCode::OK, n).await;
            let versions =
                measure(&registry, "/v1/modules/acme/module7/aws/versions", StatusCode::OK, n).await;
            let download =
                measure(&registry, "/v1/modules/acme/module7/aws/1.3.0/download", StatusCode::NO_CONTENT, n)
                    .await;
            println!("catalogue of {modules} modules x 20 versions (seeded in {:.1?}):", seeded);
            println!(
                "  {:<34} {:>9.0} ns/req {:>12.0} req/s",
                "baseline: discovery (trivial)",
                baseline,
                1e9 / baseline
            );
            for (name, ns) in [("versions", versions), ("download (auth + signed link)", download)] {
                println!(
                    "  {:<34} {:>9.0} ns/req {:>12.0} req/s   {:.2}x baseline",
                    name,
                    ns,
                    1e9 / ns,
                    ns / baseline
                );
            }
            // Cold path: every request a different module, no cache hits after the first lap.
            let cold_n = modules.min(10_000) as u32;
            let start = Instant::now();
            for m in 0..cold_n {
                let uri = format!("/v1/modules/acme/module{m}/aws/versions");
                black_box(registry.handle(request(&uri)).await);
            }
            let spread = start.elapsed().as_nanos() as f64 / f64::from(cold_n);
            println!(
                "  {:<34} {:>9.0} ns/req   (first touch of {cold_n} modules: store read + render)\n",
                "versions, spread", spread
            );
        }
    });
}
