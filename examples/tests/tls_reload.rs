//! End to end: `tfreg serve` reads its TLS certificate again on `SIGHUP`, so a renewed
//! certificate is served without a restart, and a broken one is refused while the old one
//! stays in service.

#[macro_use]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::Server;

/// A self-signed certificate for 127.0.0.1: (certificate PEM, key PEM).
fn certificate() -> (String, String) {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    (certified.cert.pem(), certified.key_pair.serialize_pem())
}

/// Whether a client that trusts only `cert` gets an answer from `server`.
fn trusted_by(server: &Server, cert: &str) -> bool {
    let client = reqwest::blocking::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert.as_bytes()).unwrap())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    client.get(server.url("/healthz")).send().is_ok_and(|r| r.status() == 200)
}

fn hang_up(server: &Server) {
    let status = Command::new("kill").args(["-HUP", &server.pid().to_string()]).status().unwrap();
    assert!(status.success());
}

fn install(dir: &Path, (cert, key): &(String, String)) {
    std::fs::write(dir.join("cert.pem"), cert).unwrap();
    std::fs::write(dir.join("key.pem"), key).unwrap();
}

#[test]
fn a_renewed_certificate_is_served_after_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (certificate(), certificate());
    install(dir.path(), &old);
    let (cert, key) =
        (dir.path().join("cert.pem").display().to_string(), dir.path().join("key.pem").display().to_string());
    let server = Server::start(&["--tls-cert", &cert, "--tls-key", &key]);
    assert!(trusted_by(&server, &old.0) && !trusted_by(&server, &new.0));

    install(dir.path(), &new);
    assert!(trusted_by(&server, &old.0), "nothing changes before the signal");
    hang_up(&server);
    let mut renewed = false;
    for _ in 0..50 {
        if trusted_by(&server, &new.0) {
            renewed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(renewed, "the renewed certificate is served after SIGHUP");
    assert!(!trusted_by(&server, &old.0));

    // A broken renewal is refused; the server keeps the certificate it has.
    std::fs::write(dir.path().join("key.pem"), "not a key").unwrap();
    hang_up(&server);
    std::thread::sleep(Duration::from_millis(300));
    assert!(trusted_by(&server, &new.0), "still serving the last good certificate");
}
