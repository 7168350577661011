//! The web UI, server side: pages rendered from the catalogue API with the visitor's token,
//! sign-in with a signed session cookie, namespace scoping, the "use this" snippets, security
//! headers and page weight. (`examples/tests/ui_browser.rs` drives the same pages in Chromium.)

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use tfreg_core::auth::{NewToken, Role, RoleAuthorizer};
use tfreg_testkit::{send, tar_gz, zip, TestRegistry};

const KEY: &str = include_str!("../src/pgp/testdata/signing-key.asc");
const HOST: &str = "registry.example.com:8443";

async fn publish(h: &TestRegistry) {
    let files = [
        ("main.tf", "variable \"cidr\" {\n  description = \"The VPC's CIDR block\"\n  type = string\n}\nvariable \"tags\" {\n  type = map(string)\n  default = {}\n}\noutput \"id\" {\n  description = \"The VPC id\"\n  value = 1\n}\nresource \"aws_vpc\" \"this\" {}\n"),
        ("README.md", "# Net\n\nBuilds a network <script>alert(1)</script>.\n"),
        ("modules/child/main.tf", "variable \"zone\" {}\n"),
    ];
    for version in ["1.0.0", "1.1.0"] {
        assert_eq!(h.publish_module("acme/net/aws", version, tar_gz(&files)).await.status(), 201);
    }
    assert_eq!(h.publish_module("other/dns/aws", "0.1.0", tar_gz(&[("main.tf", "")])).await.status(), 201);
    let package = zip(&[("terraform-provider-null_v2.0.0", b"binary")]);
    let put =
        h.call(Method::PUT, "/v1/providers/acme/null/2.0.0/linux/amd64", Some(&h.master), package).await;
    assert_eq!(put.status(), StatusCode::CREATED);
    let docs = zip(&[("docs/index.md", b"# The null provider\n\nIt does *nothing*.\n")]);
    let put = h.call(Method::PUT, "/v1/providers/acme/null/2.0.0/docs", Some(&h.master), docs).await;
    assert_eq!(put.status(), StatusCode::CREATED);
}

async fn get(h: &TestRegistry, path: &str, cookie: Option<&str>) -> Response<Bytes> {
    let mut request = Request::get(path).header("host", HOST);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    send(&h.registry, request.body(Bytes::new()).unwrap()).await
}

fn text(answer: &Response<Bytes>) -> String {
    String::from_utf8(answer.body().to_vec()).unwrap()
}

/// The page with the escapes of text undone, to compare what a reader sees.
fn shown(answer: &Response<Bytes>) -> String {
    text(answer)
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#62;", ">")
        .replace("&#60;", "<")
        .replace("&#38;", "&")
}

/// Signs in with `token`: the session cookie (`name=value`).
async fn sign_in(h: &TestRegistry, token: &str) -> String {
    let body = format!("token={}", form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>());
    let request = Request::post("/ui/signin").header("host", HOST).body(Bytes::from(body)).unwrap();
    let answer = send(&h.registry, request).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{}", text(&answer));
    assert_eq!(answer.headers()["location"], "/ui/");
    let cookie = answer.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/ui"),
        "{cookie}"
    );
    assert!(!cookie.contains(token), "the token is not in the cookie as is");
    cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn pages_show_the_catalogue_to_a_signed_in_visitor() {
    let h = TestRegistry::builder().signing_key(KEY).build().await;
    publish(&h).await;
    let root = get(&h, "/", None).await;
    assert_eq!(root.status(), StatusCode::FOUND);
    assert_eq!(root.headers()["location"], "/ui/");
    let closed = get(&h, "/ui/", None).await;
    assert_eq!(closed.status(), StatusCode::UNAUTHORIZED);
    assert!(text(&closed).contains("Sign in to see this"));

    let wrong =
        Request::post("/ui/signin").header("host", HOST).body(Bytes::from("token=tfreg_nope")).unwrap();
    let wrong = send(&h.registry, wrong).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(text(&wrong).contains("This token is not valid here."));
    assert!(wrong.headers().get("set-cookie").is_none());

    let cookie = sign_in(&h, &h.master).await;
    let home = get(&h, "/ui/", Some(&cookie)).await;
    assert_eq!(home.status(), StatusCode::OK);
    let html = text(&home);
    assert!(
        html.contains("href=\"/ui/modules/acme/net/aws\"")
            && html.contains("href=\"/ui/providers/acme/null\"")
    );
    assert!(html.contains("href=\"/ui/namespaces/acme\"") && html.contains("href=\"/ui/namespaces/other\""));
    assert!(html.contains("3 modules") || html.contains("2 modules"), "{html}");
    assert!(!html.contains(&h.master), "no token in a page");
    let csp = home.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    let css_path =
        html.split("href=\"").find(|s| s.starts_with("/ui/assets/ui-")).unwrap().split('"').next().unwrap();
    let css = get(&h, css_path, None).await;
    assert_eq!(css.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert!(
        html.len() + css.body().len() < 50_000,
        "home page and its CSS under 50 KB: {}",
        html.len() + css.body().len()
    );

    let found = shown(&get(&h, "/ui/search?q=net", Some(&cookie)).await);
    assert!(found.contains("Results for “net”") && found.contains("/ui/modules/acme/net/aws"), "{found}");
    assert!(!found.contains("/ui/modules/other/dns/aws"));
    let partial = text(&get(&h, "/ui/search?q=dns&partial=1", Some(&cookie)).await);
    assert!(!partial.contains("<html") && partial.contains("/ui/modules/other/dns/aws"), "{partial}");

    let module = get(&h, "/ui/modules/acme/net/aws", Some(&cookie)).await;
    assert_eq!(module.status(), StatusCode::OK);
    assert!(!text(&module).contains("<script>alert"), "the README is sanitised");
    let html = shown(&module);
    assert!(html.contains("<code>cidr</code>") && html.contains("The VPC's CIDR block"), "{html}");
    let cidr = html.find("<code>cidr</code>").unwrap();
    let tags = html.find("<code>tags</code>").unwrap();
    assert!(cidr < tags, "required inputs first");
    assert!(html.contains("source  = \"registry.example.com:8443/acme/net/aws\""), "{html}");
    assert!(html.contains("version = \"~> 1.1\""));
    assert!(html.contains("<option value=\"1.0.0\">") && html.contains("<option value=\"1.1.0\" selected>"));
    assert!(html.contains("aws_vpc.this") && html.contains("Builds a network"), "{html}");
    let child = shown(&get(&h, "/ui/modules/acme/net/aws/1.0.0?part=modules/child", Some(&cookie)).await);
    assert!(child.contains("<code>zone</code>") && child.contains("acme/net/aws//modules/child"), "{child}");
    assert!(child.contains("version = \"~> 1.0\""));

    let provider = shown(&get(&h, "/ui/providers/acme/null", Some(&cookie)).await);
    assert!(provider.contains("linux") && provider.contains("terraform-provider-null_2.0.0_linux_amd64.zip"));
    assert!(provider.contains("this registry's key"), "{provider}");
    assert!(provider.contains("source  = \"registry.example.com:8443/acme/null\""));
    assert!(provider.contains("It does <em>nothing</em>"), "the docs bundle rendered");
    assert_eq!(get(&h, "/ui/modules/acme/none/aws", Some(&cookie)).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&h, "/ui/nothing/here", Some(&cookie)).await.status(), StatusCode::NOT_FOUND);

    let out =
        send(&h.registry, Request::post("/ui/signout").header("cookie", &cookie).body(Bytes::new()).unwrap())
            .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
}

#[tokio::test]
async fn a_namespace_scoped_token_sees_only_its_namespaces() {
    let h = TestRegistry::builder().signing_key(KEY).build().await;
    publish(&h).await;
    let spec = NewToken {
        tier: Some(Role::Downloader),
        namespaces: Some(vec!["other".into()]),
        description: None,
        expires_in_days: Some(1),
    };
    let (token, _) = h.registry.tokens().create(spec, "test").await.unwrap();
    let cookie = sign_in(&h, &token).await;
    let home = text(&get(&h, "/ui/", Some(&cookie)).await);
    assert!(
        home.contains("/ui/modules/other/dns/aws") && !home.contains("/ui/modules/acme/net/aws"),
        "{home}"
    );
    assert!(!home.contains("/ui/namespaces/acme"));
    let denied = get(&h, "/ui/modules/acme/net/aws", Some(&cookie)).await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    assert!(text(&denied).contains("Not yours to see"));
    let forged = format!("{cookie}x");
    assert_eq!(
        get(&h, "/ui/", Some(&forged)).await.status(),
        StatusCode::UNAUTHORIZED,
        "a tampered cookie is no session"
    );
}

#[tokio::test]
async fn with_anonymous_read_the_catalogue_is_open_and_the_ui_can_be_switched_off() {
    let open = TestRegistry::builder()
        .signing_key(KEY)
        .authorizer(Arc::new(RoleAuthorizer::new(true)))
        .build()
        .await;
    publish(&open).await;
    let home = get(&open, "/ui/", None).await;
    assert_eq!(home.status(), StatusCode::OK);
    assert!(text(&home).contains("Sign in"));
    let config = tfreg_core::RegistryConfig { ui_path: None, ..Default::default() };
    let off = TestRegistry::builder().config(config).build().await;
    assert_eq!(get(&off, "/ui/", None).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(get(&off, "/", None).await.status(), StatusCode::NOT_FOUND);
}
