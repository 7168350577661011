//! Replays the router's fuzz seeds (`fuzz/corpus/route.txt`, `SELECTOR<TAB>PATH` per line, and
//! the raw files in `fuzz/corpus/route/`: first byte the method selector, the rest the path)
//! through the fuzz target's checks, `tfreg_core::fuzzing::check_route`.

use std::fs;
use std::path::{Path, PathBuf};

use tfreg_core::fuzzing::{check_route, fuzz_method};
use tfreg_core::http::router::route;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus")
}

#[test]
fn human_readable_route_seeds() {
    let text = fs::read_to_string(corpus().join("route.txt")).unwrap();
    let (mut cases, mut routed) = (0, 0);
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (selector, path) = line.split_once('\t').expect("SELECTOR<TAB>PATH");
        let method = fuzz_method(selector.parse().expect("a selector number"));
        check_route(&method, path);
        cases += 1;
        routed += usize::from(route(&method, path).is_ok());
    }
    assert!(cases >= 20, "only {cases} route seeds");
    assert!(routed > 0 && routed < cases, "seeds must cover routes found and refused");
}

#[test]
fn binary_route_corpus() {
    let mut files = 0;
    for entry in fs::read_dir(corpus().join("route")).unwrap() {
        let bytes = fs::read(entry.unwrap().path()).unwrap();
        if let Some((selector, rest)) = bytes.split_first() {
            check_route(&fuzz_method(*selector), &String::from_utf8_lossy(rest));
        }
        files += 1;
    }
    assert!(files >= 20, "only {files} files in fuzz/corpus/route");
}
