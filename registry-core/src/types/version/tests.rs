//! Tests of the parent module.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;

use proptest::prelude::*;
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::de::IntoDeserializer;

use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn hash_of(v: &Version) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

#[test]
fn accepts_and_normalises() {
    let cases = [
        ("1.2.3", "1.2.3", 3),
        ("v1.2.3", "1.2.3", 3),
        ("1", "1.0.0", 1),
        ("1.2", "1.2.0", 2),
        ("v1", "1.0.0", 1),
        ("0.0.0", "0.0.0", 3),
        ("01.002.0003", "1.2.3", 3),
        ("00", "0.0.0", 1),
        ("1.2.0-beta", "1.2.0-beta", 3),
        ("1.2-beta.1", "1.2.0-beta.1", 2),
        ("1-rc-1", "1.0.0-rc-1", 1),
        ("1.0.0-0", "1.0.0-0", 3),
        ("1.0.0-0a", "1.0.0-0a", 3),
        ("1.0.0--", "1.0.0--", 3),
        ("1.0.0-x.7.z.92", "1.0.0-x.7.z.92", 3),
        ("1.2.0+build.5", "1.2.0+build.5", 3),
        ("1.2.0+001", "1.2.0+001", 3),
        ("1.2.0-beta.1+build-5.x", "1.2.0-beta.1+build-5.x", 3),
        ("v2+meta", "2.0.0+meta", 1),
        ("18446744073709551615.0.1", "18446744073709551615.0.1", 3),
    ];
    for (input, display, parts) in cases {
        let (parsed, written) = parse_written(input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.to_string(), display, "{input}");
        assert_eq!(written, parts, "{input}");
        assert_eq!(semver::Version::parse(display).unwrap(), *parsed.as_semver(), "{input}");
        assert_eq!(input.parse::<Version>().unwrap(), parsed);
    }
}

#[test]
fn rejects_with_messages() {
    let long = format!("1.0.0-{}", "a".repeat(123));
    let padded = format!("1-{}", "a".repeat(124));
    let cases: Vec<(&str, String)> = vec![
        ("", r#"invalid version "": empty string; expected a version such as "1.2.0""#.into()),
        ("1..2", r#"invalid version "1..2": empty numeric part"#.into()),
        (".1", r#"invalid version ".1": empty numeric part"#.into()),
        ("1.", r#"invalid version "1.": empty numeric part"#.into()),
        ("-beta", r#"invalid version "-beta": empty numeric part"#.into()),
        (
            "1.2.3.4",
            r#"invalid version "1.2.3.4": too many numeric parts (4); at most three (major.minor.patch) are allowed"#.into(),
        ),
        (" 1.0.0", r#"invalid version " 1.0.0": leading or trailing whitespace"#.into()),
        ("1.0.0\n", r#"invalid version "1.0.0\n": leading or trailing whitespace"#.into()),
        ("v", r#"invalid version "v": no version number after the "v" prefix"#.into()),
        ("vv1", r#"invalid version "vv1": numeric part "v1" is not a number"#.into()),
        ("V1", r#"invalid version "V1": numeric part "V1" is not a number"#.into()),
        ("1.x", r#"invalid version "1.x": numeric part "x" is not a number"#.into()),
        (
            "1.0.0beta",
            r#"invalid version "1.0.0beta": numeric part "0beta" is not a number; a pre-release must follow a "-", as in "1.0.0-beta""#.into(),
        ),
        (
            "18446744073709551616",
            r#"invalid version "18446744073709551616": numeric part "18446744073709551616" is too large (over 18446744073709551615)"#.into(),
        ),
        ("1.0.0-", r#"invalid version "1.0.0-": empty pre-release after '-'"#.into()),
        (
            "1.0.0-a..b",
            r#"invalid version "1.0.0-a..b": empty pre-release identifier in "a..b""#.into(),
        ),
        (
            "1.0.0-beta_1",
            r#"invalid version "1.0.0-beta_1": pre-release "beta_1" contains '_'; only ASCII letters, digits, '-' and '.' are allowed"#.into(),
        ),
        (
            "1.0.0-01",
            r#"invalid version "1.0.0-01": numeric pre-release identifier "01" has a leading zero, which semver forbids"#.into(),
        ),
        ("1.0.0+", r#"invalid version "1.0.0+": empty build metadata after '+'"#.into()),
        (
            "1.0.0+a+b",
            r#"invalid version "1.0.0+a+b": build metadata "a+b" contains '+'; only ASCII letters, digits, '-' and '.' are allowed"#.into(),
        ),
        (
            "1.0.0+a.",
            r#"invalid version "1.0.0+a.": empty build metadata identifier in "a.""#.into(),
        ),
        (
            "1.0.0-é",
            r#"invalid version "1.0.0-é": pre-release "é" contains 'é'; only ASCII letters, digits, '-' and '.' are allowed"#.into(),
        ),
        (
            &long,
            format!(
                "invalid version {:?}... (129 bytes): too long: 129 bytes, at most 128 are allowed",
                &long[..64]
            ),
        ),
        (
            &padded,
            format!(
                "invalid version {:?}... (126 bytes): too long once normalised to {:?}: 130 bytes, at most 128 are allowed",
                &padded[..64],
                format!("1.0.0-{}", "a".repeat(124)),
            ),
        ),
    ];
    for (input, message) in cases {
        let err = Version::parse(input).expect_err(input);
        assert_eq!(err.to_string(), message, "{input:?}");
        assert!(message.ends_with(err.reason()));
    }
}

#[test]
fn max_len_boundary() {
    let at_limit = format!("1.0.0-{}", "a".repeat(Version::MAX_LEN - 6));
    assert_eq!(at_limit.len(), Version::MAX_LEN);
    assert_eq!(v(&at_limit).to_string(), at_limit);
}

#[test]
fn quote_cuts_at_char_boundary() {
    let input = format!("{}é", "a".repeat(63));
    assert_eq!(quote(&input), format!("{:?}... (65 bytes)", "a".repeat(63)));
}

#[test]
fn equality_ignores_build_metadata() {
    let (a, b) = (v("1.0.0+a"), v("1.0.0+b"));
    assert_eq!(a, b);
    assert_eq!(a.cmp(&b), Ordering::Equal);
    assert_eq!(hash_of(&a), hash_of(&b));
    assert_eq!(a.build(), "a");
    assert_eq!(b.to_string(), "1.0.0+b");
    let set: HashSet<Version> = [a, b, v("1.0"), v("v1")].into_iter().collect();
    assert_eq!(set.len(), 1);
}

#[test]
fn ordering_is_semver_precedence() {
    let ordered = [
        "0.9.9",
        "1.0.0-0",
        "1.0.0-1",
        "1.0.0-10",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.2",
        "1.10.0",
        "2",
    ];
    for pair in ordered.windows(2) {
        assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
    }
}

#[test]
fn accessors() {
    let x = v("v1.2.3-rc.1+b.7");
    assert_eq!((x.major(), x.minor(), x.patch()), (1, 2, 3));
    assert!(x.is_prerelease());
    assert_eq!(x.prerelease(), "rc.1");
    assert_eq!(x.build(), "b.7");
    assert_eq!(x.as_semver().to_string(), "1.2.3-rc.1+b.7");
    assert!(!v("1.2.3+b").is_prerelease());
    assert_eq!(Version::new(1, 2, 3), v("1.2.3"));
    assert_eq!(format!("{:?}", x), r#"Version("1.2.3-rc.1+b.7")"#);
    assert!(x.same_core(&v("1.2.3")));
}

#[test]
fn deserializes_from_a_string() {
    let de: StrDeserializer<'_, ValueError> = "v1.2".into_deserializer();
    assert_eq!(Version::deserialize(de).unwrap().to_string(), "1.2.0");
    let de: StrDeserializer<'_, ValueError> = "1..2".into_deserializer();
    let err = Version::deserialize(de).unwrap_err();
    assert_eq!(err.to_string(), r#"invalid version "1..2": empty numeric part"#);
}

/// A valid version as written (with optional `v`, short forms and leading zeros) and the
/// normalised form it must display as.
fn written_version() -> impl Strategy<Value = (String, String)> {
    let number = prop_oneof![0u64..5, any::<u64>()];
    let identifier = |numeric_leading_zero_ok: bool| {
        "[0-9A-Za-z-]{1,6}".prop_map(move |id: String| {
            if !numeric_leading_zero_ok && id.bytes().all(|b| b.is_ascii_digit()) {
                let trimmed = id.trim_start_matches('0');
                if trimmed.is_empty() {
                    "0".to_owned()
                } else {
                    trimmed.to_owned()
                }
            } else {
                id
            }
        })
    };
    (
        any::<bool>(),
        prop::collection::vec((number, 0usize..3), 1..=3),
        prop::option::of(prop::collection::vec(identifier(false), 1..4)),
        prop::option::of(prop::collection::vec(identifier(true), 1..4)),
    )
        .prop_map(|(v_prefix, nums, pre, build)| {
            let mut written = String::from(if v_prefix { "v" } else { "" });
            let written_nums: Vec<String> =
                nums.iter().map(|(n, zeros)| format!("{}{n}", "0".repeat(*zeros))).collect();
            written.push_str(&written_nums.join("."));
            let mut full: Vec<u64> = nums.iter().map(|(n, _)| *n).collect();
            full.resize(3, 0);
            let mut normal = format!("{}.{}.{}", full[0], full[1], full[2]);
            if let Some(pre) = pre {
                written.push('-');
                written.push_str(&pre.join("."));
                normal.push('-');
                normal.push_str(&pre.join("."));
            }
            if let Some(build) = build {
                written.push('+');
                written.push_str(&build.join("."));
                normal.push('+');
                normal.push_str(&build.join("."));
            }
            (written, normal)
        })
}

proptest! {
    #[test]
    fn display_parse_round_trip((written, normal) in written_version()) {
        let parsed = Version::parse(&written).unwrap();
        prop_assert_eq!(parsed.to_string(), normal.clone());
        let again = Version::parse(&parsed.to_string()).unwrap();
        prop_assert_eq!(&again, &parsed);
        prop_assert_eq!(again.as_semver(), parsed.as_semver());
        prop_assert_eq!(semver::Version::parse(&normal).unwrap(), parsed.as_semver().clone());
    }

    #[test]
    fn ordering_agrees_with_semver((a, _) in written_version(), (b, _) in written_version()) {
        let (a, b) = (Version::parse(&a).unwrap(), Version::parse(&b).unwrap());
        prop_assert_eq!(a.cmp(&b), a.as_semver().cmp_precedence(b.as_semver()));
        prop_assert_eq!(a == b, a.as_semver().cmp_precedence(b.as_semver()).is_eq());
        if a == b {
            prop_assert_eq!(hash_of(&a), hash_of(&b));
        }
        // Build metadata never changes precedence.
        let shown = a.to_string();
        let stripped = Version::parse(shown.split('+').next().unwrap()).unwrap();
        prop_assert_eq!(stripped.cmp(&b), a.cmp(&b));
    }

    #[test]
    fn parse_never_panics(input in "\\PC{0,40}") {
        if let Ok(parsed) = Version::parse(&input) {
            prop_assert_eq!(Version::parse(&parsed.to_string()).unwrap(), parsed);
        }
    }
}
