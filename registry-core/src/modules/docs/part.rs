//! One module folder's documentation as its files are read.

use crate::protocol::{Input, ModuleCall, ModulePart, Output, ProviderRequirement, Resource};

/// Collects what the files of one folder declare.
pub(super) struct PartBuilder {
    part: ModulePart,
}

impl PartBuilder {
    pub(super) fn new(path: &str) -> Self {
        Self { part: ModulePart { path: path.to_owned(), ..ModulePart::default() } }
    }

    pub(super) fn readme(&mut self, text: &str) {
        self.part.readme = text.to_owned();
        self.part.readme_html = super::readme::to_html(text);
    }

    pub(super) fn problem(&mut self, problem: String) {
        self.part.problems.push(problem);
    }

    pub(super) fn input(&mut self, input: Input) {
        self.part.inputs.push(input);
    }

    pub(super) fn output(&mut self, output: Output) {
        self.part.outputs.push(output);
    }

    pub(super) fn call(&mut self, call: ModuleCall) {
        self.part.dependencies.push(call);
    }

    pub(super) fn resource(&mut self, resource: Resource, data: bool) {
        if data {
            self.part.data_sources.push(resource);
        } else {
            self.part.resources.push(resource);
        }
    }

    /// One `required_providers` entry: `source` as written, or `None` for a bare local name
    /// (which Terraform takes as `hashicorp/NAME`).
    pub(super) fn provider(&mut self, name: &str, source: Option<&str>, version: String) {
        let source = source.map_or_else(|| format!("hashicorp/{name}"), str::to_owned);
        let parts: Vec<&str> = source.split('/').collect();
        let namespace = parts.len().checked_sub(2).map_or("", |at| parts[at]).to_owned();
        self.part.provider_dependencies.push(ProviderRequirement {
            name: name.to_owned(),
            namespace,
            source,
            version,
        });
    }

    pub(super) fn required_version(&mut self, version: String) {
        self.part.required_version = Some(version);
    }

    /// The part, with everything in a stable order.
    pub(super) fn finish(self) -> ModulePart {
        let mut part = self.part;
        part.inputs.sort_by(|a, b| (!a.required, &a.name).cmp(&(!b.required, &b.name)));
        part.outputs.sort_by(|a, b| a.name.cmp(&b.name));
        part.dependencies.sort_by(|a, b| a.name.cmp(&b.name));
        part.provider_dependencies.sort_by(|a, b| a.name.cmp(&b.name));
        part.provider_dependencies.dedup_by(|a, b| a.name == b.name);
        part.resources.sort_by(|a, b| (&a.type_, &a.name).cmp(&(&b.type_, &b.name)));
        part.data_sources.sort_by(|a, b| (&a.type_, &a.name).cmp(&(&b.type_, &b.name)));
        part.empty = part.inputs.is_empty()
            && part.outputs.is_empty()
            && part.dependencies.is_empty()
            && part.resources.is_empty()
            && part.data_sources.is_empty();
        part
    }
}
