//! The key store: the platform keys a client trusts (the configured ones plus, after a
//! download, the platform certificates), as snapshots that readers take without waiting; a
//! verification that, in automatic mode, downloads the certificates once when an answer
//! names an unknown serial; and the refresh that installs a new set.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use http::HeaderMap;

use super::background;
use super::budget::{Asker, Budgets};
use super::fetch::{CertificateDownload, CertificateFetcher};
use crate::auth::{PlatformKeys, verify};
use crate::clock::Clock;
use crate::error::{BodyError, ConfigError, Error, Result, VerificationError};

/// How often automatic mode refreshes the certificates in the background (default).
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(12 * 60 * 60);

/// The interval at which on-demand downloads (triggered by unknown serials) are allowed
/// once the burst is spent, so forged serials cannot cause a download storm (default).
pub const DEFAULT_MIN_ON_DEMAND_INTERVAL: Duration = Duration::from_secs(60);

/// Settings of automatic certificate mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AutoRefresh {
    /// Between background refreshes.
    pub(crate) interval: Duration,
    /// Between on-demand downloads, once the burst is spent.
    pub(crate) min_on_demand_interval: Duration,
}

/// The trusted platform keys of a client.
pub(crate) struct KeyStore {
    configured: PlatformKeys,
    current: RwLock<Arc<PlatformKeys>>,
    clock: Arc<dyn Clock>,
    /// Downloads the certificates (present when the APIv3 key is configured).
    fetcher: Option<Box<dyn CertificateFetcher>>,
    auto: Option<AutoRefresh>,
    /// Held during a download: one at a time, and the on-demand budgets with it.
    refreshing: tokio::sync::Mutex<Budgets>,
    background: Mutex<Option<tokio::task::JoinHandle<()>>>,
    downloads: AtomicU64,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("ids", &self.current().ids())
            .field("auto", &self.auto)
            .finish_non_exhaustive()
    }
}

impl KeyStore {
    pub(crate) fn new(
        configured: PlatformKeys,
        clock: Arc<dyn Clock>,
        fetcher: Option<Box<dyn CertificateFetcher>>,
        auto: Option<AutoRefresh>,
    ) -> Arc<Self> {
        Arc::new(Self {
            current: RwLock::new(Arc::new(configured.clone())),
            configured,
            clock,
            fetcher,
            auto,
            refreshing: tokio::sync::Mutex::new(Budgets::full()),
            background: Mutex::new(None),
            downloads: AtomicU64::new(0),
        })
    }

    /// A snapshot of the trusted keys.
    pub(crate) fn current(&self) -> Arc<PlatformKeys> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The store's clock, Unix seconds.
    pub(crate) fn now(&self) -> i64 {
        self.clock.now()
    }

    /// How many certificate downloads were made (automatic ones included).
    pub(crate) fn downloads(&self) -> u64 {
        self.downloads.load(Ordering::Relaxed)
    }

    /// Trusts the configured keys plus these certificates from now on.
    fn install(&self, download: &CertificateDownload) {
        let mut keys = self.configured.clone();
        for c in download.certificates() {
            keys.add_certificate(c.certificate());
        }
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
    }

    /// Downloads and checks the certificates without trusting them.
    pub(crate) async fn download(&self) -> Result<CertificateDownload> {
        let fetcher = self
            .fetcher
            .as_ref()
            .ok_or(Error::Config(ConfigError::MissingApiV3Key))?;
        self.downloads.fetch_add(1, Ordering::Relaxed);
        let download = fetcher.fetch(&self.current()).await;
        if let Err(error) = &download {
            // The keys trusted so far stay; a wrong APIv3 key or an endpoint that keeps
            // failing would otherwise show only when answers stop verifying. The error's
            // text from the network is escaped; it holds no key.
            tracing::warn!(error = %error, "platform certificate download failed; the keys trusted so far stay");
        }
        download
    }

    /// Downloads the certificates and trusts them, one download at a time.
    pub(crate) async fn refresh(&self) -> Result<CertificateDownload> {
        let _one_at_a_time = self.refreshing.lock().await;
        let download = self.download().await?;
        self.install(&download);
        Ok(download)
    }

    /// Verifies a signed answer or callback; in automatic mode, an unknown serial triggers
    /// one (rate-limited, single-flight) download and a second try.
    pub(crate) async fn verify(&self, headers: &HeaderMap, body: &[u8], asker: Asker) -> Result<String> {
        match verify::verify(headers, body, self.now(), &self.current()) {
            Err(Error::Verification(VerificationError::UnknownPlatformKey { serial })) if self.auto.is_some() => {
                // When the download fails or is not allowed now, the original error says more.
                if self.refresh_on_demand(Some(&serial), asker).await.is_err() {
                    return Err(VerificationError::UnknownPlatformKey { serial }.into());
                }
                verify::verify(headers, body, self.now(), &self.current())
            }
            other => other,
        }
    }

    /// In automatic mode: starts the background refresh (once, and again if the runtime it
    /// ran on has gone away), and loads the certificates when none is trusted yet.
    pub(crate) async fn ensure_loaded(self: &Arc<Self>) -> Result<()> {
        let Some(auto) = self.auto else {
            return Ok(());
        };
        {
            let mut task = self.background.lock().unwrap_or_else(|e| e.into_inner());
            if task.as_ref().is_none_or(|t| t.is_finished()) {
                *task = background::spawn(Arc::downgrade(self), auto.interval);
            }
        }
        if !self.has_usable_key() {
            self.refresh_on_demand(None, Asker::Response).await?;
            if !self.has_usable_key() {
                // Nothing usable could be loaded (none yet, or all expired, and the download
                // budget is spent): sending would execute a request whose answer cannot be
                // verified.
                return Err(BodyError::CertificateDownload {
                    reason: "no platform certificate valid now is loaded; not sending a request whose answer could not be verified".into(),
                }
                .into());
            }
        }
        Ok(())
    }

    /// Whether a key usable now (a public key, or a certificate within its validity) is
    /// trusted.
    fn has_usable_key(&self) -> bool {
        self.current().preferred_id_at(self.now()).is_some()
    }

    /// One download at a time (callers waiting meanwhile find the key loaded), within the
    /// asker's download budget.
    async fn refresh_on_demand(&self, serial: Option<&str>, asker: Asker) -> Result<()> {
        let interval = self
            .auto
            .map_or(DEFAULT_MIN_ON_DEMAND_INTERVAL, |a| a.min_on_demand_interval);
        let mut budgets = self.refreshing.lock().await;
        let satisfied = match serial {
            Some(serial) => self.current().find_at(serial, self.now()).is_some(),
            None => self.has_usable_key(),
        };
        if satisfied || !budgets.take(asker, interval) {
            return Ok(());
        }
        let download = self.download().await?;
        self.install(&download);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use futures_util::future::BoxFuture;

    use super::*;
    use crate::clock::FixedClock;
    use crate::trust::fetch::DownloadedCertificate;

    const CERTIFICATE: &str = include_str!("../mock/keys/platform_cert.pem");
    const NOW: i64 = 1_719_128_975;

    /// A fetcher that counts its calls and succeeds (with the mock's certificate) or fails.
    struct Counting {
        calls: Arc<AtomicUsize>,
        fail: bool,
    }

    impl CertificateFetcher for Counting {
        fn fetch<'a>(&'a self, _: &'a PlatformKeys) -> BoxFuture<'a, Result<CertificateDownload>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let result = if self.fail {
                Err(Error::Crypto("the test fetcher fails"))
            } else {
                Ok(CertificateDownload::for_tests(vec![DownloadedCertificate::for_tests(
                    CERTIFICATE,
                )]))
            };
            Box::pin(async move { result })
        }
    }

    fn store(fail: bool, auto: bool) -> (Arc<KeyStore>, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let fetcher = Counting {
            calls: calls.clone(),
            fail,
        };
        let auto = auto.then_some(AutoRefresh {
            interval: Duration::from_secs(3600),
            min_on_demand_interval: Duration::from_secs(3600),
        });
        let store = KeyStore::new(
            PlatformKeys::default(),
            Arc::new(FixedClock(NOW)),
            Some(Box::new(fetcher)),
            auto,
        );
        (store, calls)
    }

    fn unknown_serial() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(verify::TIMESTAMP, NOW.to_string().parse().unwrap());
        h.insert(verify::NONCE, "n".parse().unwrap());
        h.insert(verify::SIGNATURE, "AAAA".parse().unwrap());
        h.insert(
            verify::SERIAL,
            "7132D72A03E93CDDF8C03BBD1F37EEDF1A6F2B70".parse().unwrap(),
        );
        h
    }

    #[tokio::test]
    async fn refresh_installs_the_downloaded_certificates_beside_the_configured_keys() {
        let (store, calls) = store(false, false);
        assert!(store.current().is_empty());
        store.refresh().await.unwrap();
        assert!(store.current().contains("5157F09EFDC096DE15EBE81A47057A7232F1B8E1"));
        assert_eq!((calls.load(Ordering::SeqCst), store.downloads()), (1, 1));
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_the_current_keys() {
        let (store, _) = store(true, false);
        assert!(store.refresh().await.is_err());
        assert!(store.current().is_empty());
    }

    #[tokio::test]
    async fn without_a_fetcher_a_download_needs_the_apiv3_key() {
        let store = KeyStore::new(PlatformKeys::default(), Arc::new(FixedClock(NOW)), None, None);
        assert!(matches!(
            store.download().await,
            Err(Error::Config(ConfigError::MissingApiV3Key))
        ));
    }

    #[tokio::test]
    async fn unknown_serials_download_at_most_the_burst_then_report_the_serial() {
        let (store, calls) = store(true, true);
        for _ in 0..20 {
            match store.verify(&unknown_serial(), b"", Asker::Response).await {
                Err(Error::Verification(VerificationError::UnknownPlatformKey { .. })) => {}
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3, "the burst, then the interval");
        for _ in 0..20 {
            let _ = store.verify(&unknown_serial(), b"", Asker::Callback).await;
        }
        assert_eq!(calls.load(Ordering::SeqCst), 6, "callbacks have a budget of their own");
    }

    #[tokio::test]
    async fn outside_automatic_mode_an_unknown_serial_downloads_nothing() {
        let (store, calls) = store(false, false);
        assert!(store.verify(&unknown_serial(), b"", Asker::Response).await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn ensure_loaded_loads_once_then_uses_the_loaded_keys() {
        let (store, calls) = store(false, true);
        store.ensure_loaded().await.unwrap();
        store.ensure_loaded().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(!store.current().is_empty());
    }

    #[tokio::test]
    async fn ensure_loaded_refuses_to_send_when_nothing_could_be_loaded() {
        let (store, _) = store(true, true);
        assert!(store.ensure_loaded().await.is_err());
    }
}
