//! Interoperability with GnuPG: `gpg --verify` accepts our signatures, and signatures made by gpg
//! verify here. `scripts/test.sh` installs gnupg and sets `TFREG_REQUIRE_TOOLS`, so there (and
//! in CI) a missing `gpg` fails the tests; a plain `cargo test` without gpg prints a note and
//! skips them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use super::{PublicKey, SigningKey};

const SIGNING_KEY: &str = include_str!("testdata/signing-key.asc");
const SUMS: &[u8] = include_bytes!("testdata/SHA256SUMS");

/// A throw-away GNUPGHOME, removed (and its gpg-agent stopped) on drop.
struct GpgHome {
    dir: PathBuf,
}

impl GpgHome {
    /// A fresh home, or `None` (with a note) when gpg is not installed.
    fn new(test: &str) -> Option<GpgHome> {
        if Command::new("gpg").arg("--version").output().map_or(true, |o| !o.status.success()) {
            let required =
                std::env::var_os("TFREG_REQUIRE_TOOLS").is_some() || std::env::var_os("CI").is_some();
            assert!(
                !required,
                "gpg is required for {test} but is not installed: run scripts/install-tools.sh"
            );
            println!("note: gpg is not installed; skipping the gpg interoperability test {test}");
            return None;
        }
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "tfreg-pgp-{}-{}-{test}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        Some(GpgHome { dir })
    }

    /// Runs gpg in this home, in batch mode with an empty passphrase.
    fn gpg(&self, args: &[&str]) -> Output {
        let output = Command::new("gpg")
            .arg("--homedir")
            .arg(&self.dir)
            .args(["--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", ""])
            .args(args)
            .output()
            .expect("gpg runs");
        println!("gpg {}: {}\n{}", args.join(" "), output.status, String::from_utf8_lossy(&output.stderr));
        output
    }

    /// Runs gpg and requires success.
    fn gpg_ok(&self, args: &[&str]) -> Output {
        let output = self.gpg(args);
        assert!(output.status.success(), "gpg {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        output
    }

    /// Writes `contents` to a file in the home and returns its path as a string.
    fn write(&self, name: &str, contents: &[u8]) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path_str(&path)
    }

    fn path(&self, name: &str) -> String {
        path_str(&self.dir.join(name))
    }
}

impl Drop for GpgHome {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf").arg("--homedir").arg(&self.dir).args(["--kill", "all"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path_str(path: &Path) -> String {
    path.to_str().expect("temporary paths are UTF-8").to_owned()
}

#[test]
fn gpg_verifies_our_detached_signature() {
    let Some(home) = GpgHome::new("verify") else { return };
    let key = SigningKey::from_armored(SIGNING_KEY).unwrap();
    let public = home.write("public.asc", key.public_key().unwrap().to_armored().unwrap().as_bytes());
    home.gpg_ok(&["--import", &public]);

    let sums = home.write("SHA256SUMS", SUMS);
    let sig = home.write("SHA256SUMS.sig", &key.sign_detached(SUMS).unwrap());
    let output = home.gpg_ok(&["--status-fd", "1", "--verify", &sig, &sums]);
    let status = String::from_utf8_lossy(&output.stdout);
    assert!(status.contains(&format!("GOODSIG {}", key.key_id())), "{status}");
    assert!(status.contains("VALIDSIG"), "{status}");

    let tampered = home.write("SHA256SUMS.tampered", &[SUMS, b"x"].concat());
    let output = home.gpg(&["--status-fd", "1", "--verify", &sig, &tampered]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("BADSIG"));
}

#[test]
fn gpg_signature_verifies_with_our_public_key() {
    let Some(home) = GpgHome::new("sign") else { return };
    // A provider author's key made by gpg, as goreleaser setups use: RSA, primary key signs.
    home.gpg_ok(&["--quick-gen-key", "Provider Author <author@example.invalid>", "rsa3072", "sign", "never"]);
    let exported = home.gpg_ok(&["--armor", "--export", "author@example.invalid"]);
    let public = PublicKey::from_armored(std::str::from_utf8(&exported.stdout).unwrap()).unwrap();

    let sums = home.write("SHA256SUMS", SUMS);
    let binary = home.path("SHA256SUMS.sig");
    home.gpg_ok(&["--local-user", "author@example.invalid", "--output", &binary, "--detach-sign", &sums]);
    let binary = std::fs::read(binary).unwrap();
    assert_ne!(binary[0] & 0x80, 0, "gpg wrote a binary packet");
    public.verify_detached(SUMS, &binary).unwrap();

    let armored = home.path("SHA256SUMS.asc");
    home.gpg_ok(&[
        "--local-user",
        "author@example.invalid",
        "--armor",
        "--output",
        &armored,
        "--detach-sign",
        &sums,
    ]);
    public.verify_detached(SUMS, &std::fs::read(armored).unwrap()).unwrap();

    let mut tampered = SUMS.to_vec();
    tampered[10] ^= 1;
    assert_eq!(public.verify_detached(&tampered, &binary), Err(super::PgpError::BadSignature));
}

#[test]
fn gpg_reads_our_secret_key_export() {
    let Some(home) = GpgHome::new("secret") else { return };
    let key = SigningKey::from_armored(SIGNING_KEY).unwrap();
    let secret = home.write("secret.asc", key.to_armored().unwrap().as_bytes());
    home.gpg_ok(&["--import", &secret]);
    let sums = home.write("SHA256SUMS", SUMS);
    let sig = home.path("SHA256SUMS.sig");
    home.gpg_ok(&[
        "--local-user",
        &key.key_id(),
        "--digest-algo",
        "SHA256",
        "--output",
        &sig,
        "--detach-sign",
        &sums,
    ]);
    key.public_key().unwrap().verify_detached(SUMS, &std::fs::read(sig).unwrap()).unwrap();
}
