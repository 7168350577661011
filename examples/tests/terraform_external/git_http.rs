//! `git http-backend` behind a small CGI bridge on 127.0.0.1: git's smart HTTP protocol for the
//! bare repositories under a root, as a git host serves them. One thread per connection, one
//! request per connection (`Connection: close`). Repositories under `private/` answer 401
//! unless the request carries the expected `Authorization`; every `Authorization` seen is kept.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// A running bridge; it stops taking connections when dropped.
pub(crate) struct GitHttp {
    pub(crate) port: u16,
    /// `(path, Authorization header)` of every request, in order.
    pub(crate) seen: Arc<Seen>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl GitHttp {
    /// Serves the bare repositories under `root`; `private/` ones only with `authorization`.
    pub(crate) fn start(root: &Path, authorization: &str) -> GitHttp {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (root, expected) = (root.to_owned(), authorization.to_owned());
        let (log, halt) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, expected, log) = (root.clone(), expected.clone(), log.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &root, &expected, &log);
                });
            }
        });
        GitHttp { port, seen, stop }
    }

    /// The URL of the repository at `path` (below the root).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for GitHttp {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// `(path, Authorization header)` of every request.
pub(crate) type Seen = Mutex<Vec<(String, Option<String>)>>;

fn serve(stream: TcpStream, root: &Path, expected: &str, seen: &Seen) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("/").to_owned());
    let mut headers = HashMap::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let body = read_body(&mut reader, &headers)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let authorization = headers.get("authorization").cloned();
    seen.lock().unwrap().push((path.to_owned(), authorization.clone()));
    let mut out = stream;
    if path.starts_with("/private/") && authorization.as_deref() != Some(expected) {
        let text = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        return out.write_all(text.as_bytes());
    }
    let mut cgi = Command::new("git");
    cgi.arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (header, variable) in [
        ("content-type", "CONTENT_TYPE"),
        ("content-encoding", "HTTP_CONTENT_ENCODING"),
        ("git-protocol", "GIT_PROTOCOL"),
    ] {
        if let Some(value) = headers.get(header) {
            cgi.env(variable, value);
        }
    }
    let mut child = cgi.spawn()?;
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&body));
    let mut output = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut output)?;
    let _ = writer.join();
    child.wait()?;
    // The CGI answer: headers (with an optional `Status:`), a blank line, the body.
    let split = output
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| (at, 4))
        .or_else(|| output.windows(2).position(|w| w == b"\n\n").map(|at| (at, 2)));
    let Some((at, gap)) = split else {
        return out.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    };
    let head = String::from_utf8_lossy(&output[..at]).into_owned();
    let mut status = "200 OK".to_owned();
    let mut response = Vec::new();
    for header in head.lines().map(str::trim).filter(|h| !h.is_empty()) {
        match header.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("status") => status = value.trim().to_owned(),
            _ => response.extend_from_slice(format!("{header}\r\n").as_bytes()),
        }
    }
    let content = &output[at + gap..];
    let mut answer = format!("HTTP/1.1 {status}\r\n").into_bytes();
    answer.extend_from_slice(&response);
    answer.extend_from_slice(
        format!("Content-Length: {}\r\nConnection: close\r\n\r\n", content.len()).as_bytes(),
    );
    answer.extend_from_slice(content);
    out.write_all(&answer)
}

/// The request body: `Content-Length` bytes, or chunked.
fn read_body(reader: &mut impl BufRead, headers: &HashMap<String, String>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if headers.get("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            if size == 0 {
                let mut end = String::new();
                reader.read_line(&mut end)?;
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(len) = headers.get("content-length").and_then(|l| l.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    }
    Ok(body)
}

/// Makes `root/{path}` a bare repository holding `files` committed and tagged `tag`.
pub(crate) fn bare_repository(root: &Path, path: &str, files: &[(&str, String)], tag: &str) -> PathBuf {
    let work = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let file = work.path().join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, content).unwrap();
    }
    let git = |dir: &Path, args: &[&str]| {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=tfreg test",
                "-c",
                "user.email=test@example.invalid",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(work.path(), &["init", "-q"]);
    git(work.path(), &["add", "-A"]);
    git(work.path(), &["commit", "-q", "-m", "the module"]);
    git(work.path(), &["tag", tag]);
    let bare = root.join(path);
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    git(root, &["clone", "-q", "--bare", &work.path().to_string_lossy(), &bare.to_string_lossy()]);
    bare
}
