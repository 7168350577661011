//! Tests of the parent module.

use crate::fuzzing::check_version_constraint;
use proptest::prelude::*;

use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn c(s: &str) -> Constraints {
    Constraints::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn check_table(cases: &[(&str, &str, bool)]) {
    for &(constraint, version, expected) in cases {
        assert_eq!(c(constraint).matches(&v(version)), expected, "{constraint:?} matching {version:?}");
        check_version_constraint(version, constraint);
    }
}

#[test]
fn operators() {
    check_table(&[
        ("= 1.2.0", "1.2.0", true),
        ("= 1.2.0", "1.2.1", false),
        ("1.2.0", "1.2.0", true),
        ("1.2", "1.2.0", true),
        ("=1.2", "1.2.0", true),
        ("!= 1.2.0", "1.2.0", false),
        ("!= 1.2.0", "1.2.1", true),
        ("> 1.2.0", "1.2.0", false),
        ("> 1.2.0", "1.2.1", true),
        ("> 1.2.0", "1.1.9", false),
        (">= 1.2.0", "1.2.0", true),
        (">= 1.2.0", "1.1.9", false),
        (">= 1.2.0", "10.0.0", true),
        ("< 1.2.0", "1.2.0", false),
        ("< 1.2.0", "1.1.9", true),
        ("<= 1.2.0", "1.2.0", true),
        ("<= 1.2.0", "1.2.1", false),
        (">= 1.0, < 1.2", "1.1.5", true),
        (">= 1.0, < 1.2", "1.2.0", false),
        ("< 1.0, < 1.2", "1.1.5", false),
        (">= 1.0,< 2.0", "1.9.9", true),
        ("  >=1.0 ,\t<2.0  ", "2.0.0", false),
        ("= 1.0.0+a", "1.0.0+b", true),
        ("> 1.0.0+a", "1.0.0+b", false),
    ]);
}

#[test]
fn short_and_v_prefixed_versions() {
    check_table(&[
        ("1", "1.0.0", true),
        ("= 1", "1.0.1", false),
        (">= v1.2", "1.2.0", true),
        ("v1.2.3", "1.2.3", true),
        ("< 2", "1.99.99", true),
        ("< 2", "2.0.0", false),
        (">= 01.02", "1.2.0", true),
        ("= 1.2.3", "v1.2.3", true),
        ("= 1.2", "1.2", true),
    ]);
}

#[test]
fn pessimistic() {
    check_table(&[
        ("~> 1.2", "1.2.0", true),
        ("~> 1.2", "1.1.9", false),
        ("~> 1.2", "1.9.0", true),
        ("~> 1.2", "1.99.99", true),
        ("~> 1.2", "2.0.0", false),
        ("~> 1.2.3", "1.2.3", true),
        ("~> 1.2.3", "1.2.2", false),
        ("~> 1.2.3", "1.2.99", true),
        ("~> 1.2.3", "1.3.0", false),
        ("~>1.2", "1.5.0", true),
        ("~> 1.0", "2.0", false),
        ("~> 1.0", "1.1", true),
        ("~> 1.0", "1.2.3", true),
        ("~> 1.0.0", "1.2.3", false),
        ("~> 1.0.0", "1.0.7", true),
        ("~> 1.0.7", "1.0.4", false),
        ("~> 1.0.7", "1.0.8", true),
        ("~> v1.2", "1.3.0", true),
        ("~> 0.1", "0.9.0", true),
        ("~> 0.1", "1.0.0", false),
        // As in go-version (and so `terraform init`), a major-only pessimistic term has no
        // upper bound: only its last written part, the major, may grow.
        ("~> 1", "1.0.0", true),
        ("~> 1", "1.9.9", true),
        ("~> 1", "0.9.9", false),
        ("~> 1", "2.0.0", true),
        ("~> 1, < 2", "2.0.0", false),
    ]);
}

#[test]
fn prereleases() {
    check_table(&[
        // A constraint without a pre-release never matches a pre-release...
        ("~> 1.0", "1.0.0-beta", false),
        (">= 0.9", "1.0.0-beta", false),
        ("> 2.0", "2.1.0-beta", false),
        (">= 2.0.0", "2.1.0-beta", false),
        ("< 2.0.0", "1.0.0-beta", false),
        ("~> 2.0", "2.1.0-beta", false),
        // ...except the equality operators, which compare exactly.
        ("= 1.0.0-beta", "1.0.0-beta", true),
        ("1.0.0-beta", "1.0.0-beta", true),
        ("= 1.0.0", "1.0.0-beta", false),
        ("!= 1.0.0", "1.0.0-beta", true),
        ("!= 1.0.0-beta", "1.0.0-beta", false),
        // A pre-release term matches pre-releases of the same major.minor.patch...
        (">= 1.0.0-beta", "1.0.0-rc1", true),
        (">= 1.0.0-beta", "1.0.0-alpha", false),
        (">= 2.1.0-a", "2.1.0-beta", true),
        (">= 2.1.0-a", "2.1.1-beta", false),
        ("< 1.0.0-rc1", "1.0.0-beta", true),
        ("< 1.0.0-rc1", "0.9.0-beta", false),
        // ...and releases normally...
        (">= 1.0.0-beta", "1.0.1", true),
        (">= 2.1.0-a", "2.1.0", true),
        (">= 2.1.0-a", "2.1.1", true),
        ("<= 2.1.0-a", "2.0.0", true),
        ("< 1.0.0-beta", "1.0.0", false),
        // ...except `~>`, which then matches only pre-releases.
        ("~> 2.1.0-a", "2.2.0", false),
        ("~> 2.1.0-a", "2.1.0", false),
        ("~> 2.1.0-a", "2.1.0-beta", true),
        ("~> 2.1.0-b", "2.1.0-a", false),
        ("~> 2.1.0-a", "2.2.0-alpha", false),
        ("~> 2.1-a", "2.1.0-b", true),
    ]);
}

#[test]
fn select_newest_follows_the_module_installer() {
    let all: Vec<Version> = ["0.9.0", "1.0.0-beta", "1.0.0", "1.1.0", "1.2.0-rc.1", "2.0.0", "2.1.0-alpha"]
        .iter()
        .map(|s| v(s))
        .collect();
    let cases = [
        ("~> 1.0", Some("1.1.0")),
        (">= 0.9", Some("2.0.0")),
        ("< 1.0.0", Some("0.9.0")),
        ("= 1.0.0-beta", Some("1.0.0-beta")),
        ("1.0.0-beta", Some("1.0.0-beta")),
        (">= 1.0.0-beta", Some("2.0.0")),
        ("> 1.0.0-alpha, < 1.0.0", None),
        ("= 1.2.0-rc.1, >= 1.0", None),
        ("= 1.2.0-rc.1, != 1.0.0", Some("1.2.0-rc.1")),
        ("~> 2.1.0-alpha", None),
        ("~> 3.0", None),
    ];
    for (constraint, expected) in cases {
        let got = c(constraint).select_newest(&all).map(ToString::to_string);
        assert_eq!(got.as_deref(), expected, "{constraint}");
    }
    assert_eq!(Constraints::any().select_newest(&all), Some(&v("2.0.0")));
    let only_pre = [v("1.0.0-beta"), v("2.0.0-rc.1")];
    assert_eq!(Constraints::any().select_newest(&only_pre), None);
    assert_eq!(c(">= 0").select_newest(&only_pre), None);
    assert_eq!(c(">= 0").select_newest([]), None);
    // Equal precedence: the first one listed wins.
    let builds = [v("1.0.0+a"), v("1.0.0+b")];
    assert_eq!(c(">= 1").select_newest(&builds).unwrap().build(), "a");
}

#[test]
fn any_matches_everything() {
    let any = Constraints::any();
    assert!(any.is_any());
    assert!(!c(">= 0").is_any());
    for s in ["0.0.0", "1.0.0-beta", "99.0.0+x"] {
        assert!(any.matches(&v(s)));
    }
    assert_eq!(any.to_string(), "");
}

#[test]
fn canonical_display() {
    let cases = [
        (">=1.0,<2.0", ">= 1.0.0, < 2.0.0"),
        ("  ~>1.2 ", "~> 1.2"),
        ("~> v1.2.3", "~> 1.2.3"),
        ("~> 1", "~> 1"),
        ("~> 01.02-beta+b", "~> 1.2-beta+b"),
        ("= 1.2", "1.2.0"),
        ("v1", "1.0.0"),
        ("!=1.0.0-rc.1+x", "!= 1.0.0-rc.1+x"),
        ("> 1, >= 2, < 3, <= 4", "> 1.0.0, >= 2.0.0, < 3.0.0, <= 4.0.0"),
    ];
    for (input, display) in cases {
        let parsed = c(input);
        assert_eq!(parsed.to_string(), display, "{input}");
        assert_eq!(c(display), parsed, "{input}");
        assert_eq!(input.parse::<Constraints>().unwrap(), parsed);
    }
    // The written part count of `~>` matters; of other operators it does not.
    assert_ne!(c("~> 1.2"), c("~> 1.2.0"));
    assert_eq!(c(">= 1.2"), c(">= 1.2.0"));
}

#[test]
fn error_messages() {
    let cases = [
        ("", r#"invalid constraint "": empty constraint; expected e.g. ">= 1.0" or "~> 1.2""#),
        (" \t", r#"invalid constraint " \t": empty constraint; expected e.g. ">= 1.0" or "~> 1.2""#),
        (
            ">== 1",
            r#"invalid constraint ">== 1": unknown operator ">=="; expected one of =, !=, >, >=, <, <=, ~> (or none, meaning =)"#,
        ),
        ("=> 1", r#"invalid constraint "=> 1": unknown operator "=>"; did you mean ">="?"#),
        ("=< 1", r#"invalid constraint "=< 1": unknown operator "=<"; did you mean "<="?"#),
        ("== 1", r#"invalid constraint "== 1": unknown operator "=="; did you mean "="?"#),
        ("~ 1.2", r#"invalid constraint "~ 1.2": unknown operator "~"; did you mean "~>"?"#),
        (
            "^1.2",
            r#"invalid constraint "^1.2": unknown operator "^"; caret ranges are not supported; use "~>", as in "~> 1.2""#,
        ),
        (
            "\"1.2\"",
            r#"invalid constraint "\"1.2\"": unknown operator "\""; remove the quotes around the version"#,
        ),
        (">=", r#"invalid constraint ">=": missing version after operator ">=""#),
        ("~>  ", r#"invalid constraint "~>  ": missing version after operator "~>""#),
        (
            "> = 1",
            r#"invalid constraint "> = 1": unexpected '=' after operator ">"; write operators without spaces inside, such as ">=""#,
        ),
        (
            ">= 1.0 < 2.0",
            r#"invalid constraint ">= 1.0 < 2.0": unexpected whitespace in "1.0 < 2.0"; separate constraints with commas, as in ">= 1.0, < 2.0""#,
        ),
        (">= 1,", r#"invalid constraint ">= 1,": term 2 of 2 is empty; remove the stray comma"#),
        (
            ">= 1, >== 2",
            r#"invalid constraint ">= 1, >== 2": in ">== 2": unknown operator ">=="; expected one of =, !=, >, >=, <, <=, ~> (or none, meaning =)"#,
        ),
        (">= 1..2", r#"invalid constraint ">= 1..2": invalid version "1..2": empty numeric part"#),
        (">= 1.x", r#"invalid constraint ">= 1.x": invalid version "1.x": numeric part "x" is not a number"#),
        (
            "~> 1.2.3.4",
            r#"invalid constraint "~> 1.2.3.4": invalid version "1.2.3.4": too many numeric parts (4); at most three (major.minor.patch) are allowed"#,
        ),
        (
            "< 2, ~> 1.0.0-01",
            r#"invalid constraint "< 2, ~> 1.0.0-01": in "~> 1.0.0-01": invalid version "1.0.0-01": numeric pre-release identifier "01" has a leading zero, which semver forbids"#,
        ),
    ];
    for (input, message) in cases {
        let err = Constraints::parse(input).expect_err(input);
        assert_eq!(err.to_string(), message, "{input:?}");
        check_version_constraint("1.0.0", input);
    }
}

fn release() -> impl Strategy<Value = Version> {
    (0u64..4, 0u64..4, 0u64..4).prop_map(|(a, b, c)| Version::new(a, b, c))
}

fn any_version() -> impl Strategy<Value = Version> {
    let pre = prop::sample::select(vec!["", "-alpha", "-beta", "-beta.1", "-rc.1", "-0"]);
    let build = prop::sample::select(vec!["", "+b", "+1"]);
    (release(), pre, build).prop_map(|(v, pre, build)| {
        Version::parse(&format!("{v}{pre}{build}")).expect("valid by construction")
    })
}

/// A single written term (with varied spacing and short forms) as a string.
fn written_term() -> impl Strategy<Value = String> {
    let op = prop::sample::select(vec!["", "=", "!=", ">", ">=", "<", "<=", "~>"]);
    let space = prop::sample::select(vec!["", " ", "  ", "\t"]);
    let pre = prop::sample::select(vec!["", "", "", "-alpha", "-beta", "-rc.1"]);
    (space.clone(), op, space.clone(), 0u64..4, 0u64..4, 0u64..4, 1usize..=3, pre, space).prop_map(
        |(s1, op, s2, a, b, c, parts, pre, s3)| {
            let numbers = [a, b, c][..parts].iter().map(u64::to_string).collect::<Vec<_>>();
            format!("{s1}{op}{s2}{}{pre}{s3}", numbers.join("."))
        },
    )
}

fn written_constraint() -> impl Strategy<Value = String> {
    prop::collection::vec(written_term(), 1..4).prop_map(|terms| terms.join(","))
}

proptest! {
    #[test]
    fn range_is_plain_comparison(a in release(), b in release(), x in release()) {
        let range = c(&format!(">= {a}, < {b}"));
        prop_assert_eq!(range.matches(&x), x >= a && x < b);
    }

    #[test]
    fn pessimistic_minor(major in 0u64..4, minor in 0u64..4, x in any_version()) {
        let tilde = c(&format!("~> {major}.{minor}"));
        let range = c(&format!(">= {major}.{minor}.0, < {}.0.0", major + 1));
        prop_assert_eq!(tilde.matches(&x), range.matches(&x));
        if !x.is_prerelease() {
            let lower = Version::new(major, minor, 0);
            prop_assert_eq!(tilde.matches(&x), x >= lower && x.major() == major);
        }
    }

    #[test]
    fn pessimistic_patch(a in 0u64..4, b in 0u64..4, p in 0u64..4, x in any_version()) {
        let tilde = c(&format!("~> {a}.{b}.{p}"));
        let range = c(&format!(">= {a}.{b}.{p}, < {a}.{}.0", b + 1));
        prop_assert_eq!(tilde.matches(&x), range.matches(&x));
    }

    #[test]
    fn pessimistic_major_is_at_least(major in 0u64..4, x in any_version()) {
        prop_assert_eq!(
            c(&format!("~> {major}")).matches(&x),
            c(&format!(">= {major}")).matches(&x)
        );
    }

    #[test]
    fn not_equal_negates_equal(a in any_version(), x in any_version()) {
        prop_assert_eq!(c(&format!("!= {a}")).matches(&x), !c(&format!("= {a}")).matches(&x));
    }

    #[test]
    fn display_round_trips(written in written_constraint(), x in any_version()) {
        let parsed = c(&written);
        let again = c(&parsed.to_string());
        prop_assert_eq!(&again, &parsed);
        prop_assert_eq!(again.matches(&x), parsed.matches(&x));
        check_version_constraint(&x.to_string(), &written);
    }

    #[test]
    fn select_newest_is_greatest_selectable(
        written in written_constraint(),
        versions in prop::collection::vec(any_version(), 0..12),
    ) {
        let constraint = c(&written);
        let newest = constraint.select_newest(&versions);
        let selectable: Vec<&Version> =
            versions.iter().filter(|x| constraint.is_selectable(x)).collect();
        match newest {
            None => prop_assert!(selectable.is_empty()),
            Some(best) => {
                prop_assert!(versions.iter().any(|x| std::ptr::eq(x, best)));
                prop_assert!(constraint.matches(best));
                prop_assert!(!best.is_prerelease() || constraint.is_selectable(best));
                prop_assert!(selectable.iter().all(|x| *x <= best));
            }
        }
        // The same with no constraint: never a pre-release.
        if let Some(best) = Constraints::any().select_newest(&versions) {
            prop_assert!(!best.is_prerelease());
            prop_assert!(versions.iter().filter(|x| !x.is_prerelease()).all(|x| x <= best));
        }
    }

    #[test]
    fn invariants_hold_on_arbitrary_text(version in "\\PC{0,24}", constraint in "\\PC{0,32}") {
        check_version_constraint(&version, &constraint);
    }

    #[test]
    fn invariants_hold_on_near_miss_text(
        version in "v?[0-9.]{0,8}(-[0-9A-Za-z.+-]{0,6})?",
        constraint in "[ =!<>~0-9.,v-]{0,24}",
    ) {
        check_version_constraint(&version, &constraint);
    }
}
