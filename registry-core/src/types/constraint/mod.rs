//! Version constraints as Terraform users write them in a module block's `version = "..."`.
//!
//! The syntax and the matching rules are those of HashiCorp's `go-version`, which the Terraform
//! CLI uses to pick module versions:
//!
//! * a constraint is a comma-separated list of terms, all of which must hold;
//! * a term is an operator (`=`, `!=`, `>`, `>=`, `<`, `<=` or `~>`; none means `=`) followed by
//!   a version in any form [`Version::parse`] accepts (`1`, `1.2`, `v1.2.3`, `1.2.3-beta`);
//!   ASCII whitespace may surround operators and commas;
//! * `~>` (pessimistic) lets only the last *written* part grow: `~> 1.2.3` is `>= 1.2.3, < 1.3.0`
//!   and `~> 1.2` is `>= 1.2.0, < 2.0.0`. Like `go-version` (and so `terraform init`), `~> 1`
//!   puts no upper bound on the major version: it is `>= 1.0.0`;
//! * pre-releases: a term with an operator other than `=` and `!=` matches a pre-release version
//!   only if the term's own version is a pre-release of the same `major.minor.patch`
//!   (`>= 1.0.0-beta` matches `1.0.0-rc1` but not `1.0.1-rc1`). A pre-release term still matches
//!   release versions normally (`>= 1.0.0-beta` matches `1.0.1`), except `~>`, which then
//!   matches only pre-releases.
//!
//! On top of matching, [`Constraints::select_newest`] applies the Terraform module installer's
//! rule that a pre-release is only ever *selected* when a term asks for exactly that version.

use std::fmt;
use std::str::FromStr;

use crate::types::version::{self, Version};

/// A comparison operator of one constraint term.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Operator {
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Pessimistic,
}

impl Operator {
    fn from_symbol(symbol: &str) -> Option<Self> {
        Some(match symbol {
            "" | "=" => Self::Equal,
            "!=" => Self::NotEqual,
            ">" => Self::Greater,
            ">=" => Self::GreaterOrEqual,
            "<" => Self::Less,
            "<=" => Self::LessOrEqual,
            "~>" => Self::Pessimistic,
            _ => return None,
        })
    }

    fn symbol(self) -> &'static str {
        match self {
            Self::Equal => "=",
            Self::NotEqual => "!=",
            Self::Greater => ">",
            Self::GreaterOrEqual => ">=",
            Self::Less => "<",
            Self::LessOrEqual => "<=",
            Self::Pessimistic => "~>",
        }
    }
}

/// One term of a constraint, such as `>= 1.2.0` or `~> 1.2`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Term {
    op: Operator,
    version: Version,
    /// How many numeric parts were written (1 to 3) for `~>`; always 3 for other operators,
    /// whose meaning does not depend on it.
    parts: u8,
}

impl Term {
    fn matches(&self, v: &Version) -> bool {
        let c = &self.version;
        match self.op {
            Operator::Equal => v == c,
            Operator::NotEqual => v != c,
            Operator::Greater => prerelease_ok(v, c) && v > c,
            Operator::GreaterOrEqual => prerelease_ok(v, c) && v >= c,
            Operator::Less => prerelease_ok(v, c) && v < c,
            Operator::LessOrEqual => prerelease_ok(v, c) && v <= c,
            Operator::Pessimistic => {
                // A pessimistic term with a pre-release matches only pre-releases.
                let fixed = usize::from(self.parts) - 1;
                prerelease_ok(v, c)
                    && (v.is_prerelease() || !c.is_prerelease())
                    && v >= c
                    && v.core()[..fixed] == c.core()[..fixed]
            }
        }
    }

    /// Whether this term asks for exactly `v`, which makes a pre-release `v` selectable.
    fn names_exactly(&self, v: &Version) -> bool {
        self.op == Operator::Equal && self.version == *v
    }
}

/// `go-version`'s pre-release rule for ordering operators: a pre-release version can only
/// match a term whose version is a pre-release of the same `major.minor.patch`.
fn prerelease_ok(v: &Version, c: &Version) -> bool {
    match (v.is_prerelease(), c.is_prerelease()) {
        (true, true) => v.same_core(c),
        (true, false) => false,
        (false, _) => true,
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.version;
        match self.op {
            Operator::Equal => write!(f, "{v}"),
            Operator::Pessimistic => {
                write!(f, "~> {}", v.major())?;
                if self.parts >= 2 {
                    write!(f, ".{}", v.minor())?;
                }
                if self.parts >= 3 {
                    write!(f, ".{}", v.patch())?;
                }
                if v.is_prerelease() {
                    write!(f, "-{}", v.prerelease())?;
                }
                if !v.build().is_empty() {
                    write!(f, "+{}", v.build())?;
                }
                Ok(())
            }
            op => write!(f, "{} {v}", op.symbol()),
        }
    }
}

/// A version constraint such as `>= 1.0, < 2.0` or `~> 1.2`: a list of terms that must all hold.
///
/// [`Display`](fmt::Display) gives a canonical form that parses back to an equal value: terms in
/// the order written, joined by `", "`, each as `OP VERSION` with the normalised version, an
/// exact match as the bare version, and `~>` keeping the written number of parts
/// (`~> 1.2`, `~> 1.2.3`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Constraints {
    terms: Vec<Term>,
}

/// Why a constraint string was rejected. Its [`Display`](fmt::Display) form is a message for
/// the person who wrote it, quoting it: `invalid constraint ">== 1": unknown operator ">=="; ...`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid constraint {quoted}: {reason}")]
pub struct ConstraintError {
    quoted: String,
    reason: String,
}

impl ConstraintError {
    fn new(input: &str, reason: String) -> Self {
        Self { quoted: version::quote(input), reason }
    }

    /// What is wrong with the constraint, without the quoted input.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Characters that make up an operator: anything that cannot start or continue a version.
fn is_operator_char(c: char) -> bool {
    !(c.is_alphanumeric() || c.is_whitespace() || matches!(c, '.' | '-' | '+' | '_'))
}

fn is_space(c: char) -> bool {
    // Go's `\s`, which `go-version` allows around operators and commas.
    c.is_ascii_whitespace()
}

const OPERATORS: &str = "expected one of =, !=, >, >=, <, <=, ~> (or none, meaning =)";

fn unknown_operator(symbol: &str) -> String {
    let hint = match symbol {
        "=>" => "did you mean \">=\"?".to_owned(),
        "=<" => "did you mean \"<=\"?".to_owned(),
        "==" => "did you mean \"=\"?".to_owned(),
        "!" | "<>" | "≠" => "did you mean \"!=\"?".to_owned(),
        "~" | "~=" | "=~" | "~>=" => "did you mean \"~>\"?".to_owned(),
        "≥" => "did you mean \">=\"?".to_owned(),
        "≤" => "did you mean \"<=\"?".to_owned(),
        "^" => "caret ranges are not supported; use \"~>\", as in \"~> 1.2\"".to_owned(),
        "*" => "wildcards are not supported; leave the version unconstrained or use \">= 0\"".to_owned(),
        _ if symbol.contains(['"', '\'']) => "remove the quotes around the version".to_owned(),
        _ => OPERATORS.to_owned(),
    };
    format!("unknown operator {symbol:?}; {hint}")
}

fn parse_term(term: &str) -> Result<Term, String> {
    let op_len = term.find(|c| !is_operator_char(c)).unwrap_or(term.len());
    let (symbol, rest) = term.split_at(op_len);
    let op = Operator::from_symbol(symbol).ok_or_else(|| unknown_operator(symbol))?;
    let operand = rest.trim_start_matches(is_space);
    if operand.is_empty() {
        return Err(format!("missing version after operator {symbol:?}"));
    }
    if let Some(c) = operand.chars().next().filter(|&c| is_operator_char(c)) {
        return Err(format!(
            "unexpected {c:?} after operator {symbol:?}; write operators without spaces inside, \
             such as \">=\""
        ));
    }
    if operand.contains(is_space) {
        return Err(format!(
            "unexpected whitespace in {operand:?}; separate constraints with commas, \
             as in \">= 1.0, < 2.0\""
        ));
    }
    let (version, written) = version::parse_written(operand).map_err(|e| e.to_string())?;
    let parts = if op == Operator::Pessimistic { written } else { 3 };
    Ok(Term { op, version, parts })
}

impl Constraints {
    /// A constraint that every version matches, like a module block without `version`.
    /// [`select_newest`](Self::select_newest) still never picks a pre-release with it. It
    /// displays as the empty string, which [`parse`](Self::parse) rejects.
    pub fn any() -> Self {
        Self::default()
    }

    /// Whether this is [`Constraints::any`].
    pub fn is_any(&self) -> bool {
        self.terms.is_empty()
    }

    /// Parses a constraint such as `>= 1.0, < 2.0`, `~> 1.2` or `1.2.3`. An empty (or blank)
    /// string is an error: use [`Constraints::any`] for "no constraint".
    pub fn parse(input: &str) -> Result<Self, ConstraintError> {
        if input.trim_matches(is_space).is_empty() {
            return Err(ConstraintError::new(
                input,
                "empty constraint; expected e.g. \">= 1.0\" or \"~> 1.2\"".to_owned(),
            ));
        }
        let pieces: Vec<&str> = input.split(',').collect();
        let mut terms = Vec::with_capacity(pieces.len());
        for (index, piece) in pieces.iter().enumerate() {
            let term = piece.trim_matches(is_space);
            let result = if term.is_empty() {
                Err(format!("term {} of {} is empty; remove the stray comma", index + 1, pieces.len()))
            } else {
                parse_term(term).map_err(|reason| {
                    if pieces.len() > 1 {
                        format!("in {}: {reason}", version::quote(term))
                    } else {
                        reason
                    }
                })
            };
            terms.push(result.map_err(|reason| ConstraintError::new(input, reason))?);
        }
        Ok(Self { terms })
    }

    /// Whether `v` satisfies every term, by `go-version`'s rules (see the
    /// [module documentation](self)).
    pub fn matches(&self, v: &Version) -> bool {
        self.terms.iter().all(|term| term.matches(v))
    }

    /// Whether [`select_newest`](Self::select_newest) may pick `v`: it matches, and if it is a
    /// pre-release, some `=` (or bare) term names exactly that version.
    pub fn is_selectable(&self, v: &Version) -> bool {
        self.matches(v) && (!v.is_prerelease() || self.terms.iter().any(|term| term.names_exactly(v)))
    }

    /// The newest version that the Terraform module installer would pick from `versions`:
    /// the greatest [selectable](Self::is_selectable) one. Among versions of equal precedence
    /// (differing only in build metadata) the first one wins.
    pub fn select_newest<'a, I>(&self, versions: I) -> Option<&'a Version>
    where
        I: IntoIterator<Item = &'a Version>,
    {
        let mut newest: Option<&'a Version> = None;
        for v in versions {
            if self.is_selectable(v) && newest.is_none_or(|best| v > best) {
                newest = Some(v);
            }
        }
        newest
    }
}

impl fmt::Display for Constraints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, term) in self.terms.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{term}")?;
        }
        Ok(())
    }
}

impl FromStr for Constraints {
    type Err = ConstraintError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The invariants the fuzz target checks (see [`crate::fuzzing`]).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod oracle {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    use serde::de::value::{Error as ValueError, StrDeserializer};
    use serde::de::IntoDeserializer;
    use serde::Deserialize;

    use super::*;

    fn hash_of<T: Hash>(value: &T) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    /// Checks the invariants of [`Version`] and [`Constraints`] on one pair of arbitrary strings,
    /// panicking if one is broken. The fuzz target and the corpus replay test both call this.
    pub fn check_version_constraint(version: &str, constraint: &str) {
        let v = check_version(version);
        let c = check_constraints(constraint);
        if let Some(v) = &v {
            // Any version is also a valid exact constraint and a valid `~>` operand.
            let exact = Constraints::parse(version)
                .unwrap_or_else(|e| panic!("version {version:?} parses but not as a constraint: {e}"));
            assert_eq!(exact.terms.len(), 1);
            assert_eq!(exact.terms[0].op, Operator::Equal);
            assert!(exact.matches(v) && exact.is_selectable(v), "{version:?} as a constraint");
            assert!(exact.select_newest([v]).is_some());
            let (_, written) = version::parse_written(version).expect("parsed above");
            let tilde = Constraints::parse(&format!("~> {version}"))
                .unwrap_or_else(|e| panic!("\"~> {version}\" does not parse: {e}"));
            assert_eq!(tilde.terms[0].parts, written);
            assert!(tilde.matches(v), "~> {version} must match {version}");
            check_pair(v, &Constraints::any());
        }
        if let (Some(v), Some(c)) = (&v, &c) {
            check_pair(v, c);
        }
    }

    fn check_version(input: &str) -> Option<Version> {
        let strict = semver::Version::parse(input);
        let v = match Version::parse(input) {
            Ok(v) => v,
            Err(err) => {
                let message = err.to_string();
                assert!(message.starts_with("invalid version \""), "{message}");
                assert!(!err.reason().is_empty() && message.ends_with(err.reason()), "{message}");
                assert!(
                    strict.is_err() || input.len() > Version::MAX_LEN,
                    "strict semver {input:?} rejected: {message}"
                );
                return None;
            }
        };
        if let Ok(strict) = strict {
            assert_eq!(v.as_semver(), &strict, "strict semver {input:?} changed");
        }
        let display = v.to_string();
        assert!(display.len() <= Version::MAX_LEN, "{display:?} is too long");
        let reparsed_semver = semver::Version::parse(&display)
            .unwrap_or_else(|e| panic!("{input:?} displays as {display:?}, not semver: {e}"));
        assert_eq!(&reparsed_semver, v.as_semver());
        let again = Version::parse(&display)
            .unwrap_or_else(|e| panic!("{input:?} displays as {display:?}, which fails: {e}"));
        assert_eq!(again, v);
        assert_eq!(again.as_semver(), v.as_semver());
        assert_eq!(again.to_string(), display);
        assert_eq!(hash_of(&again), hash_of(&v));
        assert_eq!(v.is_prerelease(), !v.prerelease().is_empty());
        assert_eq!(v.prerelease(), v.as_semver().pre.as_str());
        assert_eq!(v.build(), v.as_semver().build.as_str());
        assert_eq!(
            [v.major(), v.minor(), v.patch()],
            [v.as_semver().major, v.as_semver().minor, v.as_semver().patch]
        );
        let de: StrDeserializer<'_, ValueError> = display.as_str().into_deserializer();
        assert_eq!(Version::deserialize(de).ok().as_ref(), Some(&v));
        // Build metadata never affects equality or hashing.
        let released = display.split('+').next().unwrap_or_default();
        let stripped = Version::parse(released).expect("a prefix of a valid version");
        assert_eq!(stripped, v);
        assert_eq!(hash_of(&stripped), hash_of(&v));
        Some(v)
    }

    fn check_constraints(input: &str) -> Option<Constraints> {
        let c = match Constraints::parse(input) {
            Ok(c) => c,
            Err(err) => {
                let message = err.to_string();
                assert!(message.starts_with("invalid constraint \""), "{message}");
                assert!(!err.reason().is_empty() && message.ends_with(err.reason()), "{message}");
                return None;
            }
        };
        assert!(!c.is_any());
        assert_eq!(c.terms.len(), input.split(',').count());
        for term in &c.terms {
            assert!((1..=3).contains(&term.parts));
            assert!(term.op == Operator::Pessimistic || term.parts == 3);
        }
        let display = c.to_string();
        let again = Constraints::parse(&display)
            .unwrap_or_else(|e| panic!("{input:?} displays as {display:?}, which fails: {e}"));
        assert_eq!(again, c, "{input:?} displays as {display:?}");
        assert_eq!(again.to_string(), display);
        Some(c)
    }

    fn check_pair(v: &Version, c: &Constraints) {
        let matched = c.matches(v);
        if !c.is_any() {
            let again = Constraints::parse(&c.to_string()).expect("checked by check_constraints");
            assert_eq!(again.matches(v), matched, "{c} vs {v} after a round trip");
        }
        let released = v.to_string().split('+').next().unwrap_or_default().to_owned();
        let stripped = Version::parse(&released).expect("a prefix of a valid version");
        assert_eq!(c.matches(&stripped), matched, "build metadata changed whether {c} matches {v}");

        for term in &c.terms {
            let t = &term.version;
            let m = term.matches(v);
            let single = Constraints::parse(&term.to_string()).expect("a displayed term parses");
            assert_eq!(single.matches(v), m, "term {term} alone vs {v}");
            match term.op {
                Operator::Equal => assert_eq!(m, v == t, "{term} vs {v}"),
                Operator::NotEqual => assert_eq!(m, v != t, "{term} vs {v}"),
                op => {
                    if m && v.is_prerelease() {
                        assert!(t.is_prerelease() && v.same_core(t), "{term} matched {v}");
                    }
                    let ordered = match op {
                        Operator::Greater => v > t,
                        Operator::GreaterOrEqual | Operator::Pessimistic => v >= t,
                        Operator::Less => v < t,
                        Operator::LessOrEqual => v <= t,
                        Operator::Equal | Operator::NotEqual => unreachable!(),
                    };
                    assert!(!m || ordered, "{term} matched {v} out of order");
                    if op == Operator::Pessimistic {
                        let fixed = usize::from(term.parts) - 1;
                        let same_prefix = v.core()[..fixed] == t.core()[..fixed];
                        assert!(!m || same_prefix, "{term} matched {v}");
                        if !v.is_prerelease() && !t.is_prerelease() {
                            assert_eq!(m, ordered && same_prefix, "{term} vs {v}");
                        }
                        if !v.is_prerelease() && t.is_prerelease() {
                            assert!(!m, "{term} matched release {v}");
                        }
                    } else if !v.is_prerelease() {
                        assert_eq!(m, ordered, "{term} vs release {v}");
                    }
                }
            }
        }

        let selectable = c.is_selectable(v);
        let exact = c.terms.iter().any(|term| term.names_exactly(v));
        assert_eq!(selectable, matched && (!v.is_prerelease() || exact), "{c} selecting {v}");
        assert_eq!(c.select_newest([v]).is_some(), selectable);
        assert!(Constraints::any().matches(v));
        assert_eq!(Constraints::any().is_selectable(v), !v.is_prerelease());
    }
}

#[cfg(test)]
mod tests;
