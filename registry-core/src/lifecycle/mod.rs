//! Version lifecycle: deprecate a module or provider version (and undo it), yank it from
//! resolution (and unyank it), or delete it with its objects.
//!
//! Marks live on the version's entry in its index, changed with compare-and-swap like a
//! publish, so replicas on one bucket agree. Deleting is three steps, each safe to repeat:
//! the entry moves from `versions` to `deleting` (from then on no read sees the version and no
//! publish can bring it back), its objects are removed, then the entry goes. A delete that was
//! interrupted is finished by running it again.

use bytes::Bytes;

use crate::protocol::{DeprecateRequest, Deprecation, Yank, YankRequest};
use crate::{Error, Result};

/// The longest deprecation message or yank reason, in characters.
pub const MAX_MESSAGE: usize = 1000;

/// What a lifecycle route does to a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// `PUT .../{version}/deprecation` with `{"message", "link"}`.
    Deprecate,
    /// `DELETE .../{version}/deprecation`.
    Undeprecate,
    /// `PUT .../{version}/yank`, optionally with `{"reason"}`.
    Yank,
    /// `DELETE .../{version}/yank`.
    Unyank,
    /// `DELETE .../{version}`: the version and its objects go (master only).
    Delete,
}

impl Step {
    /// The verb, as the audit trail and the `tfreg` subcommands name it.
    pub fn verb(self) -> &'static str {
        match self {
            Step::Deprecate => "deprecate",
            Step::Undeprecate => "undeprecate",
            Step::Yank => "yank",
            Step::Unyank => "unyank",
            Step::Delete => "delete",
        }
    }

    /// The audit action for a step on a module (`module.yank`) or a provider.
    pub fn audit_action(self, provider: bool) -> &'static str {
        match (provider, self) {
            (false, Step::Deprecate) => "module.deprecate",
            (false, Step::Undeprecate) => "module.undeprecate",
            (false, Step::Yank) => "module.yank",
            (false, Step::Unyank) => "module.unyank",
            (false, Step::Delete) => "module.delete",
            (true, Step::Deprecate) => "provider.deprecate",
            (true, Step::Undeprecate) => "provider.undeprecate",
            (true, Step::Yank) => "provider.yank",
            (true, Step::Unyank) => "provider.unyank",
            (true, Step::Delete) => "provider.delete",
        }
    }

    /// Whether the route reads a JSON body.
    pub fn takes_body(self) -> bool {
        matches!(self, Step::Deprecate | Step::Yank)
    }
}

/// A lifecycle change with what its request said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Mark deprecated (replacing an earlier message).
    Deprecate {
        /// Why, and what to use instead.
        message: String,
        /// Where to read more.
        link: Option<String>,
    },
    /// Remove the deprecation.
    Undeprecate,
    /// Take out of the versions document.
    Yank {
        /// Why.
        reason: Option<String>,
    },
    /// Put back into the versions document.
    Unyank,
    /// Remove the version and its objects.
    Delete,
}

impl Change {
    /// The step that makes this change.
    pub fn step(&self) -> Step {
        match self {
            Change::Deprecate { .. } => Step::Deprecate,
            Change::Undeprecate => Step::Undeprecate,
            Change::Yank { .. } => Step::Yank,
            Change::Unyank => Step::Unyank,
            Change::Delete => Step::Delete,
        }
    }

    /// Reads the change a `step`'s request asks for from its body: 400 for a body that is not
    /// the step's document, a message that is empty, too long or not plain text, or a link that
    /// is not a web URL.
    pub fn parse(step: Step, body: &Bytes) -> Result<Self> {
        Ok(match step {
            Step::Deprecate => {
                let request: DeprecateRequest = serde_json::from_slice(body).map_err(|e| {
                    Error::invalid_body(
                        "the body must be JSON like {\"message\": \"use 2.x\", \"link\": \"https://...\"}",
                        e,
                    )
                })?;
                let message = text(&request.message, "message")?.ok_or_else(|| {
                    Error::bad_request("a deprecation needs a message: say why, and what to use instead")
                })?;
                let link = request.link.as_deref().map(crate::modules::metadata::web_link).transpose()?;
                Change::Deprecate { message, link }
            }
            Step::Yank => {
                let request: YankRequest = if body.iter().all(u8::is_ascii_whitespace) {
                    YankRequest::default()
                } else {
                    serde_json::from_slice(body).map_err(|e| {
                        Error::invalid_body("the body must be empty or JSON like {\"reason\": \"...\"}", e)
                    })?
                };
                let reason = request.reason.as_deref().map(|r| text(r, "reason")).transpose()?.flatten();
                Change::Yank { reason }
            }
            Step::Undeprecate => Change::Undeprecate,
            Step::Unyank => Change::Unyank,
            Step::Delete => Change::Delete,
        })
    }
}

/// What a lifecycle change applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A module.
    Module(crate::types::ModuleAddress),
    /// A provider of this registry (or pinned from its upstream).
    Provider(crate::types::ProviderAddress),
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Module(addr) => addr.fmt(f),
            Subject::Provider(addr) => addr.fmt(f),
        }
    }
}

/// The lifecycle marks of one version, as its index entry holds them.
pub(crate) struct Marks<'a> {
    pub(crate) deprecation: &'a mut Option<Deprecation>,
    pub(crate) yanked: &'a mut Option<Yank>,
}

impl Marks<'_> {
    /// Applies a marking change (not [`Change::Delete`]), made `at` by `by`. Changes are
    /// idempotent: yanking a yanked version keeps the first yank.
    pub(crate) fn apply(self, change: &Change, at: &str, by: &str) {
        match change {
            Change::Deprecate { message, link } => {
                *self.deprecation = Some(Deprecation {
                    message: message.clone(),
                    link: link.clone(),
                    at: at.to_owned(),
                    by: by.to_owned(),
                });
            }
            Change::Undeprecate => *self.deprecation = None,
            Change::Yank { reason } => {
                if self.yanked.is_none() {
                    *self.yanked =
                        Some(Yank { reason: reason.clone(), at: at.to_owned(), by: by.to_owned() });
                }
            }
            Change::Unyank => *self.yanked = None,
            Change::Delete => {}
        }
    }
}

/// Step one of a delete, on an index's `versions` and `deleting` lists: the entry `is` picks
/// moves from the first to the second. `false` when neither holds it; an entry already in
/// `deleting` (an interrupted delete, run again) stays there.
pub(crate) fn begin_delete<V>(versions: &mut Vec<V>, deleting: &mut Vec<V>, is: impl Fn(&V) -> bool) -> bool {
    if let Some(at) = versions.iter().position(&is) {
        deleting.push(versions.remove(at));
        return true;
    }
    deleting.iter().any(is)
}

/// Trimmed plain text of at most [`MAX_MESSAGE`] characters; `None` when empty.
fn text(value: &str, what: &str) -> Result<Option<String>> {
    let value = value.trim();
    if value.chars().count() > MAX_MESSAGE || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::bad_request(format!(
            "the {what} must be text of at most {MAX_MESSAGE} characters without control characters"
        )));
    }
    Ok((!value.is_empty()).then(|| value.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    fn parse(step: Step, body: &str) -> Result<Change> {
        Change::parse(step, &Bytes::from(body.to_owned()))
    }

    #[test]
    fn requests_are_read_and_checked() {
        assert_eq!(
            parse(Step::Deprecate, r#"{"message":" Use 2.x ","link":"https://example.com/why"}"#).unwrap(),
            Change::Deprecate { message: "Use 2.x".into(), link: Some("https://example.com/why".into()) }
        );
        assert_eq!(parse(Step::Yank, "").unwrap(), Change::Yank { reason: None });
        assert_eq!(
            parse(Step::Yank, r#"{"reason":"broken"}"#).unwrap(),
            Change::Yank { reason: Some("broken".into()) }
        );
        assert_eq!(parse(Step::Unyank, "ignored").unwrap(), Change::Unyank);
        for (step, bad) in [
            (Step::Deprecate, ""),
            (Step::Deprecate, r#"{"message":""}"#),
            (Step::Deprecate, r#"{"message":"x","link":"javascript:alert(1)"}"#),
            (Step::Deprecate, r#"{"message":"x","colour":"red"}"#),
            (Step::Deprecate, r#"{"message":"a\u0007b"}"#),
            (Step::Yank, "not json"),
            (Step::Yank, &format!(r#"{{"reason":"{}"}}"#, "x".repeat(MAX_MESSAGE + 1))),
        ] {
            assert_eq!(parse(step, bad).unwrap_err().status(), StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn marks_change_idempotently() {
        let (mut deprecation, mut yanked) = (None, None);
        Marks { deprecation: &mut deprecation, yanked: &mut yanked }.apply(
            &Change::Yank { reason: None },
            "t1",
            "a",
        );
        Marks { deprecation: &mut deprecation, yanked: &mut yanked }.apply(
            &Change::Yank { reason: Some("again".into()) },
            "t2",
            "b",
        );
        assert_eq!(yanked.as_ref().map(|y| y.at.as_str()), Some("t1"));
        Marks { deprecation: &mut deprecation, yanked: &mut yanked }.apply(&Change::Unyank, "t3", "a");
        assert!(yanked.is_none());
        let deprecate = Change::Deprecate { message: "m".into(), link: None };
        Marks { deprecation: &mut deprecation, yanked: &mut yanked }.apply(&deprecate, "t4", "a");
        assert_eq!(deprecation.as_ref().map(|d| d.message.as_str()), Some("m"));
        Marks { deprecation: &mut deprecation, yanked: &mut yanked }.apply(&Change::Undeprecate, "t5", "a");
        assert!(deprecation.is_none());
    }
}
