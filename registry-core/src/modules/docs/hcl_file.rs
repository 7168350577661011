//! Reading one `.tf` file.

use hcl::expr::{Expression, HeredocStripMode, TemplateExpr};
use hcl::{Block, Body};

use super::part::PartBuilder;
use crate::protocol::{Input, ModuleCall, Output, Resource};

/// Adds what the HCL file `name` declares to `part`, or a problem when it does not parse.
pub(super) fn read(text: &str, name: &str, part: &mut PartBuilder) {
    let body = match hcl::parse(text) {
        Ok(body) => body,
        Err(err) => {
            let first = err.to_string();
            let first = first.lines().find(|l| !l.trim().is_empty()).unwrap_or("does not parse");
            part.problem(format!("{name}: {}", crate::text::printable_detail(first)));
            return;
        }
    };
    for block in body.blocks() {
        let label = |at: usize| block.labels().get(at).map(|l| l.as_str().to_owned());
        match (block.identifier(), label(0), label(1)) {
            ("variable", Some(name), _) => part.input(input(name, block.body())),
            ("output", Some(name), _) => part.output(Output {
                name,
                description: string(block.body(), "description"),
                sensitive: boolean(block.body(), "sensitive").unwrap_or(false),
            }),
            ("module", Some(name), _) => part.call(ModuleCall {
                name,
                source: string(block.body(), "source"),
                version: string(block.body(), "version"),
            }),
            (kind @ ("resource" | "data"), Some(type_), Some(name)) => {
                part.resource(Resource { name, type_ }, kind == "data");
            }
            ("terraform", None, _) => terraform(block, part),
            _ => {}
        }
    }
}

fn input(name: String, body: &Body) -> Input {
    let default = attribute(body, "default").map(render);
    Input {
        name,
        type_: attribute(body, "type").map(render).unwrap_or_default(),
        description: string(body, "description"),
        required: default.is_none(),
        default,
        sensitive: boolean(body, "sensitive").unwrap_or(false),
        nullable: boolean(body, "nullable").unwrap_or(true),
        validation: body.blocks().any(|b| b.identifier() == "validation"),
    }
}

fn terraform(block: &Block, part: &mut PartBuilder) {
    if let Some(version) = attribute(block.body(), "required_version") {
        part.required_version(text_of(version).unwrap_or_else(|| render(version)));
    }
    for providers in block.body().blocks().filter(|b| b.identifier() == "required_providers") {
        for entry in providers.body().attributes() {
            match entry.expr() {
                Expression::Object(fields) => {
                    let field = |key: &str| {
                        fields.iter().find(|(k, _)| object_key(k) == key).and_then(|(_, v)| text_of(v))
                    };
                    part.provider(
                        entry.key(),
                        field("source").as_deref(),
                        field("version").unwrap_or_default(),
                    );
                }
                // The form before Terraform 0.13: a version constraint alone.
                other => part.provider(entry.key(), None, text_of(other).unwrap_or_default()),
            }
        }
    }
}

fn attribute<'a>(body: &'a Body, key: &str) -> Option<&'a Expression> {
    body.attributes().find(|a| a.key() == key).map(|a| a.expr())
}

/// The text of a string attribute; empty when absent.
fn string(body: &Body, key: &str) -> String {
    attribute(body, key).map(|e| text_of(e).unwrap_or_else(|| render(e))).unwrap_or_default()
}

fn boolean(body: &Body, key: &str) -> Option<bool> {
    match attribute(body, key)? {
        Expression::Bool(value) => Some(*value),
        _ => None,
    }
}

/// The text of a string expression: a literal, a quoted template as written, or a heredoc
/// (indented ones dedented as Terraform does).
fn text_of(expr: &Expression) -> Option<String> {
    match expr {
        Expression::String(text) => Some(text.clone()),
        Expression::TemplateExpr(template) => Some(match template.as_ref() {
            TemplateExpr::QuotedString(text) => text.clone(),
            TemplateExpr::Heredoc(heredoc) => match heredoc.strip {
                HeredocStripMode::Indent => dedent(&heredoc.template),
                HeredocStripMode::None => heredoc.template.clone(),
            },
        }),
        _ => None,
    }
}

fn object_key(key: &hcl::expr::ObjectKey) -> String {
    match key {
        hcl::expr::ObjectKey::Identifier(id) => id.to_string(),
        hcl::expr::ObjectKey::Expression(expr) => text_of(expr).unwrap_or_else(|| render(expr)),
        _ => String::new(),
    }
}

/// `expr` as Terraform users write it.
fn render(expr: &Expression) -> String {
    hcl::format::to_string(expr).unwrap_or_default().trim().to_owned()
}

/// Removes the indentation every non-blank line shares (`<<-EOT`).
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines().map(|l| l.get(indent..).unwrap_or("").trim_end()).collect::<Vec<_>>().join("\n")
}
