//! What a module version's code documents, read from its HCL when it is published, in the
//! shapes of the public registry's module detail (`root`, `submodules[]`, `examples[]`).

use serde::{Deserialize, Serialize};

/// The documentation of one module version.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ModuleDocs {
    /// The root module.
    pub root: ModulePart,
    /// Each `modules/*` folder, by path.
    pub submodules: Vec<ModulePart>,
    /// Each `examples/*` folder, by path.
    pub examples: Vec<ModulePart>,
    /// The providers the module's parts require, by local name (the public registry's
    /// `providers[]`).
    pub providers: Vec<String>,
}

/// One module folder: its README, inputs, outputs, calls and resources.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ModulePart {
    /// The folder in the archive: `""` for the root, else `modules/x` or `examples/x`.
    pub path: String,
    /// Its `README.md`, as written (empty when there is none).
    pub readme: String,
    /// The README rendered from CommonMark and sanitised: no scripts, styles or event
    /// handlers; links kept.
    pub readme_html: String,
    /// Whether it declares nothing (no variables, outputs, module calls or resources).
    pub empty: bool,
    /// The `variable` blocks, required ones first, then by name.
    pub inputs: Vec<Input>,
    /// The `output` blocks, by name.
    pub outputs: Vec<Output>,
    /// The `module` calls, by name.
    pub dependencies: Vec<ModuleCall>,
    /// `terraform { required_providers { ... } }`, by local name.
    pub provider_dependencies: Vec<ProviderRequirement>,
    /// The managed `resource` blocks, by type and name.
    pub resources: Vec<Resource>,
    /// The `data` blocks, by type and name.
    pub data_sources: Vec<Resource>,
    /// `terraform { required_version = ... }`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_version: Option<String>,
    /// What could not be read (a file that does not parse, one too large), one line each:
    /// the module still publishes, as Terraform is the judge of what is valid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// One input variable.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Input {
    /// Its name.
    pub name: String,
    /// Its type constraint as written (`string`, `object({ ... })`); empty when unconstrained.
    #[serde(rename = "type")]
    pub type_: String,
    /// Its description.
    pub description: String,
    /// Its default as Terraform would write it (`"eu-west-1"`, `3`, `null`); `None` when it has
    /// none.
    pub default: Option<String>,
    /// Whether a caller must set it (it has no default).
    pub required: bool,
    /// `sensitive = true`.
    pub sensitive: bool,
    /// `nullable` (true unless set to false).
    pub nullable: bool,
    /// Whether it has `validation` blocks.
    pub validation: bool,
}

/// One output.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Output {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// `sensitive = true`.
    pub sensitive: bool,
}

/// One `module` call.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ModuleCall {
    /// The call's name.
    pub name: String,
    /// Its `source`.
    pub source: String,
    /// Its `version` constraint; empty when there is none.
    pub version: String,
}

/// One entry of `required_providers`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct ProviderRequirement {
    /// The local name.
    pub name: String,
    /// The namespace of its source (`hashicorp` for a bare name, as Terraform assumes).
    pub namespace: String,
    /// Its source address (`hashicorp/aws`, `registry.example.com/acme/thing`).
    pub source: String,
    /// Its version constraint; empty when there is none.
    pub version: String,
}

/// One `resource` or `data` block.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Resource {
    /// The block's name (its second label).
    pub name: String,
    /// The resource type (its first label).
    #[serde(rename = "type")]
    pub type_: String,
}
