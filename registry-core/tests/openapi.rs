//! The OpenAPI document (`GET /v1/openapi.json`) cannot drift from the router: every operation
//! it lists routes, through the real router, to a route with the same path template, and every
//! route the router's fuzz seeds reach is listed. Every `$ref` resolves, and the schemas are
//! those of the handlers' own types. (schemathesis checks the live answers against it in
//! `examples/tests/openapi.rs`.)

use std::collections::BTreeSet;
use std::path::Path;

use http::{Method, StatusCode};
use serde_json::Value;
use tfreg_core::config::RegistryConfig;
use tfreg_core::fuzzing::fuzz_method;
use tfreg_core::http::router::route;
use tfreg_testkit::{json, TestRegistry};

async fn document() -> Value {
    let h = TestRegistry::new().await;
    let answer = h.get("/v1/openapi.json").await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "application/json");
    json(&answer)
}

/// Every `(method, path template)` the document lists.
fn operations(doc: &Value) -> Vec<(Method, String)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.push((method.to_uppercase().parse().unwrap(), path.clone()));
        }
    }
    out
}

/// A concrete path for a template: each parameter's example, or a value of its grammar.
fn sample(template: &str) -> String {
    let mut path = template.to_owned();
    for (name, value) in [
        ("{ns}", "acme"),
        ("{name}", "net"),
        ("{system}", "aws"),
        ("{type}", "null"),
        ("{version}", "1.2.3"),
        ("{os}", "linux"),
        ("{arch}", "amd64"),
        ("{host}", "registry.terraform.io"),
        ("{file}", "SHA256SUMS"),
        ("{sha256}", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        ("{id}", "0123456789abcdef0123456789abcdef"),
        ("{installation}", "4242"),
        ("{kind}", "gitlab"),
        ("{category}", "resources"),
        ("{slug}", "thing"),
        ("{reference}", "1.2.3"),
        ("{digest}", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
    ] {
        path = path.replace(name, value);
    }
    assert!(!path.contains('{'), "{template} has a parameter the test does not know");
    path
}

/// A route template with its optional part (`[/{version}]`) either way.
fn spellings(template: &str) -> Vec<String> {
    match template.split_once("[/{version}]") {
        Some((head, tail)) => vec![format!("{head}{tail}"), format!("{head}/{{version}}{tail}")],
        None => vec![template.to_owned()],
    }
}

#[tokio::test]
async fn every_documented_operation_is_a_route_with_that_template() {
    let doc = document().await;
    assert_eq!(doc["openapi"], "3.1.0");
    let ops = operations(&doc);
    assert!(ops.len() >= 50, "only {} operations", ops.len());
    for (method, template) in &ops {
        let path = sample(template);
        let found = route(method, &path).unwrap_or_else(|e| panic!("{method} {path} does not route: {e}"));
        assert!(
            spellings(found.template()).contains(template),
            "{method} {template} routes to {:?} ({})",
            found,
            found.template()
        );
    }
}

#[tokio::test]
async fn every_route_the_fuzz_seeds_reach_is_documented() {
    let doc = document().await;
    let documented: BTreeSet<(Method, String)> = operations(&doc).into_iter().collect();
    let seeds =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/route.txt"))
            .unwrap();
    let mut reached = BTreeSet::new();
    for line in seeds.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (selector, path) = line.split_once('\t').unwrap();
        let method = fuzz_method(selector.parse().unwrap());
        let Ok(found) = route(&method, path) else { continue };
        // A HEAD is answered as the GET it mirrors.
        let method = if method == Method::HEAD { Method::GET } else { method };
        let spelled = spellings(found.template());
        assert!(
            spelled.iter().any(|t| documented.contains(&(method.clone(), t.clone()))),
            "{method} {path} routes to {} which the document does not list",
            found.template()
        );
        reached.insert(found.template());
    }
    // Each documented operation is reached by a seed (the router's routes each have one).
    let documented_templates: BTreeSet<&str> = documented.iter().map(|(_, t)| t.as_str()).collect();
    let reached_spellings: BTreeSet<String> = reached.iter().flat_map(|t| spellings(t)).collect();
    let unseeded: Vec<_> = documented_templates.iter().filter(|t| !reached_spellings.contains(**t)).collect();
    assert!(unseeded.is_empty(), "no route seed in fuzz/corpus/route.txt reaches {unseeded:?}");
}

#[tokio::test]
async fn every_reference_resolves_and_schemas_come_from_the_types() {
    let doc = document().await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = doc.to_string();
    let mut refs = 0;
    for piece in text.split("\"$ref\":\"").skip(1) {
        let target = piece.split('"').next().unwrap();
        let name = target.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{target}"));
        assert!(schemas.contains_key(name), "{target} is not defined");
        refs += 1;
    }
    assert!(refs > 50, "{refs} references");
    // The types' doc comments and serde attributes carry over.
    let versions = &schemas["ModuleVersionView"];
    assert!(versions["description"].as_str().unwrap().contains("published module version"));
    assert_eq!(versions["properties"]["provider"]["type"], "string");
    let required: Vec<&str> =
        versions["required"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(required.contains(&"sha256") && !required.contains(&"description"), "{required:?}");
    // Requests are read with unknown fields refused.
    assert_eq!(schemas["CreateToken"]["additionalProperties"], false);
    assert_eq!(schemas["Errors"]["properties"]["errors"]["type"], "array");
}

#[tokio::test]
async fn a_mounted_registry_names_its_base_path_as_the_server() {
    let config = RegistryConfig { base_path: "/registry".into(), ..RegistryConfig::default() };
    let h = TestRegistry::builder().config(config).build().await;
    let doc = json(&h.get("/registry/v1/openapi.json").await);
    assert_eq!(doc["servers"][0]["url"], "/registry");
    // What clients look for at the root of the host is there whatever the base path.
    for (path, method) in [
        ("/.well-known/terraform.json", "get"),
        ("/v2/", "get"),
        ("/v2/providers/{ns}/{type}/manifests/{reference}", "put"),
    ] {
        assert_eq!(doc["paths"][path][method]["servers"][0]["url"], "/", "{path}");
    }
    assert!(doc["paths"]["/v1/openapi.json"]["get"].get("servers").is_none());
    let plain = document().await;
    assert_eq!(plain["servers"][0]["url"], "/");
    assert!(plain["paths"]["/v2/"]["get"].get("servers").is_none());
}
