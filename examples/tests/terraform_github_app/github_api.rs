//! A stand-in for GitHub's REST API on 127.0.0.1, shaped from GitHub's documentation ("REST
//! API endpoints for GitHub Apps", "... for repositories", "Download a repository archive
//! (tar)"), since GitHub itself cannot be reached from the tests. It serves what the registry's
//! GitHub App client calls, and checks it as GitHub does:
//! - `POST /app/installations/{id}/access_tokens` and `GET /app/installations/{id}`: an RS256
//!   JWT verified against the App's public key, issued by the App's id, living at most ten
//!   minutes; answers an installation token;
//! - `GET /installation/repositories`, `GET /repos/{owner}/{repo}/tags`,
//!   `GET /repos/{owner}/{repo}/tarball/{ref}`: that installation token (`Authorization: token`);
//!   the tarball redirects (302) to a `codeload` path, as GitHub does, which serves
//!   `git archive` of the real repository the test made, under one top folder
//!   `{owner}-{repo}-{sha7}/`.
//!
//! It also serves GitLab's REST API v4 for a registered GitLab source ("Repository tags API",
//! "Get file archive"), under `/api/v4/`: `GET /api/v4/projects/{url-encoded path}/repository/tags`
//! and `.../repository/archive.tar.gz?sha={tag}`, with the project access token as
//! `PRIVATE-TOKEN`, the archive under one top folder `{project}-{tag}-{sha}/` as GitLab makes it.
//!
//! One request per connection; every `METHOD path` asked for is kept.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::json;

/// The installation token the stand-in hands out.
pub(crate) const INSTALLATION_TOKEN: &str = "ghs_standInInstallationToken0123456789";

/// The GitLab project access token the stand-in takes.
pub(crate) const GITLAB_TOKEN: &str = "glpat-standInProjectToken0123";

#[derive(Default)]
pub(crate) struct State {
    /// full name -> working repository
    pub(crate) repositories: BTreeMap<String, PathBuf>,
    /// Every `METHOD path` asked for.
    pub(crate) seen: Vec<String>,
    /// How many App JWTs were verified.
    pub(crate) jwts: usize,
}

pub(crate) struct GitHubApi {
    pub(crate) port: u16,
    pub(crate) state: Arc<Mutex<State>>,
}

struct Request {
    method: String,
    path: String,
    authorization: Option<String>,
    private_token: Option<String>,
}

impl GitHubApi {
    /// Serves the repositories in `state` for App `app_id` whose public key is `public_pem`.
    pub(crate) fn start(app_id: u64, public_pem: &[u8]) -> GitHubApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let key = Arc::new(DecodingKey::from_rsa_pem(public_pem).unwrap());
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (state, key) = (shared.clone(), key.clone());
                std::thread::spawn(move || {
                    let Ok(request) = read(&mut stream) else { return };
                    state.lock().unwrap().seen.push(format!("{} {}", request.method, request.path));
                    let (status, kind, body, location) = answer(&request, app_id, &key, &state);
                    let mut head = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n",
                        body.len()
                    );
                    if let Some(location) = location {
                        head.push_str(&format!("Location: http://127.0.0.1:{port}{location}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes());
                    let _ = stream.write_all(&body);
                });
            }
        });
        GitHubApi { port, state }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn add(&self, full_name: &str, repository: PathBuf) {
        self.state.lock().unwrap().repositories.insert(full_name.to_owned(), repository);
    }

    pub(crate) fn seen(&self) -> Vec<String> {
        self.state.lock().unwrap().seen.clone()
    }
}

fn read(stream: &mut std::net::TcpStream) -> std::io::Result<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("/").to_owned());
    let (mut authorization, mut private_token, mut length) = (None, None, 0usize);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            match name.to_ascii_lowercase().as_str() {
                "authorization" => authorization = Some(value.trim().to_owned()),
                "private-token" => private_token = Some(value.trim().to_owned()),
                "content-length" => length = value.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Request { method, path, authorization, private_token })
}

type Answer = (&'static str, &'static str, Vec<u8>, Option<String>);

fn error(status: &'static str, message: &str) -> Answer {
    let body = json!({"message": message, "documentation_url": "https://docs.github.com/rest"});
    (status, "application/json", body.to_string().into_bytes(), None)
}

fn ok(value: serde_json::Value) -> Answer {
    ("200 OK", "application/json", value.to_string().into_bytes(), None)
}

#[derive(serde::Deserialize)]
struct Claims {
    iat: u64,
    exp: u64,
}

/// Whether the request carries a valid JWT of the App.
fn app_jwt(request: &Request, app_id: u64, key: &DecodingKey) -> Result<(), String> {
    let token = request
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .ok_or("A JSON web token could not be decoded")?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[app_id.to_string()]);
    validation.set_required_spec_claims(&["exp", "iat", "iss"]);
    let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|e| e.to_string())?;
    if data.claims.exp.saturating_sub(data.claims.iat) > 600 {
        return Err("'Expiration time' claim ('exp') is too far in the future".into());
    }
    Ok(())
}

fn git(repository: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git").args(args).current_dir(repository).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn answer(request: &Request, app_id: u64, key: &DecodingKey, state: &Mutex<State>) -> Answer {
    let path = request.path.split('?').next().unwrap_or("");
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if let ["app", "installations", id, rest @ ..] = parts.as_slice() {
        if let Err(why) = app_jwt(request, app_id, key) {
            return error("401 Unauthorized", &why);
        }
        state.lock().unwrap().jwts += 1;
        return match (request.method.as_str(), rest) {
            ("POST", ["access_tokens"]) => (
                "201 Created",
                "application/json",
                json!({"token": INSTALLATION_TOKEN, "expires_at": "2099-01-01T00:00:00Z",
                       "permissions": {"contents": "read", "metadata": "read"}, "repository_selection": "selected"})
                .to_string()
                .into_bytes(),
                None,
            ),
            ("GET", []) => ok(json!({"id": id.parse::<u64>().unwrap_or(0), "account": {"login": "acme", "type": "Organization"}, "app_id": app_id})),
            _ => error("404 Not Found", "Not Found"),
        };
    }
    if let ["api", "v4", "projects", project, "repository", rest] = parts.as_slice() {
        return gitlab(request, project, rest, state);
    }
    if request.authorization.as_deref() != Some(&format!("token {INSTALLATION_TOKEN}")[..]) {
        return error("401 Unauthorized", "Bad credentials");
    }
    let repositories = state.lock().unwrap().repositories.clone();
    match parts.as_slice() {
        ["installation", "repositories"] => {
            let listed: Vec<_> = repositories
                .keys()
                .map(|full| json!({"name": full.split('/').nth(1), "full_name": full, "private": true, "archived": false}))
                .collect();
            ok(json!({"total_count": listed.len(), "repositories": listed}))
        }
        ["repos", owner, repo, "tags"] => match repositories.get(&format!("{owner}/{repo}")) {
            None => error("404 Not Found", "Not Found"),
            Some(dir) => {
                let tags = String::from_utf8(git(dir, &["tag", "--list"])).unwrap();
                ok(json!(tags.lines().map(|t| json!({"name": t})).collect::<Vec<_>>()))
            }
        },
        ["repos", owner, repo, "tarball", reference] => (
            "302 Found",
            "text/html",
            Vec::new(),
            Some(format!("/codeload/{owner}/{repo}/legacy.tar.gz/{reference}")),
        ),
        ["codeload", owner, repo, "legacy.tar.gz", reference] => {
            match repositories.get(&format!("{owner}/{repo}")) {
                None => error("404 Not Found", "Not Found"),
                Some(dir) => {
                    let sha = String::from_utf8(git(
                        dir,
                        &["rev-parse", "--short=7", &format!("{reference}^{{commit}}")],
                    ))
                    .unwrap();
                    let prefix = format!("--prefix={owner}-{repo}-{}/", sha.trim());
                    let archive = git(dir, &["archive", "--format=tar.gz", &prefix, reference]);
                    ("200 OK", "application/x-gzip", archive, None)
                }
            }
        }
        _ => error("404 Not Found", "Not Found"),
    }
}

/// GitLab's tags and archive of the project `encoded` (its URL-encoded path).
fn gitlab(request: &Request, encoded: &str, rest: &str, state: &Mutex<State>) -> Answer {
    if request.private_token.as_deref() != Some(GITLAB_TOKEN) {
        return error("401 Unauthorized", "401 Unauthorized");
    }
    let full = encoded.replace("%2F", "/").replace("%2f", "/");
    let Some(dir) = state.lock().unwrap().repositories.get(&full).cloned() else {
        return error("404 Not Found", "404 Project Not Found");
    };
    let query = request.path.split_once('?').map_or("", |(_, q)| q);
    match rest {
        "tags" => {
            let tags = String::from_utf8(git(&dir, &["tag", "--list"])).unwrap();
            ok(json!(tags
                .lines()
                .map(|t| json!({"name": t, "message": "", "protected": false}))
                .collect::<Vec<_>>()))
        }
        "archive.tar.gz" => {
            let Some(sha) = query.split('&').find_map(|p| p.strip_prefix("sha=")) else {
                return error("400 Bad Request", "sha is missing");
            };
            let commit = String::from_utf8(git(&dir, &["rev-parse", &format!("{sha}^{{commit}}")])).unwrap();
            let project = full.rsplit('/').next().unwrap();
            let prefix = format!("--prefix={project}-{sha}-{}/", commit.trim());
            (
                "200 OK",
                "application/octet-stream",
                git(&dir, &["archive", "--format=tar.gz", &prefix, sha]),
                None,
            )
        }
        _ => error("404 Not Found", "404 Not Found"),
    }
}
