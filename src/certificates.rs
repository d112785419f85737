//! Platform certificates: download `GET /v3/certificates`, decrypt, check, and keep the
//! client's trusted set fresh (PROTOCOL.md section 4).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::auth::{PlatformKeys, normalize_serial, sanitize, verify};
use crate::client::{Client, ClientInner};
use crate::crypto::{Certificate, aes_gcm};
use crate::error::{Error, Result};

/// How often automatic mode refreshes the certificates in the background (default).
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(12 * 60 * 60);

/// The interval at which on-demand downloads (triggered by unknown serials) are allowed
/// once the burst is spent, so forged serials cannot cause a download storm (default).
pub const DEFAULT_MIN_ON_DEMAND_INTERVAL: Duration = Duration::from_secs(60);

/// How many on-demand downloads may happen back to back (the first load, a rotation soon
/// after) before the interval applies.
pub const ON_DEMAND_BURST: f64 = 3.0;

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
    encrypt_certificate: EncryptedCertificate,
}

#[derive(Deserialize)]
struct EncryptedCertificate {
    algorithm: String,
    nonce: String,
    #[serde(default)]
    associated_data: String,
    ciphertext: String,
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
    let list: CertificateList = serde_json::from_slice(body).map_err(|_| Error::CertificateDownload {
        reason: "the answer is not a certificate list".into(),
    })?;
    let mut valid = Vec::new();
    let mut expired = Vec::new();
    for entry in list.data {
        let encrypted = entry.encrypt_certificate;
        if encrypted.algorithm != crate::notify::AEAD_AES_256_GCM {
            return Err(Error::CertificateDownload {
                reason: format!("unsupported algorithm {:?}", sanitize(&encrypted.algorithm)),
            });
        }
        let plaintext = aes_gcm::decrypt(
            apiv3_key,
            encrypted.nonce.as_bytes(),
            encrypted.associated_data.as_bytes(),
            &encrypted.ciphertext,
        )?;
        let pem = String::from_utf8(plaintext).map_err(|_| Error::CertificateDownload {
            reason: "a decrypted certificate is not PEM text".into(),
        })?;
        let certificate = Certificate::parse("downloaded platform certificate", &pem)?;
        if normalize_serial(certificate.serial()) != normalize_serial(&entry.serial_no) {
            return Err(Error::CertificateDownload {
                reason: format!(
                    "entry {} holds a certificate with serial {}",
                    sanitize(&entry.serial_no),
                    certificate.serial()
                ),
            });
        }
        if certificate.is_valid_at(now) {
            valid.push(DownloadedCertificate { certificate, pem });
        } else {
            expired.push(certificate.serial().to_owned());
        }
    }
    if valid.is_empty() {
        return Err(Error::CertificateDownload {
            reason: format!("no certificate valid now ({} expired)", expired.len()),
        });
    }
    Ok((valid, expired))
}

/// The trusted platform keys of a client: the configured ones plus, in automatic mode or
/// after [`Client::refresh_certificates`], the downloaded certificates.
pub(crate) struct KeyStore {
    configured: PlatformKeys,
    current: RwLock<Arc<PlatformKeys>>,
    refresh_lock: tokio::sync::Mutex<Budgets>,
    pub(crate) auto: Option<AutoRefresh>,
    background: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    downloads: AtomicU64,
}

/// Settings of automatic certificate mode.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AutoRefresh {
    pub(crate) interval: Duration,
    pub(crate) min_on_demand_interval: Duration,
}

impl KeyStore {
    pub(crate) fn new(configured: PlatformKeys, auto: Option<AutoRefresh>) -> Self {
        Self {
            current: RwLock::new(Arc::new(configured.clone())),
            configured,
            refresh_lock: tokio::sync::Mutex::new(Budgets {
                responses: DownloadBudget::full(),
                callbacks: DownloadBudget::full(),
            }),
            auto,
            background: std::sync::Mutex::new(None),
            downloads: AtomicU64::new(0),
        }
    }

    /// A snapshot of the trusted keys.
    pub(crate) fn current(&self) -> Arc<PlatformKeys> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn install(&self, downloaded: &[DownloadedCertificate]) {
        let mut keys = self.configured.clone();
        for c in downloaded {
            keys.add_certificate(&c.certificate);
        }
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
    }
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("ids", &self.current().ids())
            .field("auto", &self.auto)
            .finish()
    }
}

impl Client {
    /// Downloads the platform certificates, decrypts them with the APIv3 key, checks each
    /// one's serial and validity, and verifies the answer's signature with the downloaded
    /// set (the bootstrap: a client needs no platform key yet). Does not change the client's
    /// trusted keys; see [`Client::refresh_certificates`].
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// let download = client.download_certificates().await?;
    /// for c in download.certificates() {
    ///     std::fs::write(format!("wechatpay_{}.pem", c.certificate().serial()), c.pem()).unwrap();
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn download_certificates(&self) -> Result<CertificateDownload> {
        let apiv3_key = self.apiv3_key()?;
        let prepared = self.chain("v3/certificates").get().prepare()?;
        self.inner.keys.downloads.fetch_add(1, Ordering::Relaxed);
        let raw = crate::transport::send_raw(self, &prepared).await?;
        if !raw.status.is_success() {
            return Err(crate::transport::api_error(raw.status, raw.headers, &raw.body));
        }
        let now = self.now();
        let (certificates, expired) = decrypt_certificate_list(&raw.body, apiv3_key, now)?;
        let mut keys = (*self.inner.keys.current()).clone();
        for c in &certificates {
            keys.add_certificate(&c.certificate);
        }
        let verified_by = verify::verify(&raw.headers, &raw.body, now, &keys)?;
        Ok(CertificateDownload {
            certificates,
            expired,
            verified_by,
        })
    }

    /// Downloads the platform certificates (as [`Client::download_certificates`]) and trusts
    /// them from now on, beside the configured keys. In automatic mode this happens by
    /// itself; call it at start-up to load eagerly.
    pub async fn refresh_certificates(&self) -> Result<CertificateDownload> {
        let _single_flight = self.inner.keys.refresh_lock.lock().await;
        let download = self.download_certificates().await?;
        self.inner.keys.install(&download.certificates);
        Ok(download)
    }

    /// How many certificate downloads this client has made (automatic ones included).
    pub fn certificate_downloads(&self) -> u64 {
        self.inner.keys.downloads.load(Ordering::Relaxed)
    }

    /// Verifies a signed answer or callback; in automatic mode, an unknown serial triggers
    /// one (rate-limited, single-flight) certificate download and a second try.
    pub(crate) async fn verify_signed(&self, headers: &http::HeaderMap, body: &[u8], asker: Asker) -> Result<String> {
        let first = verify::verify(headers, body, self.now(), &self.inner.keys.current());
        match first {
            Err(Error::UnknownPlatformKey { serial }) if self.inner.keys.auto.is_some() => {
                // When the download fails or is not allowed now, the original error says more.
                if self.refresh_on_demand(Some(&serial), asker).await.is_err() {
                    return Err(Error::UnknownPlatformKey { serial });
                }
                verify::verify(headers, body, self.now(), &self.inner.keys.current())
            }
            other => other,
        }
    }

    /// In automatic mode: loads the certificates when none is trusted yet, and starts the
    /// background refresh once.
    pub(crate) async fn ensure_platform_keys(&self) -> Result<()> {
        let store = &self.inner.keys;
        let Some(auto) = store.auto else {
            return Ok(());
        };
        {
            // Started once, and again if the runtime it ran on has gone away.
            let mut background = store.background.lock().unwrap_or_else(|e| e.into_inner());
            if background.as_ref().is_none_or(|task| task.is_finished()) {
                *background = spawn_background_refresh(Arc::downgrade(&self.inner), auto.interval);
            }
        }
        if store.current().is_empty() {
            self.refresh_on_demand(None, Asker::Response).await?;
            if store.current().is_empty() {
                // Nothing could be loaded (the download budget is spent): sending would
                // execute a request whose answer cannot be verified.
                return Err(Error::CertificateDownload {
                    reason: "no platform certificate is loaded yet; not sending a request whose answer could not be verified".into(),
                });
            }
        }
        Ok(())
    }

    /// One download at a time (callers waiting meanwhile find the key loaded), within the
    /// download budget.
    async fn refresh_on_demand(&self, serial: Option<&str>, asker: Asker) -> Result<()> {
        let store = &self.inner.keys;
        let min_interval = store
            .auto
            .map(|a| a.min_on_demand_interval)
            .unwrap_or(DEFAULT_MIN_ON_DEMAND_INTERVAL);
        let mut budgets = store.refresh_lock.lock().await;
        let satisfied = match serial {
            Some(serial) => store.current().find_at(serial, self.now()).is_some(),
            None => !store.current().is_empty(),
        };
        let budget = match asker {
            Asker::Response => &mut budgets.responses,
            Asker::Callback => &mut budgets.callbacks,
        };
        if satisfied || !budget.take(min_interval) {
            return Ok(());
        }
        let download = self.download_certificates().await?;
        store.install(&download.certificates);
        Ok(())
    }
}

/// Who needs an unknown serial looked up: an answer to one of the client's own requests, or
/// a callback, which anyone can POST to the `notify_url`. Each has its own download budget,
/// so forged callbacks cannot spend the one that a real rotation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asker {
    Response,
    Callback,
}

/// The on-demand download budgets.
pub(crate) struct Budgets {
    responses: DownloadBudget,
    callbacks: DownloadBudget,
}

/// A token bucket: [`ON_DEMAND_BURST`] downloads at once, then one per interval.
pub(crate) struct DownloadBudget {
    tokens: f64,
    updated: Instant,
}

impl DownloadBudget {
    fn full() -> Self {
        Self {
            tokens: ON_DEMAND_BURST,
            updated: Instant::now(),
        }
    }

    fn take(&mut self, interval: Duration) -> bool {
        let now = Instant::now();
        let earned = if interval.is_zero() {
            ON_DEMAND_BURST
        } else {
            now.duration_since(self.updated).as_secs_f64() / interval.as_secs_f64()
        };
        self.tokens = (self.tokens + earned).min(ON_DEMAND_BURST);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn spawn_background_refresh(inner: Weak<ClientInner>, interval: Duration) -> Option<tokio::task::JoinHandle<()>> {
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    Some(runtime.spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            let Some(inner) = inner.upgrade() else {
                return; // the client is gone
            };
            let client = Client { inner };
            // A failed refresh keeps the current keys; the next one tries again.
            let _ = client.refresh_certificates().await;
        }
    }))
}
