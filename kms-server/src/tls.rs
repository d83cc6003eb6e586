//! TLS for `https://` endpoints: a certificate chain and private key from PEM files, served
//! with rustls on aws-lc-rs, HTTP/2 and HTTP/1.1 offered by ALPN.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::ServerError;

/// A TLS configuration: what a server presents to its clients.
#[derive(Clone)]
pub struct Tls {
    acceptor: TlsAcceptor,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls")
    }
}

impl Tls {
    /// Reads a PEM certificate chain (the server's certificate first) and a PEM private
    /// key (PKCS#8, PKCS#1 or SEC1).
    ///
    /// # Errors
    ///
    /// [`ServerError::Tls`] naming the file that cannot be read or parsed, or saying that
    /// the key does not fit the certificate.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, ServerError> {
        let tls_error = |message: String| ServerError::Tls { message };
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|err| {
                tls_error(format!(
                    "cannot read certificates from {}: {err}",
                    cert.display()
                ))
            })?;
        if chain.is_empty() {
            return Err(tls_error(format!("no certificate in {}", cert.display())));
        }
        let key = PrivateKeyDer::from_pem_file(key).map_err(|err| {
            // The error names the PEM problem, never the key's bytes.
            tls_error(format!(
                "cannot read a private key from {}: {err}",
                key.display()
            ))
        })?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|err| tls_error(err.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|err| tls_error(format!("the certificate and key cannot be used: {err}")))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }

    pub(crate) fn acceptor(&self) -> &TlsAcceptor {
        &self.acceptor
    }
}
