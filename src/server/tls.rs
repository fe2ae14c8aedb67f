//! HTTPS from the binary. Phones on a district network open `http://10.x.y.z` as an insecure
//! origin: no location, no offline use, no saving. With `--tls-cert`/`--tls-key` the server
//! uses a real certificate; with `--tls-self-signed` it makes one (once, with rcgen) for the
//! host names and addresses the phones use, keeps it in `DATA/tls/`, and prints its SHA-256
//! fingerprint and the HTTPS address as a QR code, so a district without a certificate
//! authority can install it on its phones (see the README).

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Where the server's certificate comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum TlsSource {
    /// PEM files from a certificate authority (the district's or a public one).
    Files { cert: PathBuf, key: PathBuf },
    /// Made here for these host names and addresses, kept in `DATA/tls/`.
    SelfSigned { hosts: Vec<String> },
}

/// A certificate ready to serve, and what to tell the operator about it.
pub struct Tls {
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// SHA-256 of the certificate (DER), as `AB:CD:…`, to compare on the phone.
    pub fingerprint: String,
    /// The names and addresses a self-signed certificate was made for (empty for one from
    /// files: its names are the certificate authority's business).
    pub hosts: Vec<String>,
    /// A real certificate: the server may send HSTS. Never for a self-signed one, which a
    /// browser would then refuse to let the user accept.
    pub trusted: bool,
    /// The certificate file, for phones to download and install.
    pub cert_path: PathBuf,
}

const SELF_SIGNED_CERT: &str = "self-signed.crt";
const SELF_SIGNED_KEY: &str = "self-signed.key";

impl Tls {
    pub fn load(source: &TlsSource, data: &Path) -> anyhow::Result<Self> {
        match source {
            TlsSource::Files { cert, key } => {
                let cert_pem = read(cert)?;
                let key_pem = read(key)?;
                let mut tls = Self::from_pem(&cert_pem, cert, &key_pem, key, Vec::new())?;
                tls.trusted = true;
                Ok(tls)
            }
            TlsSource::SelfSigned { hosts } => {
                let (cert, key, hosts) = self_signed(data, hosts)?;
                Self::from_pem(&read(&cert)?, &cert, &read(&key)?, &key, hosts)
            }
        }
    }

    fn from_pem(
        cert_pem: &[u8],
        cert: &Path,
        key_pem: &[u8],
        key: &Path,
        hosts: Vec<String>,
    ) -> anyhow::Result<Self> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow::anyhow!("{}: not a PEM certificate: {e}", cert.display()))?;
        let Some(leaf) = chain.first() else {
            anyhow::bail!("{}: holds no certificate", cert.display());
        };
        let fingerprint = Sha256::digest(leaf.as_ref())
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":");
        let private = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|e| anyhow::anyhow!("{}: not a PEM private key: {e}", key.display()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| {
                anyhow::anyhow!(
                    "{} and {} do not make a certificate and its key: {e}",
                    cert.display(),
                    key.display()
                )
            })?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            fingerprint,
            hosts,
            trusted: false,
            cert_path: cert.to_path_buf(),
        })
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))
}

/// The self-signed certificate for `hosts`, made once: kept in `DATA/tls/` with the list of
/// hosts beside it, and made again only when the hosts asked for are not all on it.
fn self_signed(data: &Path, hosts: &[String]) -> anyhow::Result<(PathBuf, PathBuf, Vec<String>)> {
    let dir = data.join("tls");
    let (cert, key, list) = (
        dir.join(SELF_SIGNED_CERT),
        dir.join(SELF_SIGNED_KEY),
        dir.join("self-signed.hosts"),
    );
    let mut wanted: Vec<String> = hosts.to_vec();
    wanted.sort();
    wanted.dedup();
    let existing: Vec<String> = std::fs::read_to_string(&list)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default();
    if cert.exists() && key.exists() && wanted.iter().all(|h| existing.contains(h)) {
        return Ok((cert, key, existing));
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let made = rcgen::generate_simple_self_signed(wanted.clone())
        .map_err(|e| anyhow::anyhow!("cannot make a certificate for {wanted:?}: {e}"))?;
    write_private(&key, made.signing_key.serialize_pem().as_bytes())?;
    write_private(&cert, made.cert.pem().as_bytes())?;
    std::fs::write(&list, wanted.join("\n"))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", list.display()))?;
    tracing::info!(hosts = ?wanted, "made a self-signed certificate");
    Ok((cert, key, wanted))
}

/// Written beside and renamed, readable by the owner only (the key is the server's identity).
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("part");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// Every address of this machine (and `localhost`): what a self-signed certificate is for when
/// no `--host` is given.
pub fn machine_hosts() -> Vec<String> {
    let mut hosts = vec!["localhost".to_string()];
    if let Ok(interfaces) = if_addrs::get_if_addrs() {
        hosts.extend(interfaces.iter().map(|i| i.ip().to_string()));
    }
    hosts.sort();
    hosts.dedup();
    hosts
}

/// The HTTPS address as a QR code for a phone's camera, drawn with half-block characters.
pub fn qr(url: &str) -> String {
    use qrcode::render::unicode::Dense1x2;
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(e) => format!("(no QR code: {e})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_self_signed_certificate_is_made_once_for_its_hosts() {
        let data = tempfile::tempdir().unwrap();
        let hosts = vec!["patrolmap.test".to_string(), "192.0.2.10".to_string()];
        let source = TlsSource::SelfSigned {
            hosts: hosts.clone(),
        };
        let first = Tls::load(&source, data.path()).unwrap();
        let again = Tls::load(&source, data.path()).unwrap();
        assert_eq!(first.fingerprint, again.fingerprint, "kept, not made again");
        assert_eq!(first.fingerprint.len(), 32 * 3 - 1);
        assert!(!first.trusted, "no HSTS for a self-signed certificate");
        let more = TlsSource::SelfSigned {
            hosts: vec!["other.test".into()],
        };
        assert_ne!(
            Tls::load(&more, data.path()).unwrap().fingerprint,
            first.fingerprint
        );
        let key = data.path().join("tls").join(SELF_SIGNED_KEY);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn files_that_are_not_a_certificate_are_named() {
        let data = tempfile::tempdir().unwrap();
        let cert = data.path().join("c.pem");
        let key = data.path().join("k.pem");
        std::fs::write(&cert, "not a certificate").unwrap();
        std::fs::write(&key, "not a key").unwrap();
        let e = Tls::load(&TlsSource::Files { cert, key }, data.path())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("c.pem"), "{e}");
    }

    #[test]
    fn the_qr_code_is_drawn() {
        let code = qr("https://192.0.2.10:8443/");
        assert!(code.lines().count() > 10, "{code}");
    }
}
