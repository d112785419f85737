//! Fetching the platform certificates: `GET /v3/certificates`, each entry decrypted with the
//! APIv3 key and checked (serial, validity), the answer verified with the downloaded set
//! (the bootstrap: a client needs no platform key yet). The key store asks a
//! [`CertificateFetcher`]; the default one sends the request through [`crate::wire`].

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::Deserialize;
use url::Url;

use crate::auth::signing::Signer;
use crate::auth::{PlatformKeys, normalize_serial, verify};
use crate::clock::Clock;
use crate::crypto::{ApiV3Key, Certificate};
use crate::error::{BodyError, Result};
use crate::protocol::api_error::api_error;
use crate::protocol::envelope::EncryptedResource;
use crate::text::sanitize;
use crate::wire::{Attempt, Prepared, Wire};

/// Downloads the platform certificates; the key store calls it.
pub(crate) trait CertificateFetcher: Send + Sync + 'static {
    /// Downloads, decrypts and checks the certificates. `trusted` is the store's current
    /// set: it names the key to ask the answer to be signed with, and verifies it together
    /// with the certificates downloaded.
    fn fetch<'a>(&'a self, trusted: &'a PlatformKeys) -> BoxFuture<'a, Result<CertificateDownload>>;
}

/// One certificate of a download.
#[derive(Clone)]
pub struct DownloadedCertificate {
    certificate: Certificate,
    pem: String,
}

impl fmt::Debug for DownloadedCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.certificate.fmt(f)
    }
}

impl DownloadedCertificate {
    /// The parsed certificate (serial, validity).
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The decrypted PEM text, to store for a client configured by hand.
    pub fn pem(&self) -> &str {
        &self.pem
    }
}

/// The result of a verified certificate download.
#[derive(Debug, Clone)]
pub struct CertificateDownload {
    certificates: Vec<DownloadedCertificate>,
    expired: Vec<String>,
    verified_by: String,
}

impl CertificateDownload {
    /// The certificates valid now, whose serials matched their entries.
    pub fn certificates(&self) -> &[DownloadedCertificate] {
        &self.certificates
    }

    /// Serials of certificates that were listed but are not valid now (skipped).
    pub fn expired(&self) -> &[String] {
        &self.expired
    }

    /// The certificate that verified the download's signature.
    pub fn verified_by(&self) -> &str {
        &self.verified_by
    }
}

#[derive(Deserialize)]
struct CertificateList {
    data: Vec<CertificateEntry>,
}

#[derive(Deserialize)]
struct CertificateEntry {
    serial_no: String,
    encrypt_certificate: EncryptedResource,
}

fn refused(reason: impl Into<String>) -> crate::Error {
    BodyError::CertificateDownload { reason: reason.into() }.into()
}

/// Decrypts and checks the entries of a `/v3/certificates` answer at time `now`.
///
/// Fails when an entry cannot be decrypted, does not hold a certificate, or holds one whose
/// serial differs from its `serial_no`; expired entries are skipped and reported; no valid
/// certificate left is an error.
pub(crate) fn decrypt_certificate_list(
    body: &[u8],
    apiv3_key: &[u8],
    now: i64,
) -> Result<(Vec<DownloadedCertificate>, Vec<String>)> {
    let list: CertificateList =
        serde_json::from_slice(body).map_err(|_| refused("the answer is not a certificate list"))?;
    let mut valid = Vec::new();
    let mut expired = Vec::new();
    for entry in list.data {
        let encrypted = entry.encrypt_certificate;
        if !encrypted.is_supported() {
            return Err(refused(format!(
                "unsupported algorithm {:?}",
                sanitize(&encrypted.algorithm)
            )));
        }
        let pem = String::from_utf8(encrypted.open(apiv3_key)?)
            .map_err(|_| refused("a decrypted certificate is not PEM text"))?;
        let certificate = Certificate::parse("downloaded platform certificate", &pem)?;
        if normalize_serial(certificate.serial()) != normalize_serial(&entry.serial_no) {
            return Err(refused(format!(
                "entry {} holds a certificate with serial {}",
                sanitize(&entry.serial_no),
                certificate.serial()
            )));
        }
        if certificate.is_valid_at(now) {
            valid.push(DownloadedCertificate { certificate, pem });
        } else {
            expired.push(certificate.serial().to_owned());
        }
    }
    if valid.is_empty() {
        return Err(refused(format!("no certificate valid now ({} expired)", expired.len())));
    }
    Ok((valid, expired))
}

/// Verifies a certificate list's answer with the trusted keys and the certificates it
/// carries; returns the checked download.
pub(crate) fn verified_download(
    headers: &http::HeaderMap,
    body: &[u8],
    apiv3_key: &[u8],
    now: i64,
    trusted: &PlatformKeys,
) -> Result<CertificateDownload> {
    let (certificates, expired) = decrypt_certificate_list(body, apiv3_key, now)?;
    let mut keys = trusted.clone();
    for c in &certificates {
        keys.add_certificate(&c.certificate);
    }
    let verified_by = verify::verify(headers, body, now, &keys)?;
    Ok(CertificateDownload {
        certificates,
        expired,
        verified_by,
    })
}

/// The default fetcher: a signed `GET v3/certificates` on the API host, or on the backup
/// host when the API host cannot be reached (as requests fail over).
pub(crate) struct WireFetcher {
    pub(crate) wire: Wire,
    pub(crate) signer: Arc<Signer>,
    /// `<base URL>v3/certificates`.
    pub(crate) url: Url,
    /// `<backup base URL>v3/certificates`, when failover is on.
    pub(crate) backup_url: Option<Url>,
    pub(crate) apiv3_key: ApiV3Key,
    pub(crate) clock: Arc<dyn Clock>,
}

impl WireFetcher {
    async fn download(&self, trusted: &PlatformKeys) -> Result<CertificateDownload> {
        match self.download_from(&self.url, trusted).await {
            Err(error) if error.is_connect_failure() => match &self.backup_url {
                Some(backup) => self.download_from(backup, trusted).await,
                None => Err(error),
            },
            other => other,
        }
    }

    async fn download_from(&self, url: &Url, trusted: &PlatformKeys) -> Result<CertificateDownload> {
        let prepared = Prepared::get(url.clone(), "/v3/certificates");
        let timestamp = self.clock.now();
        let answer = self
            .wire
            .exchange(Attempt {
                prepared: &prepared,
                url: &prepared.url,
                scheme: self.signer.as_ref(),
                serial: trusted.preferred_id_at(timestamp).map(str::to_owned),
                timestamp,
            })
            .await?;
        if !answer.status.is_success() {
            return Err(api_error(answer.status, answer.headers, &answer.body).into());
        }
        verified_download(
            &answer.headers,
            &answer.body,
            self.apiv3_key.bytes(),
            self.clock.now(),
            trusted,
        )
    }
}

impl CertificateFetcher for WireFetcher {
    fn fetch<'a>(&'a self, trusted: &'a PlatformKeys) -> BoxFuture<'a, Result<CertificateDownload>> {
        Box::pin(self.download(trusted))
    }
}

impl DownloadedCertificate {
    #[cfg(test)]
    pub(crate) fn for_tests(pem: &str) -> Self {
        Self {
            certificate: Certificate::from_pem(pem).expect("a test certificate"),
            pem: pem.to_owned(),
        }
    }
}

impl CertificateDownload {
    #[cfg(test)]
    pub(crate) fn for_tests(certificates: Vec<DownloadedCertificate>) -> Self {
        Self {
            certificates,
            expired: Vec::new(),
            verified_by: "test".into(),
        }
    }
}
