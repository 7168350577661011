//! Module documentation read from the code when a version is published: the inputs, outputs,
//! module calls, provider requirements and resources of the root module, of each `modules/*`
//! and of each `examples/*`, with their READMEs ([`extract`]).
//!
//! Files are parsed with a real HCL parser (`hcl-rs`, whose parser bounds nesting depth) and
//! `.tf.json` files with `serde_json` (which bounds recursion), from the sources the archive
//! normaliser kept within its budget. A file that does not parse is named in the part's
//! `problems` and the rest is still read: Terraform, not the registry, judges what is valid.

mod hcl_file;
mod json_file;
mod part;
pub(crate) mod readme;
mod store;

use std::collections::BTreeMap;

use crate::modules::archive::{sources::part_of, Sources};
use crate::protocol::ModuleDocs;

pub(crate) use store::{load, reindex, save};

use part::PartBuilder;

/// Reads the documentation of a module from its `sources`.
pub fn extract(sources: &Sources) -> ModuleDocs {
    let mut parts: BTreeMap<&str, PartBuilder> = BTreeMap::new();
    parts.entry("").or_insert_with(|| PartBuilder::new(""));
    for file in &sources.files {
        let Some(folder) = part_of(&file.path) else { continue };
        let part = parts.entry(folder).or_insert_with(|| PartBuilder::new(folder));
        let name = &file.path[file.path.rfind('/').map_or(0, |at| at + 1)..];
        let Ok(text) = std::str::from_utf8(&file.bytes) else {
            part.problem(format!("{name}: not UTF-8 text"));
            continue;
        };
        if name.eq_ignore_ascii_case("readme.md") {
            part.readme(text);
        } else if name.ends_with(".tf.json") {
            json_file::read(text, name, part);
        } else {
            hcl_file::read(text, name, part);
        }
    }
    for skipped in &sources.skipped {
        if let Some(part) = part_of(skipped).and_then(|folder| parts.get_mut(folder)) {
            part.problem(format!("{skipped}: not read, too large"));
        }
    }
    let mut docs = ModuleDocs::default();
    for (folder, part) in parts {
        let part = part.finish();
        if folder.is_empty() {
            docs.root = part;
        } else if folder.starts_with("modules/") {
            docs.submodules.push(part);
        } else {
            docs.examples.push(part);
        }
    }
    let mut providers: Vec<String> = std::iter::once(&docs.root)
        .chain(&docs.submodules)
        .flat_map(|p| p.provider_dependencies.iter().map(|d| d.name.clone()))
        .collect();
    providers.sort();
    providers.dedup();
    docs.providers = providers;
    docs
}

#[cfg(test)]
mod tests;
