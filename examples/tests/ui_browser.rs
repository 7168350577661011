//! End to end, the web UI in a real browser: headless Chromium (Debian's `chromium`, driven
//! through `chromedriver` over WebDriver) against the real `tfreg serve` over TLS. Signs in,
//! searches as you type, reads a module page (inputs, snippet), switches versions, opens a
//! submodule, checks that a namespace-scoped token cannot see another namespace (page and
//! direct URL), runs axe-core (from npm, installed by scripts/install-tools.sh) with no serious
//! or critical violation, and takes screenshots of the main pages (light and dark, desktop and
//! phone): `TFREG_UPDATE_SCREENSHOTS=1` writes them to docs/screenshots/ for the README. And
//! signs in through a real OpenID provider (`scripts/oidc-provider.mjs`), as people do when the
//! registry has one: the session carries the tier and namespaces the claim rules give.

#[macro_use]
mod support;
#[path = "support/oidc.rs"]
mod oidc;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use support::{tar_gz, Server, MASTER};

/// `chromedriver` on a free loopback port, killed on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is required (scripts/install-tools.sh installs Debian's chromium-driver)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Driver { child, port };
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("chromedriver did not start listening");
    }

    /// A headless Chromium session, `width` by `height`, in the dark scheme when `dark`.
    async fn session(&self, width: u32, height: u32, dark: bool) -> Client {
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--window-size={width},{height}"),
        ];
        if dark {
            args.push("--force-dark-mode".to_owned());
        }
        let mut caps = serde_json::Map::new();
        caps.insert("acceptInsecureCerts".into(), json!(true));
        caps.insert("goog:chromeOptions".into(), json!({ "binary": "/usr/bin/chromium", "args": args }));
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn publish(server: &Server) {
    let main = |version: &str| {
        format!(
            "variable \"cidr\" {{\n  description = \"The VPC's CIDR block\"\n  type        = string\n}}\nvariable \"tags\" {{\n  type    = map(string)\n  default = {{}}\n}}\noutput \"id\" {{\n  description = \"The VPC id\"\n  value       = \"{version}\"\n}}\nresource \"aws_vpc\" \"this\" {{}}\n"
        )
    };
    for version in ["1.0.0", "1.1.0"] {
        let readme = format!("# Network\n\nCreates a VPC with subnets, version {version}.\n\n| input | what |\n|---|---|\n| cidr | the block |\n");
        let files = [
            ("main.tf", main(version)),
            ("README.md", readme),
            (
                "modules/subnet/main.tf",
                "variable \"zone\" {\n  description = \"Availability zone\"\n}\n".to_owned(),
            ),
        ];
        let refs: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
        let answer = server.publish("acme/network/aws", version, tar_gz("", &refs), MASTER);
        assert_eq!(answer.status(), 201);
    }
    let answer = server.publish(
        "other/dns/aws",
        "0.3.0",
        tar_gz("", &[("main.tf", "variable \"zone\" {}\n")]),
        MASTER,
    );
    assert_eq!(answer.status(), 201);
}

fn issue_scoped(server: &Server, namespace: &str) -> String {
    let spec = format!(r#"{{"tier": "downloader", "namespaces": ["{namespace}"]}}"#);
    support::issue(server, &spec).1
}

async fn sign_in(c: &Client, server: &Server, token: &str) {
    c.goto(&server.url("/ui/signin")).await.unwrap();
    c.find(Locator::Css("#token")).await.unwrap().send_keys(token).await.unwrap();
    c.find(Locator::Css("form.signin button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("form[action$='signout']")).await.expect("signed in");
}

async fn text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

/// axe-core's serious and critical violations on the current page.
async fn accessibility_violations(c: &Client) -> Vec<Value> {
    let axe =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../.cache/tools/axe/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&axe).unwrap_or_else(|e| {
        panic!("axe-core is required at {} (scripts/install-tools.sh): {e}", axe.display())
    });
    c.execute(&format!("{source}\nreturn true;"), vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             axe.run(document).then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\
               .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.html) }))));",
            vec![],
        )
        .await
        .unwrap();
    found.as_array().cloned().unwrap_or_default()
}

/// Where screenshots go: `docs/screenshots/` with `TFREG_UPDATE_SCREENSHOTS=1` (the ones the
/// README shows), else `target/ui-screenshots/`, so a test run leaves the checkout as it was.
fn screenshot_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    match std::env::var_os("TFREG_UPDATE_SCREENSHOTS") {
        Some(_) => root.join("docs/screenshots"),
        None => root.join("target/ui-screenshots"),
    }
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    std::fs::create_dir_all(screenshot_dir()).unwrap();
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
}

#[test]
fn the_ui_in_chromium() {
    let server = Server::start(&[]);
    publish(&server);
    // The blocking client is done with before the browser's runtime starts.
    let scoped = issue_scoped(&server, "other");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(browse(&server, &scoped));
}

async fn browse(server: &Server, scoped: &str) {
    let driver = Driver::start();
    let version = Command::new("chromium")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    // Past the test harness's capture, so a passing run says which browser ran.
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "browser test: {}", version.unwrap_or_default());
    let c = driver.session(1280, 900, false).await;

    // Without a session the catalogue asks to sign in.
    c.goto(&server.url("/")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/ui"));
    assert_eq!(text(&c, "h1").await, "Sign in to see this");
    sign_in(&c, server, MASTER).await;
    assert!(text(&c, "main").await.contains("network"));
    assert!(!c.source().await.unwrap().contains(MASTER), "no token in a page");
    let violations = accessibility_violations(&c).await;
    assert!(violations.is_empty(), "home: {violations:#?}");
    screenshot(&c, "home-light-desktop").await;

    // Search as you type: results replace the list without leaving the page.
    let search = c.find(Locator::Css("#q")).await.unwrap();
    search.send_keys("dns").await.unwrap();
    let mut live = String::new();
    for _ in 0..50 {
        live = text(&c, "#results").await;
        if live.contains("dns") && !live.contains("network") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(live.contains("dns") && !live.contains("network"), "live results: {live}");
    assert!(c.current_url().await.unwrap().path().ends_with("/ui/"), "still on the home page");

    // A module page: inputs, required first, and the snippet as Terraform users type it.
    c.goto(&server.url("/ui/modules/acme/network/aws")).await.unwrap();
    let inputs = text(&c, "section[aria-labelledby=inputs] tbody").await;
    assert!(inputs.find("cidr").unwrap() < inputs.find("tags").unwrap(), "{inputs}");
    assert!(inputs.contains("The VPC's CIDR block"));
    let snippet = text(&c, "#snippet").await;
    assert_eq!(
        snippet,
        format!(
            "module \"network\" {{\n  source  = \"{}/acme/network/aws\"\n  version = \"~> 1.1\"\n}}",
            server.host()
        )
    );
    let violations = accessibility_violations(&c).await;
    assert!(violations.is_empty(), "module page: {violations:#?}");
    screenshot(&c, "module-light-desktop").await;

    // Switching versions (the select submits itself).
    c.find(Locator::Css("#version")).await.unwrap().select_by_value("1.0.0").await.unwrap();
    for _ in 0..50 {
        if c.current_url().await.unwrap().query().is_some_and(|q| q.contains("version=1.0.0")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(c.current_url().await.unwrap().query().unwrap_or_default().contains("version=1.0.0"));
    assert!(text(&c, "#snippet").await.contains("version = \"~> 1.0\""));
    assert!(text(&c, "main").await.contains("version 1.0.0"));

    // A submodule, with its own inputs and the //modules/x source.
    c.find(Locator::LinkText("modules/subnet")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("a[aria-current=page]")).await.unwrap();
    assert!(text(&c, "section[aria-labelledby=inputs]").await.contains("zone"));
    assert!(text(&c, "#snippet").await.contains("/acme/network/aws//modules/subnet\""));

    // Signing out ends the session.
    c.find(Locator::Css("form[action$='signout'] button")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Css("a[href$='/ui/signin']")).await.unwrap();
    c.goto(&server.url("/ui/modules/acme/network/aws")).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Sign in to see this");

    // A token scoped to `other` sees only `other`, in lists and by direct URL.
    sign_in(&c, server, scoped).await;
    let home = text(&c, "main").await;
    assert!(home.contains("dns") && !home.contains("network"), "{home}");
    c.goto(&server.url("/ui/modules/acme/network/aws")).await.unwrap();
    assert_eq!(text(&c, "h1").await, "Not yours to see");
    c.close().await.unwrap();

    // The main pages at phone width and in the dark scheme.
    for (width, height, dark, suffix) in
        [(390, 844, false, "light-phone"), (1280, 900, true, "dark-desktop"), (390, 844, true, "dark-phone")]
    {
        let c = driver.session(width, height, dark).await;
        sign_in(&c, server, MASTER).await;
        let scheme =
            c.execute("return matchMedia('(prefers-color-scheme: dark)').matches;", vec![]).await.unwrap();
        assert_eq!(scheme, json!(dark), "the page follows the system's scheme");
        screenshot(&c, &format!("home-{suffix}")).await;
        c.goto(&server.url("/ui/modules/acme/network/aws")).await.unwrap();
        if dark {
            let violations = accessibility_violations(&c).await;
            assert!(violations.is_empty(), "module page, dark: {violations:#?}");
        }
        screenshot(&c, &format!("module-{suffix}")).await;
        c.close().await.unwrap();
    }
}

#[test]
fn the_ui_signs_in_through_the_identity_provider() {
    if !oidc::provider_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (secret, rules) = (dir.path().join("client-secret"), dir.path().join("rules.json"));
    std::fs::write(&secret, "ui-client-secret-0123456789").unwrap();
    std::fs::write(&rules, r#"{"rules": [{"claim": "groups", "value": "team-a", "tier": "downloader", "namespaces": ["team-a"]}]}"#).unwrap();
    let port = oidc::free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let (secret, rules) = (secret.display().to_string(), rules.display().to_string());
    let server = Server::start(&[
        "--oidc-issuer",
        &issuer,
        "--oidc-client-id",
        "tfreg",
        "--oidc-client-secret-file",
        &secret,
        "--oidc-rules",
        &rules,
        "--oidc-scopes",
        "openid,email,groups",
    ]);
    let _provider = oidc::start_provider(port, "ui-client-secret-0123456789", &server.url("/oauth/callback"));
    for address in ["team-a/app/aws", "acme/secret/aws"] {
        let files = [("main.tf", "variable \"name\" {}\n")];
        assert_eq!(server.publish(address, "1.0.0", tar_gz("", &files), MASTER).status(), 201);
    }
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let driver = Driver::start();
        let c = driver.session(1280, 900, false).await;
        c.goto(&server.url("/ui/signin")).await.unwrap();
        c.find(Locator::Css("a[href$='signin/sso']")).await.unwrap().click().await.unwrap();
        // The provider's sign-in page, then its consent page.
        c.wait().for_element(Locator::Css("input[name=login]")).await.expect("the provider's sign-in page");
        assert!(c.current_url().await.unwrap().as_str().starts_with(&issuer));
        c.find(Locator::Css("input[name=login]")).await.unwrap().send_keys("bob").await.unwrap();
        c.find(Locator::Css("input[name=password]")).await.unwrap().send_keys("any password").await.unwrap();
        c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
        c.wait().for_element(Locator::Css("form input[name=prompt][value=consent]")).await.expect("consent");
        c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
        // Back in the UI, signed in as bob: team-a's module, not acme's.
        c.wait().for_element(Locator::Css("form[action$='signout']")).await.expect("signed in");
        let home = text(&c, "main").await;
        assert!(home.contains("app") && !home.contains("secret"), "{home}");
        c.goto(&server.url("/ui/modules/acme/secret/aws")).await.unwrap();
        assert_eq!(text(&c, "h1").await, "Not yours to see");
        assert!(!c.source().await.unwrap().contains("tfreg_"), "no token in a page");
        c.close().await.unwrap();
    });
    // The session's token is bob's, listed with its owner, for team-a, living at most 12 hours.
    let tokens =
        support::json(server.client().get(server.url("/v1/tokens")).bearer_auth(MASTER).send().unwrap());
    let bob =
        tokens["tokens"].as_array().unwrap().iter().find(|t| t["owner"]["subject"] == "bob").unwrap().clone();
    assert_eq!((bob["tier"].as_str(), &bob["namespaces"]), (Some("downloader"), &json!(["team-a"])), "{bob}");
    assert!(bob["description"].as_str().unwrap().starts_with("web UI sign-in"), "{bob}");
}
