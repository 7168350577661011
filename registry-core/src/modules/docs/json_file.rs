//! Reading one `.tf.json` file (Terraform's JSON syntax: blocks as nested objects, repeated
//! ones as arrays of objects).

use serde_json::{Map, Value};

use super::part::PartBuilder;
use crate::protocol::{Input, ModuleCall, Output, Resource};

/// Adds what the JSON file `name` declares to `part`, or a problem when it does not parse.
pub(super) fn read(source: &str, name: &str, part: &mut PartBuilder) {
    let root: Map<String, Value> = match serde_json::from_str(source) {
        Ok(root) => root,
        Err(err) => {
            part.problem(format!("{name}: {}", crate::text::printable_detail(&err.to_string())));
            return;
        }
    };
    for (name, body) in labelled(root.get("variable")) {
        let default = body.get("default").map(render);
        part.input(Input {
            name: name.to_owned(),
            type_: text(body, "type"),
            description: text(body, "description"),
            required: default.is_none(),
            default,
            sensitive: flag(body, "sensitive").unwrap_or(false),
            nullable: flag(body, "nullable").unwrap_or(true),
            validation: body.contains_key("validation"),
        });
    }
    for (name, body) in labelled(root.get("output")) {
        part.output(Output {
            name: name.to_owned(),
            description: text(body, "description"),
            sensitive: flag(body, "sensitive").unwrap_or(false),
        });
    }
    for (name, body) in labelled(root.get("module")) {
        part.call(ModuleCall {
            name: name.to_owned(),
            source: text(body, "source"),
            version: text(body, "version"),
        });
    }
    for (kind, data) in [("resource", false), ("data", true)] {
        for (type_, names) in labelled(root.get(kind)) {
            for name in names.keys() {
                part.resource(Resource { name: name.clone(), type_: type_.to_owned() }, data);
            }
        }
    }
    for terraform in objects(root.get("terraform")) {
        if let Some(version) = terraform.get("required_version").and_then(Value::as_str) {
            part.required_version(version.to_owned());
        }
        for providers in objects(terraform.get("required_providers")) {
            for (local, requirement) in providers {
                match requirement {
                    Value::Object(fields) => {
                        let source = fields.get("source").and_then(Value::as_str);
                        part.provider(local, source, text(fields, "version"));
                    }
                    other => part.provider(local, None, other.as_str().unwrap_or_default().to_owned()),
                }
            }
        }
    }
}

/// The objects of a block value: one object, or an array of them.
fn objects(value: Option<&Value>) -> impl Iterator<Item = &Map<String, Value>> {
    let list: Vec<&Map<String, Value>> = match value {
        Some(Value::Object(object)) => vec![object],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    };
    list.into_iter()
}

/// `(label, body)` of every labelled block in a block value, e.g. `{"variable": {"a": {...}}}`.
fn labelled(value: Option<&Value>) -> Vec<(&str, &Map<String, Value>)> {
    objects(value)
        .flat_map(|object| object.iter())
        .flat_map(|(label, body)| objects(Some(body)).map(move |b| (label.as_str(), b)))
        .collect()
}

fn text(body: &Map<String, Value>, key: &str) -> String {
    match body.get(key) {
        Some(Value::String(text)) => text.clone(),
        Some(other) => render(other),
        None => String::new(),
    }
}

fn flag(body: &Map<String, Value>, key: &str) -> Option<bool> {
    body.get(key).and_then(Value::as_bool)
}

/// A JSON value as Terraform users write it in HCL.
fn render(value: &Value) -> String {
    serde_json::from_value::<hcl::Value>(value.clone())
        .ok()
        .and_then(|v| hcl::format::to_string(&v).ok())
        .map_or_else(|| value.to_string(), |s| s.trim().to_owned())
}
