//! Starts the real S3-compatible server of `scripts/s3-server.sh` on a free loopback port.
//! Shared by this crate's tests and the server's end-to-end tests (included by path).

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running S3-compatible server, killed on drop.
pub struct S3Server {
    child: Child,
    pub port: u16,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = Command::new("pkill").args(["-P", &self.child.id().to_string()]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(bucket: &str) -> S3Server {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/s3-server.sh");
    let mut child = Command::new("bash")
        .arg(script)
        .args([port.to_string(), bucket.to_owned()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start scripts/s3-server.sh");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        match lines.next() {
            Some(Ok(line)) if line.trim() == "ready" => break,
            Some(Ok(_)) => {}
            _ => panic!("the S3-compatible server did not start (scripts/s3-server.sh needs python3 with pip and PyPI)"),
        }
        assert!(Instant::now() < deadline, "the S3-compatible server took too long to start");
    }
    S3Server { child, port }
}

impl S3Server {
    /// The `AWS_*` variables that point object_store at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT", format!("http://127.0.0.1:{}", self.port)),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ]
    }

    /// How many objects `bucket` holds under `prefix` (a plain ListObjectsV2; the server does
    /// not check signatures).
    pub fn count_objects(&self, bucket: &str, prefix: &str) -> usize {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let request = format!(
            "GET /{bucket}?list-type=2&prefix={prefix} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200"), "{response}");
        response.matches("<Key>").count()
    }
}
