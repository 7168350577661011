use super::extract;
use crate::modules::archive::{SourceFile, Sources};
use crate::protocol::{ModuleDocs, ModulePart};

fn docs(files: &[(&str, &str)]) -> ModuleDocs {
    let files = files
        .iter()
        .map(|(path, text)| SourceFile { path: (*path).to_owned(), bytes: text.as_bytes().to_vec() });
    extract(&Sources::from_files(files))
}

fn input<'a>(part: &'a ModulePart, name: &str) -> &'a crate::protocol::Input {
    part.inputs.iter().find(|i| i.name == name).unwrap_or_else(|| panic!("no input {name}: {part:#?}"))
}

const VARIABLES: &str = r#"
variable "name" {
  description = "Name of the VPC"
  type        = string
}

variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
}

variable "subnets" {
  description = <<-EOT
    Subnets to create.
      One per zone.
  EOT
  type = list(object({
    cidr = string
    zone = optional(string, "a")
    tags = optional(map(string), {})
  }))
  default = []
}

variable "password" {
  type      = string
  sensitive = true
  nullable  = false
  validation {
    condition     = length(var.password) > 8
    error_message = "Too short."
  }
}

variable "anything" {}
"#;

#[test]
fn variables_with_types_defaults_and_descriptions() {
    let docs = docs(&[("variables.tf", VARIABLES)]);
    let root = &docs.root;
    assert!(root.problems.is_empty(), "{:?}", root.problems);
    let names: Vec<&str> = root.inputs.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["anything", "name", "password", "cidr", "subnets"], "required first, then by name");

    let name = input(root, "name");
    assert_eq!((name.type_.as_str(), name.description.as_str()), ("string", "Name of the VPC"));
    assert!(name.required && name.default.is_none() && name.nullable && !name.sensitive);

    let cidr = input(root, "cidr");
    assert_eq!(cidr.default.as_deref(), Some("\"10.0.0.0/16\""));
    assert!(!cidr.required);

    let subnets = input(root, "subnets");
    assert_eq!(subnets.description, "Subnets to create.\n  One per zone.");
    assert_eq!(subnets.default.as_deref(), Some("[]"));
    for part in ["list(object({", "zone = optional(string, \"a\")", "tags = optional(map(string), {})"] {
        assert!(subnets.type_.contains(part), "{part} in {}", subnets.type_);
    }

    let password = input(root, "password");
    assert!(password.sensitive && !password.nullable && password.validation);
    assert_eq!(input(root, "anything").type_, "");
}

#[test]
fn outputs_calls_resources_and_requirements() {
    let main = r#"
terraform {
  required_version = ">= 1.3"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    thing = {
      source = "registry.example.com/acme/thing"
    }
    random = "~> 3.0"
  }
}

module "subnets" {
  for_each = var.zones
  source   = "./modules/subnet"
  zone     = each.key
}

module "labels" {
  source  = "cloudposse/label/null"
  version = "0.25.0"
}

resource "aws_vpc" "this" {
  cidr_block = var.cidr
}

data "aws_region" "current" {}

output "vpc_id" {
  description = "The VPC's id"
  value       = aws_vpc.this.id
}

output "secret" {
  value     = var.password
  sensitive = true
}
"#;
    let docs = docs(&[("main.tf", main)]);
    let root = &docs.root;
    assert_eq!(root.required_version.as_deref(), Some(">= 1.3"));
    let providers: Vec<(&str, &str, &str, &str)> = root
        .provider_dependencies
        .iter()
        .map(|p| (p.name.as_str(), p.namespace.as_str(), p.source.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        providers,
        [
            ("aws", "hashicorp", "hashicorp/aws", "~> 5.0"),
            ("random", "hashicorp", "hashicorp/random", "~> 3.0"),
            ("thing", "acme", "registry.example.com/acme/thing", ""),
        ]
    );
    assert_eq!(docs.providers, ["aws", "random", "thing"]);
    let calls: Vec<(&str, &str, &str)> =
        root.dependencies.iter().map(|d| (d.name.as_str(), d.source.as_str(), d.version.as_str())).collect();
    assert_eq!(calls, [("labels", "cloudposse/label/null", "0.25.0"), ("subnets", "./modules/subnet", "")]);
    assert_eq!(root.resources.len(), 1);
    assert_eq!((root.resources[0].type_.as_str(), root.resources[0].name.as_str()), ("aws_vpc", "this"));
    assert_eq!(
        (root.data_sources[0].type_.as_str(), root.data_sources[0].name.as_str()),
        ("aws_region", "current")
    );
    let outputs: Vec<(&str, &str, bool)> =
        root.outputs.iter().map(|o| (o.name.as_str(), o.description.as_str(), o.sensitive)).collect();
    assert_eq!(outputs, [("secret", "", true), ("vpc_id", "The VPC's id", false)]);
    assert!(!root.empty);
}

#[test]
fn terraform_json_files_are_read_too() {
    let json = r#"{
      "variable": {
        "region": {"type": "string", "default": "eu-west-1", "description": "Where"},
        "sizes": {"type": "map(number)", "default": {"small": 1, "large": 3}},
        "name": {}
      },
      "output": {"arn": {"value": "${aws_s3_bucket.b.arn}", "description": "The ARN"}},
      "module": {"net": {"source": "acme/net/aws", "version": "~> 1.0"}},
      "resource": {"aws_s3_bucket": {"b": {"bucket": "x"}, "c": {}}},
      "data": [{"aws_caller_identity": {"me": {}}}],
      "terraform": [{"required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5"}}}]
    }"#;
    let docs = docs(&[("main.tf.json", json)]);
    let root = &docs.root;
    assert!(root.problems.is_empty(), "{:?}", root.problems);
    let region = input(root, "region");
    assert_eq!(
        (region.type_.as_str(), region.default.as_deref(), region.description.as_str()),
        ("string", Some("\"eu-west-1\""), "Where")
    );
    let sizes = input(root, "sizes").default.clone().unwrap();
    assert!(sizes.contains("\"small\" = 1") && sizes.contains("\"large\" = 3"), "{sizes}");
    assert!(input(root, "name").required);
    assert_eq!(root.outputs[0].description, "The ARN");
    assert_eq!(root.dependencies[0].version, "~> 1.0");
    assert_eq!(root.resources.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["b", "c"]);
    assert_eq!(root.data_sources[0].type_, "aws_caller_identity");
    assert_eq!(root.provider_dependencies[0].version, ">= 5");
}

#[test]
fn submodules_examples_and_readmes() {
    let readme = "# Net\n\nA *network*.\n\n<script>alert(1)</script>\n\n[docs](https://example.com) <a href=\"javascript:alert(1)\" onclick=\"x()\">bad</a>\n";
    let docs = docs(&[
        ("README.md", readme),
        ("main.tf", "resource \"null_resource\" \"a\" {}\n"),
        ("modules/subnet/main.tf", "variable \"zone\" {}\n"),
        ("modules/subnet/README.md", "Subnet"),
        ("modules/empty/versions.tf", "terraform {}\n"),
        ("examples/basic/main.tf", "module \"net\" {\n  source = \"../..\"\n}\n"),
        ("modules/subnet/deeper/ignored.tf", "variable \"x\" {}\n"),
        ("scripts/not-a-module.tf", "variable \"x\" {}\n"),
    ]);
    assert_eq!(docs.root.readme, readme);
    let html = &docs.root.readme_html;
    assert!(html.contains("<h1>Net</h1>") && html.contains("<em>network</em>"), "{html}");
    assert!(html.contains("href=\"https://example.com\""), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("javascript:") && !html.contains("onclick"),
        "{html}"
    );

    let paths: Vec<&str> = docs.submodules.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["modules/empty", "modules/subnet"]);
    assert!(docs.submodules[0].empty);
    assert_eq!(docs.submodules[1].inputs[0].name, "zone");
    assert_eq!(docs.submodules[1].readme, "Subnet");
    assert_eq!(docs.examples.len(), 1);
    assert_eq!(docs.examples[0].dependencies[0].source, "../..");
}

#[test]
fn files_that_do_not_parse_are_named_and_the_rest_is_read() {
    let docs = docs(&[
        ("broken.tf", "variable \"a\" {\n  type = \n"),
        ("good.tf", "variable \"b\" {}\n"),
        ("bad.tf.json", "{\"variable\": "),
        ("binary.tf", "\u{0}\u{1}"),
    ]);
    let root = &docs.root;
    assert_eq!(root.inputs.len(), 1);
    assert_eq!(root.problems.len(), 3, "{:?}", root.problems);
    assert!(root.problems.iter().any(|p| p.starts_with("broken.tf: ")), "{:?}", root.problems);
    assert!(root.problems.iter().any(|p| p.starts_with("bad.tf.json: ")), "{:?}", root.problems);
}

#[test]
fn a_module_with_no_variables_and_hostile_nesting() {
    let deep = format!("locals {{\n  x = {}1{}\n}}\n", "[".repeat(100_000), "]".repeat(100_000));
    let parens = format!("output \"o\" {{\n  value = {}1{}\n}}\n", "(".repeat(50_000), ")".repeat(50_000));
    let json = format!(
        "{{\"variable\": {{\"v\": {{\"default\": {}1{}}}}}}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let docs = docs(&[("deep.tf", &deep), ("parens.tf", &parens), ("deep.tf.json", &json)]);
    assert!(docs.root.inputs.is_empty());
    assert_eq!(docs.root.problems.len(), 3, "{:?}", docs.root.problems);
}

#[test]
fn sources_too_large_are_named() {
    let big = "#".repeat(600 << 10);
    let docs = docs(&[("main.tf", big.as_str()), ("ok.tf", "variable \"x\" {}\n")]);
    assert_eq!(docs.root.problems, ["main.tf: not read, too large"]);
    assert_eq!(docs.root.inputs.len(), 1);
}

#[test]
fn stored_archives_give_the_same_docs_as_uploads() {
    let upload = crate::modules::archive::tests::tar_gz_files(&[
        ("main.tf", VARIABLES.as_bytes()),
        ("modules/x/main.tf", b"output \"y\" { value = 1 }\n"),
    ]);
    let normalised =
        crate::modules::archive::normalize_module_archive_to_file(&upload, &Default::default()).unwrap();
    let mut file = normalised.archive.file;
    let mut stored = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut stored).unwrap();
    let from_upload = extract(&normalised.sources);
    assert_eq!(extract(&super::store::sources_of(&stored)), from_upload);
    assert_eq!(from_upload.root.inputs.len(), 5);
    assert_eq!(from_upload.submodules[0].outputs[0].name, "y");
}

mod random {
    use proptest::prelude::*;

    use super::{extract, SourceFile, Sources};

    const PATHS: [&str; 5] = ["main.tf", "x.tf.json", "README.md", "modules/a/b.tf", "examples/e/c.tf"];

    proptest! {
        /// Random bytes, and random text of HCL's punctuation, never panic the extractor, and
        /// every part it answers lies where parts may.
        #[test]
        fn random_files_never_panic(
            files in proptest::collection::vec(
                (
                    proptest::sample::select(PATHS.to_vec()),
                    prop_oneof![
                        proptest::collection::vec(any::<u8>(), 0..600),
                        "[a-z{}\\[\\]()=\"\\\\ \\n<>#$%:,.*-]{0,600}".prop_map(String::into_bytes),
                    ],
                ),
                0..5,
            )
        ) {
            let files = files.into_iter().map(|(path, bytes)| SourceFile { path: path.to_owned(), bytes });
            let docs = extract(&Sources::from_files(files));
            for part in std::iter::once(&docs.root).chain(&docs.submodules).chain(&docs.examples) {
                prop_assert!(part.path.is_empty() || part.path.starts_with("modules/") || part.path.starts_with("examples/"));
            }
        }
    }
}
