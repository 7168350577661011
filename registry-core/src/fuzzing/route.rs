//! The `route` target: the router, on arbitrary methods and paths.

use http::Method;

use crate::http::router::route;

/// The invariants the `route` fuzz target checks, shared with the test that replays its seed
/// corpus: routing never panics, refusals are 4xx, and a route found for `GET` is found for
/// `HEAD` too.
pub fn check_route(method: &Method, path: &str) {
    match route(method, path) {
        Ok(found) => {
            if *method == Method::GET {
                assert_eq!(route(&Method::HEAD, path).ok(), Some(found), "HEAD follows GET for {path:?}");
            }
        }
        Err(err) => assert!(err.status().is_client_error(), "{path:?}: {err} is not a 4xx"),
    }
}

/// The method a fuzz input's selector byte stands for.
pub fn fuzz_method(selector: u8) -> Method {
    const METHODS: [Method; 6] =
        [Method::GET, Method::HEAD, Method::PUT, Method::POST, Method::DELETE, Method::PATCH];
    METHODS[usize::from(selector) % METHODS.len()].clone()
}
