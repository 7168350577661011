//! End to end, the container image: `examples/deploy/container/build.sh` builds it with
//! buildah (Debian's, installed by `scripts/install-tools.sh`) from this build's `tfreg`; the
//! image's configuration is what the README promises (non-root, a /data volume, the health
//! check, `tfreg serve`), and the server runs from the image's own file system (`buildah run`
//! with chroot isolation: podman's runtime cannot set resource limits on this kind of
//! machine), answering on 127.0.0.1 and passing its own health check.

#[macro_use]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::MASTER;

fn buildah(args: &[&str]) -> String {
    let output = Command::new("buildah")
        .args(args)
        .output()
        .expect("buildah is missing: run scripts/install-tools.sh");
    assert!(output.status.success(), "buildah {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn the_image_runs_the_server_as_a_non_root_user_with_a_health_check() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/container/build.sh");
    let image = format!("localhost/tfreg-test:{}", std::process::id());
    let built = Command::new("bash")
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_tfreg"))
        .arg(&image)
        .output()
        .expect("run build.sh");
    assert!(built.status.success(), "build.sh: {}", String::from_utf8_lossy(&built.stderr));
    let _cleanup = Cleanup(image.clone());

    let inspected: Value = serde_json::from_str(&buildah(&["inspect", "--type", "image", &image])).unwrap();
    let config = &inspected["Docker"]["config"];
    assert_eq!(config["User"], "65532:65532", "{config}");
    assert!(config["Volumes"].get("/data").is_some(), "{config}");
    assert_eq!(config["Entrypoint"], serde_json::json!(["/usr/local/bin/tfreg"]));
    assert_eq!(config["Cmd"], serde_json::json!(["serve"]));
    let health = &config["Healthcheck"]["Test"];
    assert_eq!(
        health,
        &serde_json::json!(["CMD", "/usr/local/bin/tfreg", "health", "http://127.0.0.1:9464/readyz"])
    );
    let env: Vec<&str> = config["Env"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(env.contains(&"TFREG_STORAGE=file:///data"), "{env:?}");

    // Run it from the image's root file system, as its user, on free loopback ports.
    let container = buildah(&["from", &image]).trim().to_owned();
    let _container = Container(container.clone());
    let (port, probe) = (free_port(), free_port());
    let listen = format!("127.0.0.1:{port}");
    let metrics = format!("TFREG_METRICS_LISTEN=127.0.0.1:{probe}");
    let mut server = Command::new("buildah")
        .args(["run", "--isolation", "chroot", "--user", "65532:65532"])
        .args(["--env", &metrics, "--env", &format!("TFREG_MASTER_TOKEN={MASTER}")])
        .args([&container, "--", "/usr/local/bin/tfreg", "serve", "--listen", &listen])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let readyz = format!("http://127.0.0.1:{probe}/readyz");
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        match reqwest::blocking::get(&readyz) {
            Ok(answer) if answer.status() == 200 => break true,
            _ if Instant::now() > deadline => break false,
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    let check = buildah(&[
        "run",
        "--isolation",
        "chroot",
        "--user",
        "65532:65532",
        &container,
        "--",
        "/usr/local/bin/tfreg",
        "health",
        &readyz,
    ]);
    // The store is the /data volume, writable by the image's user: a publish is kept. (Its
    // development certificate is in that volume too, out of the test's reach: trust any.)
    let client = reqwest::blocking::Client::builder().danger_accept_invalid_certs(true).build().unwrap();
    let archive = support::tar_gz("", &[("main.tf", "output \"x\" { value = 1 }\n")]);
    let published = client
        .put(format!("https://127.0.0.1:{port}/v1/modules/acme/net/aws/1.0.0"))
        .bearer_auth(MASTER)
        .body(archive)
        .send()
        .map(|answer| answer.status().as_u16());
    // The server is buildah's child: stop it by its command line, then buildah.
    let _ = Command::new("pkill").args(["-TERM", "-f", &format!("tfreg serve --listen {listen}")]).status();
    let _ = server.kill();
    let _ = server.wait();
    assert!(ready, "the server in the image never answered {readyz}");
    assert!(check.contains("200"), "tfreg health printed {check:?}");
    assert_eq!(published.ok(), Some(201), "a publish to the server in the image");
}

/// Removes the test's image.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new("buildah").args(["rmi", "-f", &self.0]).output();
    }
}

/// Removes the working container (before the image).
struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("buildah").args(["rm", &self.0]).output();
    }
}
