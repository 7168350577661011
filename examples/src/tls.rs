//! HTTPS for the server: the operator's certificate, or a self-signed development one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Where the certificate came from, to tell the operator.
pub(crate) enum CertSource {
    /// Given with --tls-cert/--tls-key.
    Configured,
    /// The development certificate at this path (made now or on an earlier start).
    Development(PathBuf),
}

/// Makes (once) a self-signed certificate for `localhost` and `127.0.0.1` in `dir` and returns
/// the paths of the certificate and key.
pub(crate) fn development_cert(dir: &Path) -> crate::Result<(PathBuf, PathBuf)> {
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    if cert_path.is_file() && key_path.is_file() {
        return Ok((cert_path, key_path));
    }
    std::fs::create_dir_all(dir)?;
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names)?;
    write_private(&key_path, certified.key_pair.serialize_pem().as_bytes())?;
    std::fs::write(&cert_path, certified.cert.pem())?;
    Ok((cert_path, key_path))
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

/// The certificate the server presents, read from PEM files and read again on demand (on
/// `SIGHUP`), so a renewed certificate is served without a restart. A reload that fails keeps
/// the certificate that was being served.
#[derive(Debug)]
pub(crate) struct ReloadingCert {
    cert: PathBuf,
    key: PathBuf,
    provider: Arc<rustls::crypto::CryptoProvider>,
    current: std::sync::RwLock<Arc<rustls::sign::CertifiedKey>>,
}

impl ReloadingCert {
    /// Reads the certificate chain and key.
    pub(crate) fn new(cert: &Path, key: &Path) -> crate::Result<Arc<Self>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let current = load(cert, key, &provider)?;
        Ok(Arc::new(Self {
            cert: cert.to_owned(),
            key: key.to_owned(),
            provider,
            current: std::sync::RwLock::new(Arc::new(current)),
        }))
    }

    /// Reads the files again; on success new handshakes present the new certificate.
    pub(crate) fn reload(&self) -> crate::Result<()> {
        let fresh = load(&self.cert, &self.key, &self.provider)?;
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(fresh);
        Ok(())
    }

    /// A rustls server configuration presenting this certificate.
    pub(crate) fn server_config(self: &Arc<Self>) -> crate::Result<rustls::ServerConfig> {
        let config = rustls::ServerConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        // actix-web's rustls binding offers h2 and http/1.1 by ALPN itself.
        Ok(config)
    }
}

impl rustls::server::ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone())
    }
}

/// The certificate chain and key in PEM files, checked to belong together.
fn load(
    cert: &Path,
    key: &Path,
    provider: &rustls::crypto::CryptoProvider,
) -> crate::Result<rustls::sign::CertifiedKey> {
    let certs = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("cannot read certificate {}: {e}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("cannot parse certificate {}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("no certificate in {}", cert.display()).into());
    }
    let key_der =
        PrivateKeyDer::from_pem_file(key).map_err(|e| format!("cannot read key {}: {e}", key.display()))?;
    let certified = rustls::sign::CertifiedKey::from_der(certs, key_der, provider)
        .map_err(|e| format!("{} and {} do not go together: {e}", cert.display(), key.display()))?;
    Ok(certified)
}
