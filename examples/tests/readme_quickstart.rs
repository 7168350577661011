//! End to end, the README's "From clone to `terraform init`" block, run as written by bash
//! (with each Terraform CLI): only its build line is left out (this test's own build of `tfreg`
//! is first on the PATH instead of `target/release`) and its port 8443 becomes a free one
//! (`TFREG_LISTEN` moves the server there).
//! `HOME` is a fresh folder, so `tfreg login` and Terraform meet in its credentials file.

#[macro_use]
mod support;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// The shell block between the README's quickstart markers.
fn quickstart() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let start = readme.find("<!-- quickstart").expect("the README's quickstart marker");
    let block = &readme[start..readme.find("<!-- /quickstart -->").expect("its end marker")];
    let body = block.split("```sh\n").nth(1).expect("a sh block").split("\n```").next().unwrap();
    assert!(body.contains("cargo build --release -p tfreg-server\n"), "the block builds tfreg first");
    body.replace("cargo build --release -p tfreg-server\n", "")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

terraform_test! {
    fn the_readme_quickstart_runs_as_written() {
        // The server listens on its default port unless TFREG_LISTEN says otherwise.
        let port = free_port().to_string();
        let script = quickstart().replace("8443", &port);
        let home = tempfile::tempdir().unwrap();
        let binaries = Path::new(env!("CARGO_BIN_EXE_tfreg")).parent().unwrap();
        let terraform = support::terraform();
        let path = format!(
            "{}:{}:{}",
            binaries.display(),
            terraform.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        // `target/release` in the block is where a release build would be; this build's
        // binaries come first on the PATH.
        let output = Command::new("bash")
            .args(["-euo", "pipefail", "-c", &script])
            .current_dir(home.path())
            .env_clear()
            .env("PATH", path)
            .env("HOME", home.path())
            .env("TF_IN_AUTOMATION", "1")
            .env("TFREG_LISTEN", format!("127.0.0.1:{port}"))
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let group = format!("-{}", output.id());
        let output = output.wait_with_output().unwrap();
        // The block leaves the server running in the background: stop its process group.
        let log = std::fs::read_to_string(home.path().join("tfreg.log")).unwrap_or_default();
        let _ = Command::new("kill").args(["--", &group]).status();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "the quickstart failed:\n{stdout}\n{stderr}\nserver log:\n{log}");
        assert!(stdout.contains("\"modules.v1\""), "{stdout}");
        assert!(stdout.contains("greeting = \"hello from tfreg\""), "{stdout}");
        let credentials = std::fs::read_to_string(home.path().join(".terraform.d/credentials.tfrc.json")).unwrap();
        assert!(credentials.contains("tfreg_"), "{credentials}");
    }
}
