//! The mock's TLS mode: its server certificate, and the client certificates it accepts.
//!
//! The server presents [`keys::SANDBOX_SERVER_CERTIFICATE`] (for `127.0.0.1` and
//! `localhost`, issued by [`keys::SANDBOX_CA`]) and asks every client for a certificate:
//! one issued by the sandbox CA for client authentication is accepted, any other fails the
//! handshake, and none at all is allowed (the APIv2 operations that need one then refuse
//! the call, as the platform does). Only HTTP/1.1 is offered.

use std::io;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::server::{ServerConfig, WebPkiClientVerifier};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use super::keys;

/// The acceptor for the TLS mode's connections.
pub(crate) fn acceptor() -> io::Result<TlsAcceptor> {
    Ok(TlsAcceptor::from(Arc::new(server_config()?)))
}

fn server_config() -> io::Result<ServerConfig> {
    // The provider reqwest already builds: no other cryptography library for TLS.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(certificate(keys::SANDBOX_CA)?).map_err(io::Error::other)?;
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .map_err(io::Error::other)?;
    let key = PrivateKeyDer::from_pem_slice(keys::SANDBOX_SERVER_PRIVATE_KEY.as_bytes()).map_err(io::Error::other)?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![certificate(keys::SANDBOX_SERVER_CERTIFICATE)?], key)
        .map_err(io::Error::other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn certificate(pem: &str) -> io::Result<CertificateDer<'static>> {
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixtures_make_a_server_configuration() {
        let config = server_config().unwrap();
        assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
    }

    #[test]
    fn the_sandbox_ca_issued_the_merchant_and_server_certificates_but_not_the_other_one() {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = RootCertStore::empty();
        roots.add(certificate(keys::SANDBOX_CA).unwrap()).unwrap();
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .unwrap();
        let now = rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_800_000_000));
        let merchant = certificate(keys::MERCHANT_CERTIFICATE).unwrap();
        assert!(verifier.verify_client_cert(&merchant, &[], now).is_ok());
        let other = certificate(keys::OTHER_CA_CLIENT_CERTIFICATE).unwrap();
        assert!(verifier.verify_client_cert(&other, &[], now).is_err());
        // The server certificate is for server authentication only.
        let server = certificate(keys::SANDBOX_SERVER_CERTIFICATE).unwrap();
        assert!(verifier.verify_client_cert(&server, &[], now).is_err());
    }
}
