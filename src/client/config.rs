//! A client's configuration as the builder collects it, and the one function that checks it
//! fits together and assembles the client's parts.

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::Inner;
use crate::auth::PlatformKeys;
use crate::auth::signing::{Signer, check_mchid, check_serial};
use crate::clock::{Clock, SystemClock};
use crate::crypto::{ApiV3Key, Certificate, RsaPrivateKey};
use crate::error::{ConfigError, Error, Result};
use crate::protocol::v2::ApiV2Key;
use crate::send::Sender;
use crate::send::retry::{Retries, RetryPolicy};
use crate::trust::{AutoRefresh, CertificateFetcher, KeyStore, WireFetcher};
use crate::wire::Wire;

/// The production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com/";

/// The backup API host the Java SDK fails over to (see
/// [`ClientBuilder::failover`](crate::ClientBuilder::failover)).
pub const DEFAULT_BACKUP_BASE_URL: &str = "https://api2.wechatpay.cn/";

/// The default limit on a response body read into memory (16 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The default `User-Agent`.
pub const USER_AGENT: &str = concat!(
    "wechatpay-rust/",
    env!("CARGO_PKG_VERSION"),
    " (+https://crates.io/crates/wechatpay-chain)"
);

/// Every setting of a client, as given.
pub(crate) struct Config {
    pub(crate) mchid: Option<String>,
    pub(crate) merchant_serial: Option<String>,
    pub(crate) merchant_certificate: Option<Certificate>,
    pub(crate) private_key: Option<RsaPrivateKey>,
    /// The PEM texts of the merchant certificate and key: the TLS client identity.
    pub(crate) merchant_certificate_pem: Option<String>,
    pub(crate) private_key_pem: Option<zeroize::Zeroizing<String>>,
    pub(crate) apiv2_key: Option<zeroize::Zeroizing<String>>,
    pub(crate) root_certificates: Vec<reqwest::Certificate>,
    pub(crate) platform_keys: PlatformKeys,
    pub(crate) platform_certificates: Vec<Certificate>,
    pub(crate) apiv3_key: Option<zeroize::Zeroizing<Vec<u8>>>,
    pub(crate) auto_certificates: Option<AutoRefresh>,
    pub(crate) base_url: Url,
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) proxy: Option<reqwest::Proxy>,
    pub(crate) user_agent: String,
    pub(crate) http_client: Option<reqwest::Client>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) max_response_bytes: usize,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) backup_base_url: Option<Url>,
    pub(crate) repeat_unsent: bool,
    pub(crate) deadline: Option<Duration>,
    pub(crate) download_hosts: Vec<String>,
    #[cfg(feature = "catalog")]
    pub(crate) validation: crate::request::ValidationMode,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            mchid: None,
            merchant_serial: None,
            merchant_certificate: None,
            private_key: None,
            merchant_certificate_pem: None,
            private_key_pem: None,
            apiv2_key: None,
            root_certificates: Vec::new(),
            platform_keys: PlatformKeys::default(),
            platform_certificates: Vec::new(),
            apiv3_key: None,
            auto_certificates: None,
            base_url: Url::parse(DEFAULT_BASE_URL).expect("the default base URL is valid"),
            timeout: Some(Duration::from_secs(30)),
            connect_timeout: Some(Duration::from_secs(10)),
            proxy: None,
            user_agent: USER_AGENT.to_owned(),
            http_client: None,
            clock: Arc::new(SystemClock),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry: None,
            backup_base_url: None,
            repeat_unsent: false,
            deadline: None,
            download_hosts: Vec::new(),
            #[cfg(feature = "catalog")]
            validation: crate::request::ValidationMode::Off,
        }
    }
}

impl Config {
    /// Checks that the configuration is complete and consistent, and assembles the client's
    /// parts: the signing identity, the key store (with its certificate fetcher), the wire,
    /// the sender.
    pub(crate) fn build(self) -> Result<Inner> {
        let signer = Arc::new(self.signer()?);
        let apiv3_key = self.apiv3_key.as_ref().map(|key| ApiV3Key::new(key)).transpose()?;
        let apiv2_key = self
            .apiv2_key
            .as_ref()
            .map(|key| ApiV2Key::new(key).map(Arc::new))
            .transpose()?;
        self.check_platform_keys(apiv3_key.is_some())?;
        self.check_backup()?;
        // A caller's HTTP client is used as it is: it cannot be given the merchant
        // certificate, so it never counts as presenting one.
        let with_certificate = match &self.http_client {
            Some(_) => None,
            None => self
                .identity()?
                .map(|identity| self.http_client(Some(identity)))
                .transpose()?,
        };
        let wire = Wire::new(
            self.http_client(None)?,
            with_certificate,
            http::HeaderValue::from_str(&self.user_agent)
                .map_err(|_| Error::config("user_agent is not a valid header value"))?,
            self.max_response_bytes,
        );
        let fetcher = apiv3_key.clone().map(|apiv3_key| -> Box<dyn CertificateFetcher> {
            Box::new(WireFetcher {
                wire: wire.clone(),
                signer: signer.clone(),
                url: self
                    .base_url
                    .join("v3/certificates")
                    .expect("a base URL joins a relative path"),
                backup_url: self.backup_base_url.as_ref().map(|backup| {
                    backup
                        .join("v3/certificates")
                        .expect("a base URL joins a relative path")
                }),
                apiv3_key,
                clock: self.clock.clone(),
            })
        });
        let keys = KeyStore::new(self.platform_keys, self.clock.clone(), fetcher, self.auto_certificates);
        Ok(Inner {
            sender: Sender {
                wire,
                signer,
                keys,
                clock: self.clock,
                retries: Retries {
                    policy: self.retry,
                    base: self.base_url,
                    backup: self.backup_base_url,
                    repeat_unsent: self.repeat_unsent,
                },
                deadline: self.deadline,
                apiv2_key,
            },
            apiv3_key,
            download_hosts: self.download_hosts,
            #[cfg(feature = "catalog")]
            validation: self.validation,
        })
    }

    /// The merchant id, serial and private key, each checked; the serial defaults to the
    /// merchant certificate's, and when one is given, the serial and the key must belong to it.
    pub(super) fn signer(&self) -> Result<Signer> {
        let mchid = self.mchid.clone().ok_or_else(|| Error::config("mchid is required"))?;
        check_mchid(&mchid)?;
        let certificate = self.merchant_certificate.as_ref();
        let serial = match (&self.merchant_serial, certificate) {
            (Some(serial), _) => serial.clone(),
            (None, Some(cert)) => cert.serial().to_owned(),
            (None, None) => {
                return Err(Error::config(
                    "merchant_serial (the merchant API certificate serial) is required, or merchant_certificate, \
                     which gives it",
                ));
            }
        };
        check_serial(&serial)?;
        if let Some(cert) = certificate
            && !cert.has_serial(&serial)
        {
            return Err(Error::Config(ConfigError::MerchantSerialMismatch {
                configured: serial,
                certificate: cert.serial().to_owned(),
            }));
        }
        let key = self.private_key.clone().ok_or_else(|| {
            Error::config("the merchant private key is required (private_key_pem or private_key_file)")
        })?;
        if let Some(cert) = certificate
            && cert.public_key() != &key.public_key()
        {
            return Err(Error::key(
                "merchant private key",
                "it does not belong to the merchant certificate",
            ));
        }
        Ok(Signer::from_parts(mchid, serial.to_ascii_uppercase(), key))
    }

    /// Some way to verify answers: a platform key, or the APIv3 key to download the
    /// certificates (which automatic mode needs); platform certificates valid now.
    fn check_platform_keys(&self, has_apiv3_key: bool) -> Result<()> {
        if self.auto_certificates.is_some() && !has_apiv3_key {
            return Err(Error::config("auto_certificates() needs the APIv3 key (apiv3_key)"));
        }
        if let Some(auto) = &self.auto_certificates
            && (auto.interval.is_zero() || auto.min_on_demand_interval.is_zero())
        {
            // A zero refresh interval would spin; a zero on-demand interval would lift the
            // limit that keeps forged serials from causing a download storm.
            return Err(Error::config(
                "auto_certificates_with() needs non-zero intervals (the refresh and the on-demand limit)",
            ));
        }
        if self.platform_keys.is_empty() && !has_apiv3_key {
            return Err(Error::config(
                "no platform key: add platform_public_key(id, pem) or platform_certificate(pem), \
                 or the APIv3 key to download the certificates",
            ));
        }
        let now = self.clock.now();
        if let Some(expired) = self.platform_certificates.iter().find(|c| !c.is_valid_at(now)) {
            return Err(Error::key(
                "platform certificate",
                format!(
                    "certificate {} is not valid now (valid from {} to {}, Unix seconds)",
                    expired.serial(),
                    expired.not_before(),
                    expired.not_after()
                ),
            ));
        }
        Ok(())
    }

    /// The backup host must serve the same path: the signature covers it.
    fn check_backup(&self) -> Result<()> {
        match &self.backup_base_url {
            Some(backup) if backup.path() != self.base_url.path() => Err(Error::config(format!(
                "the backup base URL's path {:?} must be the base URL's path {:?}: the signature covers the path",
                backup.path(),
                self.base_url.path()
            ))),
            _ => Ok(()),
        }
    }

    /// The TLS client identity: the merchant certificate and its private key, when both
    /// were given as PEM.
    fn identity(&self) -> Result<Option<reqwest::Identity>> {
        let (Some(certificate), Some(key)) = (&self.merchant_certificate_pem, &self.private_key_pem) else {
            return Ok(None);
        };
        let pem = zeroize::Zeroizing::new(format!("{}\n{}", key.trim(), certificate.trim()));
        reqwest::Identity::from_pem(pem.as_bytes()).map(Some).map_err(|e| {
            Error::key(
                "merchant certificate",
                format!("unusable as a TLS client identity: {e}"),
            )
        })
    }

    /// The caller's HTTP client, or one that never follows redirects (a redirected request
    /// would carry the merchant's signature to another URL), presenting `identity` on TLS
    /// connections when given.
    fn http_client(&self, identity: Option<reqwest::Identity>) -> Result<reqwest::Client> {
        if let Some(client) = &self.http_client {
            return Ok(client.clone());
        }
        let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        for root in &self.root_certificates {
            b = b.add_root_certificate(root.clone());
        }
        if let Some(identity) = identity {
            b = b.identity(identity);
        }
        if let Some(t) = self.timeout {
            b = b.timeout(t);
        }
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(t);
        }
        if let Some(p) = &self.proxy {
            b = b.proxy(p.clone());
        }
        b.build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))
    }
}

/// An http(s) URL with a host, no query or fragment, its path ending in `/`.
pub(crate) fn parse_base_url(text: &str) -> Result<Url> {
    let mut url = Url::parse(text).map_err(|e| Error::config(format!("invalid base URL {text:?}: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(Error::config(format!(
            "base URL must be an http(s) URL with a host, got {url}"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config("base URL must not have a query or fragment"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}
