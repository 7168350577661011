//! A flood of made-up tokens beside valid traffic, in one process over the local file store:
//! valid-token requests alone (the baseline), then the same requests while other tasks send
//! distinct bogus tokens as fast as they can: forged ones of the issued shape (a wrong checksum:
//! refused without a read of the store), ones of the shape issued before checksums (each costs
//! one read, once) and malformed ones (refused without one); and, as the control, the same number of
//! extra tasks sending the valid token, so the flood's cost can be told from any load's. Prints
//! throughput, latency percentiles, the token caches' sizes and the process's resident memory;
//! asserts nothing.
//!
//! `cargo bench -p tfreg-core --bench token_flood`

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, StatusCode};
use tfreg_core::auth::{hash_token, NewToken, Role};
use tfreg_core::storage::Storage;
use tfreg_core::Registry;

const MASTER: &str = "tfreg_bench-master-token";
const ROUND: Duration = Duration::from_secs(4);
const VALID_TASKS: usize = 4;
const FLOOD_TASKS: usize = 4;

fn request(token: &str) -> Request<Bytes> {
    Request::get("/v1/modules/acme/vpc/aws/versions")
        .header("authorization", format!("Bearer {token}"))
        .body(Bytes::new())
        .unwrap()
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Stands for the valid token in the control round (the flood tasks send it instead).
const VALID_MARK: &str = "valid";

/// A token of the shape issued before checksums (43 characters) that nobody issued: only the
/// store can tell, so each distinct one costs a read, once.
fn bogus(n: u64) -> String {
    format!("tfreg_{:0>43}", format!("bogus{n:x}"))
}

/// A token of today's issued shape (43 random characters and an 8-character checksum) with a
/// checksum nobody computed: refused without a read.
fn forged(n: u64) -> String {
    format!("tfreg_{:0>43}AAAAAAAA", format!("forged{n:x}"))
}

struct Figures {
    valid_rps: f64,
    p50_us: f64,
    p99_us: f64,
    bogus_rps: f64,
}

/// Makes the `n`-th bogus token of a flood.
type TokenMaker = fn(u64) -> String;

async fn round(registry: &Registry, valid: &str, flood: Option<TokenMaker>) -> Figures {
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let mut flooders = Vec::new();
    if let Some(make) = flood {
        for task in 0..FLOOD_TASKS as u64 {
            let (registry, stop, counter, valid) =
                (registry.clone(), stop.clone(), counter.clone(), valid.to_owned());
            flooders.push(tokio::spawn(async move {
                let mut n = task << 48;
                while !stop.load(Ordering::Relaxed) {
                    let token = match make(n) {
                        mark if mark == VALID_MARK => valid.clone(),
                        token => token,
                    };
                    let answer = registry.handle(request(&token)).await;
                    let expected = if token == valid { StatusCode::OK } else { StatusCode::UNAUTHORIZED };
                    assert_eq!(answer.status(), expected);
                    counter.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                    // A refusal that needs no I/O never yields; a server gets each request from
                    // its own socket, so let the other clients' requests in as it would.
                    tokio::task::yield_now().await;
                }
            }));
        }
    }
    let start = Instant::now();
    let workers: Vec<_> = (0..VALID_TASKS)
        .map(|_| {
            let (registry, valid) = (registry.clone(), valid.to_owned());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while start.elapsed() < ROUND {
                    let t = Instant::now();
                    let answer = registry.handle(request(&valid)).await;
                    assert_eq!(answer.status(), StatusCode::OK);
                    latencies.push(t.elapsed().as_nanos() as u64);
                    tokio::task::yield_now().await;
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    for flooder in flooders {
        flooder.await.unwrap();
    }
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
    Figures {
        valid_rps: latencies.len() as f64 / elapsed,
        p50_us: at(0.5),
        p99_us: at(0.99),
        bogus_rps: counter.load(Ordering::Relaxed) as f64 / elapsed,
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().display());
        let storage: Arc<dyn Storage> = Arc::new(tfreg_storage::from_url(&url).unwrap());
        let registry = Registry::builder(storage).master_token(hash_token(MASTER)).build().await.unwrap();
        let archive = tfreg_testkit::tiny_module();
        let publish = Request::put("/v1/modules/acme/vpc/aws/1.0.0")
            .header("authorization", format!("Bearer {MASTER}"))
            .body(Bytes::from(archive))
            .unwrap();
        assert_eq!(registry.handle(publish).await.status(), StatusCode::CREATED);
        let spec = NewToken { tier: Some(Role::Downloader), ..Default::default() };
        let (valid, _) = registry.tokens().create(spec, "bench").await.unwrap();

        println!("token flood, {VALID_TASKS} tasks of valid-token versions requests for {ROUND:?} a round, local file store");
        println!("{:<46} {:>12} {:>9} {:>9} {:>14} {:>16} {:>8}", "round", "valid req/s", "p50 µs", "p99 µs", "flood req/s", "cached (ok/bad)", "RSS MB");
        let rounds: [(&str, Option<TokenMaker>); 5] = [
            ("baseline: valid tokens only", None),
            ("control: + as many tasks with the valid token", Some(|_| VALID_MARK.to_owned())),
            ("+ flood of distinct forged checksummed tokens", Some(forged)),
            ("+ flood of distinct pre-checksum-shape tokens", Some(bogus)),
            ("+ flood of distinct malformed tokens", Some(|n| format!("not-a-token-{n}"))),
        ];
        for (name, flood) in rounds {
            let figures = round(&registry, &valid, flood).await;
            let (known, unknown) = registry.tokens().cached().await;
            println!(
                "{name:<46} {:>12.0} {:>9.1} {:>9.1} {:>14.0} {:>16} {:>8.1}",
                figures.valid_rps,
                figures.p50_us,
                figures.p99_us,
                figures.bogus_rps,
                format!("{known}/{unknown}"),
                rss_mb()
            );
        }
    });
}
