//! Starts the real storage servers of `scripts/` on free loopback ports: the S3-compatible
//! server of `scripts/s3-server.sh` and the Azure Blob emulator of `scripts/azure-server.sh`.
//! Shared by this crate's tests and the server's end-to-end tests (included by path).

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running storage server, killed (with its children) on drop.
pub struct StorageServer {
    child: Child,
    pub port: u16,
}

impl Drop for StorageServer {
    fn drop(&mut self) {
        let _ = Command::new("pkill").args(["-P", &self.child.id().to_string()]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The S3-compatible server (moto), with `bucket` created.
pub fn s3(bucket: &str) -> StorageServer {
    start("s3-server.sh", &[bucket], "the S3-compatible server").0
}

/// moto as AWS STS and IAM (`scripts/sts-server.sh`), with each of `roles` created and assumed:
/// the server and each role's credentials (`{"ROLE": {"AccessKeyId", "SecretAccessKey",
/// "SessionToken"}}`).
pub fn sts(roles: &[&str]) -> (StorageServer, serde_json::Value) {
    let (server, printed) = start("sts-server.sh", roles, "AWS STS (moto)");
    let credentials = printed
        .iter()
        .find_map(|line| line.strip_prefix("credentials "))
        .map(|json| serde_json::from_str(json).expect("the credentials are JSON"))
        .expect("sts-server.sh printed the roles' credentials");
    (server, credentials)
}

/// The Azure Blob Storage emulator (Azurite), with `container` created.
pub fn azure(container: &str) -> StorageServer {
    start("azure-server.sh", &[container], "the Azure Blob emulator").0
}

/// Runs `script PORT ARGS...` until it prints `ready`: the server and the lines before.
fn start(script: &str, args: &[&str], what: &str) -> (StorageServer, Vec<String>) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts").join(script);
    let mut child = Command::new("bash")
        .arg(&script)
        .arg(port.to_string())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", script.display()));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut printed = Vec::new();
    loop {
        match lines.next() {
            Some(Ok(line)) if line.trim() == "ready" => break,
            Some(Ok(line)) => printed.push(line),
            _ => {
                panic!("{what} did not start ({} needs python3 with pip and PyPI, or npm)", script.display())
            }
        }
        assert!(Instant::now() < deadline, "{what} took too long to start");
    }
    (StorageServer { child, port }, printed)
}

impl StorageServer {
    /// The `AZURE_*` variables that point object_store at the Azure emulator.
    pub fn azure_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AZURE_STORAGE_USE_EMULATOR", "true".into()),
            ("AZURITE_BLOB_STORAGE_URL", format!("http://127.0.0.1:{}", self.port)),
            ("AZURE_ALLOW_HTTP", "true".into()),
        ]
    }

    /// The `AWS_*` variables that point object_store at the S3-compatible server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", format!("http://127.0.0.1:{}", self.port)),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ]
    }
}

/// A plain HTTP/1.1 request on loopback (`url` is `http://...`): the status and the body.
pub fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head += &format!("{name}: {value}\r\n");
    }
    head += &format!("Content-Length: {}\r\n\r\n", body.len());
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, response[split + 4..].to_vec())
}
