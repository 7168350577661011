use proptest::prelude::*;

use super::*;

fn ok(raw: &str) -> ModuleLocation {
    ModuleLocation::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

fn refused(raw: &str) -> String {
    match ModuleLocation::parse(raw) {
        Ok(parsed) => panic!("{raw} was accepted as {parsed:?}"),
        Err(err) => err.to_string(),
    }
}

/// A location, and the getter, URL, ref and subdirectory it parses to.
type Case = (&'static str, Getter, &'static str, Option<&'static str>, Option<&'static str>);

#[test]
fn accepts_the_forms_go_getter_fetches() {
    let cases: [Case; 14] = [
        ("https://example.com/net.tar.gz", Getter::Http, "https://example.com/net.tar.gz", None, None),
        (
            "https://example.com/get?id=7&archive=zip",
            Getter::Http,
            "https://example.com/get?id=7",
            None,
            None,
        ),
        (
            "https://api.github.com/repos/acme/net/tarball/v1.2.0//*?archive=tar.gz",
            Getter::Http,
            "https://api.github.com/repos/acme/net/tarball/v1.2.0",
            None,
            Some("*"),
        ),
        (
            "https://github.com/acme/net/archive/refs/tags/v1.2.0.tar.gz//*/modules/vpc",
            Getter::Http,
            "https://github.com/acme/net/archive/refs/tags/v1.2.0.tar.gz",
            None,
            Some("*/modules/vpc"),
        ),
        (
            "git::https://example.com/acme/net.git?ref=v1.2.0",
            Getter::Git,
            "https://example.com/acme/net.git",
            Some("v1.2.0"),
            None,
        ),
        (
            "git::https://example.com/acme/net.git//modules/vpc?ref=v1.2.0&depth=1",
            Getter::Git,
            "https://example.com/acme/net.git",
            Some("v1.2.0"),
            Some("modules/vpc"),
        ),
        (
            "git::http://127.0.0.1:8080/acme/net.git?ref=v1",
            Getter::Git,
            "http://127.0.0.1:8080/acme/net.git",
            Some("v1"),
            None,
        ),
        (
            "git::ssh://git@example.com/acme/net.git?ref=v1",
            Getter::Git,
            "ssh://git@example.com/acme/net.git",
            Some("v1"),
            None,
        ),
        (
            "git::git@github.com:acme/net.git?ref=v1",
            Getter::Git,
            "git@github.com:acme/net.git",
            Some("v1"),
            None,
        ),
        ("git@github.com:acme/net.git//sub", Getter::Git, "git@github.com:acme/net.git", None, Some("sub")),
        (
            "github.com/acme/terraform-aws-net//modules/x?ref=v2.0.0",
            Getter::Git,
            "https://github.com/acme/terraform-aws-net.git",
            Some("v2.0.0"),
            Some("modules/x"),
        ),
        (
            "hg::https://example.com/net?rev=v1",
            Getter::Mercurial,
            "https://example.com/net",
            Some("v1"),
            None,
        ),
        (
            "s3::https://s3-eu-west-1.amazonaws.com/acme-modules/net/1.2.0.zip?version=3",
            Getter::S3,
            "https://s3-eu-west-1.amazonaws.com/acme-modules/net/1.2.0.zip",
            None,
            None,
        ),
        (
            "gcs::https://www.googleapis.com/storage/v1/acme-modules/net.zip",
            Getter::Gcs,
            "https://www.googleapis.com/storage/v1/acme-modules/net.zip",
            None,
            None,
        ),
    ];
    for (raw, getter, url, reference, subdir) in cases {
        let parsed = ok(raw);
        assert_eq!(parsed.as_str(), raw, "kept verbatim");
        assert_eq!(parsed.to_string(), raw);
        assert_eq!(parsed.getter(), getter, "{raw}");
        assert_eq!(parsed.url(), url, "{raw}");
        assert_eq!(parsed.reference(), reference, "{raw}");
        assert_eq!(parsed.subdir(), subdir, "{raw}");
    }
}

#[test]
fn refuses_what_would_not_work_or_would_leak() {
    let cases = [
        ("", "1 to 2048 bytes"),
        ("https://example.com/a b.zip", "printable ASCII"),
        ("https://example.com/é.zip", "printable ASCII"),
        ("./modules/net", "local path"),
        ("/srv/net", "local path"),
        ("file::/srv/net", "file::"),
        ("git::file:///srv/net.git", "consumer's machine"),
        ("oci://example.com/net", "oci: URLs"),
        ("ftp::ftp://example.com/net.zip", "not a getter"),
        ("http://example.com/net.zip", "plain http://"),
        ("git::http://example.com/net.git", "plain http://"),
        ("git://example.com/net.git", "unencrypted"),
        ("ssh://git@example.com/net.git", "git::ssh://"),
        ("https://user:secret@example.com/net.zip", "user name or password"),
        ("git::https://token@example.com/net.git", "user name or password"),
        ("git::ssh://git:secret@example.com/net.git", "a password"),
        ("git::ssh://git@example.com/net.git?sshkey=LS0tLS1", "sshkey"),
        ("s3::https://s3.amazonaws.com/b/k.zip?aws_access_key_id=AKIA", "aws_access_key_id"),
        ("git::https://example.com/net.git?ref=", "ref= names"),
        ("git::https://example.com/net.git?ref=--upload-pack=x", "ref= names"),
        ("git::https://example.com/net.git?depth=0", "depth="),
        ("git::https://example.com/net.git?branch=main", "branch= is not"),
        ("https://example.com/net?archive=rar", "archive=rar"),
        ("https://example.com/net.zip//../etc", "subdirectory"),
        ("https://example.com/net.zip//a//b", "subdirectory"),
        ("https://example.com/net.zip//a/./b", "subdirectory"),
        ("https://example.com/net.zip//a\\b", "subdirectory"),
        ("https://example.com/net.zip//mod*", "subdirectory"),
        ("github.com/acme", "github.com/owner/repo"),
        ("github.com/acme/net/extra", "github.com/owner/repo"),
        ("bitbucket.org/acme/net", "Bitbucket"),
        ("s3::http://127.0.0.1/b/k.zip", "https://"),
        ("s3::https://s3.amazonaws.com/bucket-only", "bucket and an object"),
        ("gcs::https://example.com/storage/v1/b/k.zip", "www.googleapis.com"),
        ("hg::https://example.com/net?branch=x", "rev="),
        ("s3://bucket/key.zip", "s3::https://"),
        ("not a url", "printable ASCII"),
        ("example.com/net.zip", "not a URL"),
    ];
    for (raw, expected) in cases {
        let message = refused(raw);
        assert!(message.contains(expected), "{raw}: {message}");
    }
    assert!(refused(&format!("https://example.com/{}", "a".repeat(MAX_LOCATION))).contains("bytes"));
}

#[test]
fn loopback_may_be_plain_http() {
    for raw in [
        "http://127.0.0.1:8080/net.tar.gz",
        "http://localhost/net.zip",
        "git::http://[::1]:9000/net.git",
        "git::http://127.1.2.3/net.git?ref=v1",
    ] {
        ok(raw);
    }
}

#[test]
fn a_glob_subdirectory_is_for_imports_only() {
    let tarball = ok("https://api.github.com/repos/acme/net/tarball/v1.2.0//*?archive=tar.gz");
    assert!(tarball.registrable().unwrap_err().reason.contains("import it instead"));
    assert_eq!(
        tarball.import_source().unwrap(),
        ImportSource::Archive { url: "https://api.github.com/repos/acme/net/tarball/v1.2.0".into() }
    );
    ok("https://example.com/net.zip//modules/vpc").registrable().unwrap();
}

#[test]
fn imports_https_archives_and_git_over_https() {
    let git = ok("git::https://Example.com/acme/net.git//modules/vpc?ref=v1.2.0");
    let source = git.import_source().unwrap();
    assert_eq!(
        source,
        ImportSource::Git {
            url: "https://Example.com/acme/net.git".into(),
            reference: Some("v1.2.0".into())
        }
    );
    assert_eq!(source.host(), "example.com");
    assert_eq!(ok("github.com/acme/net").import_source().unwrap().url(), "https://github.com/acme/net.git");
    for raw in [
        "git::ssh://git@example.com/acme/net.git",
        "git@github.com:acme/net.git",
        "s3::https://s3.amazonaws.com/b/k.zip",
        "gcs::https://www.googleapis.com/storage/v1/b/k.zip",
        "hg::https://example.com/net",
    ] {
        let err = ok(raw).import_source().unwrap_err();
        assert!(err.reason.contains("register it without importing"), "{raw}: {err}");
    }
}

#[test]
fn errors_are_bad_requests() {
    let err: crate::Error = ModuleLocation::parse("file::/x").unwrap_err().into();
    assert_eq!(err.status(), http::StatusCode::BAD_REQUEST);
}

proptest! {
    /// Any text is accepted or refused, never a panic; what is accepted is kept verbatim, can
    /// be sent as a header, and parses again to the same location.
    #[test]
    fn parsing_never_panics_and_keeps_the_text(raw in "\\PC{0,120}") {
        if let Ok(parsed) = ModuleLocation::parse(&raw) {
            prop_assert_eq!(parsed.as_str(), raw.as_str());
            prop_assert!(http::HeaderValue::try_from(parsed.as_str()).is_ok());
            prop_assert_eq!(ModuleLocation::parse(parsed.as_str()).unwrap(), parsed);
        }
    }

    /// Locations made of the accepted parts are accepted, with their subdirectory and ref.
    #[test]
    fn built_locations_parse(
        host in "[a-z]{1,10}\\.(com|org|io)",
        path in "[a-z0-9_-]{1,12}(/[a-z0-9_-]{1,12}){0,3}",
        subdir in proptest::option::of("[a-z0-9_-]{1,8}(/[a-z0-9_-]{1,8}){0,2}"),
        reference in proptest::option::of("v[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}"),
        git in any::<bool>(),
    ) {
        let sub = subdir.as_ref().map(|s| format!("//{s}")).unwrap_or_default();
        let raw = if git {
            let query = reference.as_ref().map(|r| format!("?ref={r}")).unwrap_or_default();
            format!("git::https://{host}/{path}.git{sub}{query}")
        } else {
            format!("https://{host}/{path}.tar.gz{sub}")
        };
        let parsed = ModuleLocation::parse(&raw).unwrap();
        prop_assert_eq!(parsed.subdir(), subdir.as_deref());
        if git {
            prop_assert_eq!(parsed.reference(), reference.as_deref());
            prop_assert_eq!(parsed.url(), format!("https://{host}/{path}.git"));
        }
        prop_assert!(parsed.import_source().is_ok());
    }

    /// No accepted location carries a password or a `..` subdirectory part.
    #[test]
    fn accepted_locations_hold_no_secrets_or_escapes(
        prefix in prop_oneof![Just(""), Just("git::"), Just("s3::"), Just("hg::")],
        user in prop_oneof![Just(""), Just("u@"), Just("u:p@"), Just(":p@")],
        subdir in prop_oneof![Just(""), Just("//.."), Just("//a/../b"), Just("//ok")],
    ) {
        let raw = format!("{prefix}https://{user}s3.amazonaws.com/bucket/key.zip{subdir}");
        if let Ok(parsed) = ModuleLocation::parse(&raw) {
            prop_assert!(user.is_empty());
            prop_assert!(parsed.subdir().is_none_or(|s| !s.split('/').any(|p| p == "..")));
        }
    }
}
