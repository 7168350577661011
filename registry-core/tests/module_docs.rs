//! Module documentation read from HCL at publish time, through the registry: the version
//! detail answers `root`, `submodules`, `examples` and `providers` in the public registry's
//! shapes; versions whose documentation object is missing get it from their archive; a module
//! whose HCL does not parse still publishes; the documentation lives as long as its archive.

use std::time::Duration;

use http::StatusCode;
use tfreg_core::storage::layout;
use tfreg_core::types::{ModuleAddress, Version};
use tfreg_testkit::{json, tar_gz, TestRegistry};

const MAIN: &str = r#"
terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}
variable "cidr" {
  description = "The VPC's range"
  type        = string
  default     = "10.0.0.0/16"
}
variable "name" {
  type = string
}
resource "aws_vpc" "this" {
  cidr_block = var.cidr
}
module "subnets" {
  source = "./modules/subnet"
}
output "id" {
  description = "The VPC's id"
  value       = aws_vpc.this.id
}
"#;

fn module() -> Vec<u8> {
    tar_gz(&[
        ("README.md", "# Net\n\nUse it.<script>alert(1)</script>\n"),
        ("main.tf", MAIN),
        ("modules/subnet/main.tf", "variable \"zone\" {\n  description = \"Zone\"\n}\n"),
        ("examples/basic/main.tf", "module \"net\" {\n  source = \"../..\"\n  name = \"x\"\n}\n"),
    ])
}

fn docs_key(version: &str, sha256: &str) -> String {
    let addr = ModuleAddress::parse("acme", "net", "aws").unwrap();
    layout::module_docs(&addr, &Version::parse(version).unwrap(), sha256)
}

#[tokio::test]
async fn the_version_detail_documents_inputs_outputs_calls_and_parts() {
    let h = TestRegistry::new().await;
    let published = h.publish_module("acme/net/aws", "1.0.0", module()).await;
    assert_eq!(published.status(), StatusCode::CREATED);
    let published = h.publish_module("acme/net/aws", "1.1.0", tar_gz(&[("main.tf", "# later")])).await;
    assert_eq!(published.status(), StatusCode::CREATED);

    let detail = h.get("/v1/modules/acme/net/aws/1.0.0").await;
    assert_eq!(detail.status(), StatusCode::OK);
    let detail = json(&detail);
    assert_eq!(detail["id"], "acme/net/aws/1.0.0");
    assert_eq!(detail["versions"], serde_json::json!(["1.1.0", "1.0.0"]));
    assert_eq!(detail["providers"], serde_json::json!(["aws"]));
    let root = &detail["root"];
    assert_eq!(root["path"], "");
    assert_eq!(root["empty"], false);
    assert_eq!(root["required_version"], ">= 1.3");
    assert_eq!(
        root["inputs"],
        serde_json::json!([
            {"name": "name", "type": "string", "description": "", "default": null, "required": true,
             "sensitive": false, "nullable": true, "validation": false},
            {"name": "cidr", "type": "string", "description": "The VPC's range", "default": "\"10.0.0.0/16\"",
             "required": false, "sensitive": false, "nullable": true, "validation": false},
        ])
    );
    assert_eq!(
        root["outputs"],
        serde_json::json!([{"name": "id", "description": "The VPC's id", "sensitive": false}])
    );
    assert_eq!(
        root["dependencies"],
        serde_json::json!([{"name": "subnets", "source": "./modules/subnet", "version": ""}])
    );
    assert_eq!(
        root["provider_dependencies"],
        serde_json::json!([{"name": "aws", "namespace": "hashicorp", "source": "hashicorp/aws", "version": "~> 5.0"}])
    );
    assert_eq!(root["resources"], serde_json::json!([{"name": "this", "type": "aws_vpc"}]));
    assert!(root["readme"].as_str().unwrap().starts_with("# Net"));
    let html = root["readme_html"].as_str().unwrap();
    assert!(html.contains("<h1>Net</h1>") && !html.contains("script"), "{html}");
    assert_eq!(detail["submodules"][0]["path"], "modules/subnet");
    assert_eq!(detail["submodules"][0]["inputs"][0]["description"], "Zone");
    assert_eq!(detail["examples"][0]["path"], "examples/basic");
    assert_eq!(detail["examples"][0]["dependencies"][0]["source"], "../..");

    let later = json(&h.get("/v1/modules/acme/net/aws/1.1.0").await);
    assert_eq!(later["root"]["empty"], true);
    assert_eq!(later["submodules"], serde_json::json!([]));
    let missing = h.get("/v1/modules/acme/net/aws/9.9.9").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn versions_without_a_documentation_object_get_it_from_their_archive() {
    let h = TestRegistry::new().await;
    let published = json(&h.publish_module("acme/net/aws", "1.0.0", module()).await);
    let key = docs_key("1.0.0", published["sha256"].as_str().unwrap());
    let first = json(&h.get("/v1/modules/acme/net/aws/1.0.0").await);
    // As for a version published before the registry read documentation.
    h.storage.delete(&key).await.unwrap();
    let again = json(&h.get("/v1/modules/acme/net/aws/1.0.0").await);
    assert_eq!(again, first);
    assert!(h.storage.head(&key).await.unwrap().is_some(), "derived once, then stored");
}

#[tokio::test]
async fn a_module_whose_hcl_does_not_parse_still_publishes_and_says_what_it_could_not_read() {
    let h = TestRegistry::new().await;
    let archive = tar_gz(&[("main.tf", "variable \"a\" {}\n"), ("broken.tf", "resource \"x\" {\n  a = \n")]);
    let published = h.publish_module("acme/net/aws", "1.0.0", archive).await;
    assert_eq!(published.status(), StatusCode::CREATED);
    let detail = json(&h.get("/v1/modules/acme/net/aws/1.0.0").await);
    assert_eq!(detail["root"]["inputs"][0]["name"], "a");
    let problems = detail["root"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].as_str().unwrap().starts_with("broken.tf: "), "{problems:?}");
}

#[tokio::test]
async fn documentation_is_kept_as_long_as_its_archive() {
    let h = TestRegistry::new().await;
    let published = json(&h.publish_module("acme/net/aws", "1.0.0", module()).await);
    let key = docs_key("1.0.0", published["sha256"].as_str().unwrap());
    assert!(h.storage.head(&key).await.unwrap().is_some());
    h.clock.advance(Duration::from_secs(3650 * 24 * 3600));
    let report = h.registry.collect_garbage().await.unwrap();
    assert!(report.removed.is_empty(), "{report:?}");
    assert!(h.storage.head(&key).await.unwrap().is_some());
}
