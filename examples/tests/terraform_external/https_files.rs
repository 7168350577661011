//! A static file server over TLS on 127.0.0.1 (rustls, the certificate the test made), for the
//! https archives the registry names or imports. `GET` and `HEAD` (Terraform 1.11 sends a
//! `HEAD` first); one request per connection; every path asked for is kept.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// A running server; it stops taking connections when dropped.
pub(crate) struct HttpsFiles {
    pub(crate) port: u16,
    /// Every `METHOD path` asked for, in order.
    pub(crate) seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl HttpsFiles {
    /// Serves `files` (path -> content) with the certificate `cert` and its key `key` (DER).
    pub(crate) fn start(
        cert: CertificateDer<'static>,
        key: PrivateKeyDer<'static>,
        files: HashMap<String, Vec<u8>>,
    ) -> HttpsFiles {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (log, halt, files) = (seen.clone(), stop.clone(), Arc::new(files));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if halt.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (config, files, log) = (config.clone(), files.clone(), log.clone());
                std::thread::spawn(move || {
                    let connection = rustls::ServerConnection::new(config).unwrap();
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    if answer(&mut tls, &files, &log).is_ok() {
                        tls.conn.send_close_notify();
                        let _ = tls.flush();
                    }
                });
            }
        });
        HttpsFiles { port, seen, stop }
    }

    /// The URL of `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for HttpsFiles {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn answer(
    tls: &mut (impl std::io::Read + Write),
    files: &HashMap<String, Vec<u8>>,
    seen: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(&mut *tls);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("/").to_owned());
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim_end().is_empty() {
            break;
        }
    }
    drop(reader);
    let path = target.split('?').next().unwrap_or("/").to_owned();
    seen.lock().unwrap().push(format!("{method} {path}"));
    let (status, body) = match files.get(&path) {
        Some(body) => ("200 OK", body.as_slice()),
        None => ("404 Not Found", &b"not found"[..]),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    tls.write_all(head.as_bytes())?;
    if method != "HEAD" {
        tls.write_all(body)?;
    }
    tls.flush()
}
