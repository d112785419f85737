//! The client builder: setters that record one [`Config`], and `build()`, which checks it
//! once. The same builder serves the async client and, through
//! [`blocking`](ClientBuilder::blocking), the blocking one.

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::Client;
use super::config::{self, Config, DEFAULT_BACKUP_BASE_URL};
use crate::clock::Clock;
use crate::crypto::{Certificate, RsaPrivateKey};
use crate::env;
use crate::error::{Error, Result};
use crate::send::retry::RetryPolicy;
use crate::trust::{AutoRefresh, DEFAULT_MIN_ON_DEMAND_INTERVAL, DEFAULT_REFRESH_INTERVAL};

/// Marker for a builder that yields the async [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Async;

/// Configures a [`Client`] (or, through [`crate::blocking::Client::builder`], a blocking
/// one). Keys are parsed and checked when they are given; `build()` checks that the whole
/// configuration fits together.
///
/// ```
/// use wechatpay::mock::{keys, MCHID, MERCHANT_SERIAL, PLATFORM_PUBLIC_KEY_ID};
/// let client = wechatpay::Client::builder()
///     .mchid(MCHID)
///     .merchant_serial(MERCHANT_SERIAL)
///     .private_key_pem(keys::MERCHANT_PRIVATE_KEY)?
///     .platform_public_key(PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY)?
///     .timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// assert_eq!(client.preferred_platform_key().as_deref(), Some(PLATFORM_PUBLIC_KEY_ID));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub struct ClientBuilder<F = Async> {
    config: Config,
    flavor: PhantomData<F>,
}

impl<F> fmt::Debug for ClientBuilder<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        f.debug_struct("ClientBuilder")
            .field("mchid", &c.mchid)
            .field(
                "merchant_serial",
                &c.merchant_serial
                    .as_deref()
                    .or(c.merchant_certificate.as_ref().map(Certificate::serial)),
            )
            .field("private_key", &c.private_key.as_ref().map(|_| "<redacted>"))
            .field("platform_keys", &c.platform_keys.ids())
            .field("apiv3_key", &c.apiv3_key.as_ref().map(|_| "<redacted>"))
            .field("apiv2_key", &c.apiv2_key.as_ref().map(|_| "<redacted>"))
            .field("auto_certificates", &c.auto_certificates)
            .field("base_url", &c.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl<F> ClientBuilder<F> {
    pub(crate) fn new() -> Self {
        Self {
            config: Config::default(),
            flavor: PhantomData,
        }
    }

    /// A builder preset from the environment (see [`Client::from_env`]). A variable that
    /// is set but empty counts as unset.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`](crate::error::ConfigError::Invalid) naming a required
    /// variable that is not set; the errors of the setters the variables feed (a file that
    /// cannot be read, a key or certificate that does not parse, a malformed base URL).
    pub fn from_env() -> Result<Self> {
        Self::from_vars(env::var)
    }

    /// [`Self::from_env`] with the variables looked up by `var` (tests give a map).
    pub(crate) fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let required =
            |name: &str| var(name).ok_or_else(|| Error::config(format!("environment variable {name} is not set")));
        let mut builder = Self::new()
            .mchid(required(env::MCHID)?)
            .private_key_file(required(env::PRIVATE_KEY)?)?;
        if let Some(path) = var(env::MERCHANT_CERTIFICATE) {
            builder = builder.merchant_certificate_file(path)?;
        }
        match var(env::MERCHANT_SERIAL) {
            Some(serial) => builder = builder.merchant_serial(serial),
            None if builder.config.merchant_certificate.is_none() => {
                return Err(Error::config(format!(
                    "environment variable {} is not set (nor {}, which gives it)",
                    env::MERCHANT_SERIAL,
                    env::MERCHANT_CERTIFICATE
                )));
            }
            None => {}
        }
        if let Some(id) = var(env::PUBLIC_KEY_ID) {
            builder = builder.platform_public_key_file(&id, required(env::PUBLIC_KEY)?)?;
        }
        if let Some(dir) = var(env::CERTIFICATES) {
            builder = builder.platform_certificates_dir(dir)?;
        }
        if let Some(key) = var(env::APIV3_KEY) {
            builder = builder.apiv3_key(zeroize::Zeroizing::new(key).as_bytes());
        }
        if let Some(key) = var(env::APIV2_KEY) {
            builder = builder.apiv2_key(key);
        }
        if let Some(path) = var(env::CA_CERTIFICATE) {
            builder = builder.add_root_certificate_file(path)?;
        }
        if let Some(url) = var(env::BASE_URL) {
            builder = builder.base_url(&url)?;
        }
        Ok(builder)
    }

    /// The merchant id (`mchid`), decimal digits.
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.config.mchid = Some(mchid.into());
        self
    }

    /// The serial number of the merchant API certificate (hex, as the merchant portal shows it).
    pub fn merchant_serial(mut self, serial: impl Into<String>) -> Self {
        self.config.merchant_serial = Some(serial.into());
        self
    }

    /// The merchant API certificate (`apiclient_cert.pem`). The merchant serial defaults to
    /// its serial; a [`merchant_serial`](Self::merchant_serial) given besides must be the
    /// same (compared without case or leading zeros), and `build()` checks that the private
    /// key belongs to the certificate. With the private key, it is also the client
    /// certificate the APIv2 operations that need one present on the TLS connection (mutual
    /// TLS).
    ///
    /// ```
    /// use wechatpay::mock::{keys, MCHID, MERCHANT_SERIAL, PLATFORM_PUBLIC_KEY_ID};
    /// let client = wechatpay::Client::builder()
    ///     .mchid(MCHID)
    ///     .merchant_certificate(keys::MERCHANT_CERTIFICATE)?
    ///     .private_key_pem(keys::MERCHANT_PRIVATE_KEY)?
    ///     .platform_public_key(PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY)?
    ///     .build()?;
    /// assert_eq!(client.signer().serial(), MERCHANT_SERIAL);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn merchant_certificate(mut self, pem: &str) -> Result<Self> {
        let cert = Certificate::parse("merchant certificate", pem)?;
        self.config.merchant_certificate = Some(cert);
        self.config.merchant_certificate_pem = Some(pem.to_owned());
        Ok(self)
    }

    /// The merchant API certificate from a PEM file (`apiclient_cert.pem`); see
    /// [`Self::merchant_certificate`].
    pub fn merchant_certificate_file(self, path: impl AsRef<Path>) -> Result<Self> {
        let pem = read_file("merchant certificate", path)?;
        self.merchant_certificate(&pem)
    }

    /// The merchant API certificate and private key from a PKCS#12 file's bytes
    /// (`apiclient_cert.p12`; the portal's password is the merchant id): the same as
    /// [`Self::private_key_pem`] and [`Self::merchant_certificate`] with what it holds.
    /// Feature `pkcs12`.
    ///
    /// ```no_run
    /// let builder = wechatpay::Client::builder()
    ///     .mchid("1900000001")
    ///     .merchant_pkcs12(&std::fs::read("apiclient_cert.p12")?, "1900000001")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "pkcs12")]
    pub fn merchant_pkcs12(self, der: &[u8], password: &str) -> Result<Self> {
        let identity = crate::crypto::pkcs12::read(der, password)?;
        self.private_key_pem(&identity.private_key_pem)?
            .merchant_certificate(&identity.certificate_pem)
    }

    /// [`Self::merchant_pkcs12`] from a file. Feature `pkcs12`.
    #[cfg(feature = "pkcs12")]
    pub fn merchant_pkcs12_file(self, path: impl AsRef<Path>, password: &str) -> Result<Self> {
        let path = path.as_ref();
        let der = zeroize::Zeroizing::new(
            std::fs::read(path)
                .map_err(|e| Error::key("merchant PKCS#12 file", format!("cannot read {}: {e}", path.display())))?,
        );
        self.merchant_pkcs12(&der, password)
    }

    /// The merchant API private key as PEM text (PKCS#8 `PRIVATE KEY` or PKCS#1
    /// `RSA PRIVATE KEY`).
    pub fn private_key_pem(mut self, pem: &str) -> Result<Self> {
        self.config.private_key = Some(RsaPrivateKey::from_pem(pem)?);
        self.config.private_key_pem = Some(zeroize::Zeroizing::new(pem.to_owned()));
        Ok(self)
    }

    /// The APIv2 key (32 characters, set in the merchant portal): signs and verifies the
    /// `v2/...` requests and v2 callbacks. Checked at `build()`, wiped when the client is
    /// dropped, never shown.
    pub fn apiv2_key(mut self, key: impl Into<String>) -> Self {
        self.config.apiv2_key = Some(zeroize::Zeroizing::new(key.into()));
        self
    }

    /// Trusts this CA certificate (PEM; a bundle of several is fine) for the API host's TLS
    /// certificate, besides the system's roots: for a sandbox or an inspecting proxy of your
    /// own. Text that holds no valid `CERTIFICATE` block is refused.
    pub fn add_root_certificate(mut self, pem: &str) -> Result<Self> {
        const WHAT: &str = "root certificate";
        crate::crypto::check_certificate_bundle(WHAT, pem)?;
        let certificates =
            reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| Error::key(WHAT, e.to_string()))?;
        self.config.root_certificates.extend(certificates);
        Ok(self)
    }

    /// Trusts the CA certificate(s) of a PEM file; see [`Self::add_root_certificate`].
    pub fn add_root_certificate_file(self, path: impl AsRef<Path>) -> Result<Self> {
        let pem = read_file("root certificate", path)?;
        self.add_root_certificate(&pem)
    }

    /// The merchant API private key from a PEM file (`apiclient_key.pem`).
    pub fn private_key_file(self, path: impl AsRef<Path>) -> Result<Self> {
        let pem = zeroize::Zeroizing::new(read_file("merchant private key", path)?);
        self.private_key_pem(&pem)
    }

    /// A platform public key (SPKI or PKCS#1 PEM) and its id `PUB_KEY_ID_...`. Repeatable,
    /// and combinable with platform certificates during a migration.
    pub fn platform_public_key(mut self, id: &str, pem: &str) -> Result<Self> {
        self.config.platform_keys.add_public_key(id, pem)?;
        Ok(self)
    }

    /// A platform public key from a PEM file and its id `PUB_KEY_ID_...`; see
    /// [`Self::platform_public_key`].
    ///
    /// ```no_run
    /// let builder = wechatpay::Client::builder()
    ///     .platform_public_key_file("PUB_KEY_ID_0114232134912410000000000000", "pub_key.pem")?;
    /// # Ok::<(), wechatpay::Error>(())
    /// ```
    pub fn platform_public_key_file(self, id: &str, path: impl AsRef<Path>) -> Result<Self> {
        let pem = read_file("platform public key", path)?;
        self.platform_public_key(id, &pem)
    }

    /// A platform certificate (PEM); its serial is read from the certificate. Repeatable.
    pub fn platform_certificate(mut self, pem: &str) -> Result<Self> {
        let cert = Certificate::parse("platform certificate", pem)?;
        self.config.platform_keys.add_certificate(&cert);
        self.config.platform_certificates.push(cert);
        Ok(self)
    }

    /// The APIv3 key (32 ASCII bytes, set in the merchant portal): decrypts callbacks and
    /// downloaded certificates. Checked at `build()`.
    pub fn apiv3_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.config.apiv3_key = Some(zeroize::Zeroizing::new(key.as_ref().to_vec()));
        self
    }

    /// Automatic platform certificates (needs the APIv3 key): they are downloaded before the
    /// first request when no platform key is trusted yet, refreshed in the background every
    /// 12 hours, and on demand when an answer or callback names an unknown serial (one
    /// download at a time; three back to back at most, then one a minute, so forged
    /// serials cannot cause a download storm).
    /// Configured platform keys stay trusted beside the downloaded ones.
    pub fn auto_certificates(self) -> Self {
        self.auto_certificates_with(DEFAULT_REFRESH_INTERVAL, DEFAULT_MIN_ON_DEMAND_INTERVAL)
    }

    /// [`Self::auto_certificates`] with a chosen background interval and minimum interval
    /// between on-demand downloads.
    pub fn auto_certificates_with(mut self, refresh_interval: Duration, min_on_demand_interval: Duration) -> Self {
        self.config.auto_certificates = Some(AutoRefresh {
            interval: refresh_interval,
            min_on_demand_interval,
        });
        self
    }

    /// Every platform certificate (`*.pem`) in a folder, such as the one
    /// `wechatpay certificates download --output DIR` writes.
    pub fn platform_certificates_dir(mut self, dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::key(
                "platform certificate",
                format!("cannot read folder {}: {e}", dir.display()),
            )
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "pem"))
            .collect();
        paths.sort();
        for path in paths {
            self = self.platform_certificate(&read_file("platform certificate", &path)?)?;
        }
        Ok(self)
    }

    /// The API base URL (default [`DEFAULT_BASE_URL`](crate::DEFAULT_BASE_URL)); `http` is accepted for local mocks.
    pub fn base_url(mut self, url: &str) -> Result<Self> {
        self.config.base_url = config::parse_base_url(url)?;
        Ok(self)
    }

    /// Total time allowed for one request, from sending to the last byte of the answer
    /// (default 30 s). A request's own `.timeout()` overrides it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = Some(timeout);
        self
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = Some(timeout);
        self
    }

    /// Sends every request through this proxy.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.config.proxy = Some(proxy);
        self
    }

    /// Replaces the default `User-Agent` ([`USER_AGENT`](crate::USER_AGENT)).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.config.user_agent = user_agent.into();
        self
    }

    /// Uses this `reqwest::Client` instead of building one. The timeouts, proxy and root
    /// certificates set on this builder are then ignored, and the given client should not
    /// follow redirects (`reqwest::redirect::Policy::none()`): a redirected request would
    /// carry the merchant's signature to another URL. The merchant certificate is not added
    /// to it either, so the APIv2 operations that need the client certificate fail with
    /// [`ConfigError::MissingClientCertificate`](crate::error::ConfigError::MissingClientCertificate)
    /// before anything is sent, unless the request says
    /// [`client_certificate(false)`](crate::RequestBuilder::client_certificate) (for a client
    /// that presents the certificate itself).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.config.http_client = Some(client);
        self
    }

    /// The clock used to stamp requests and check answers (default: the system clock).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.config.clock = Arc::new(clock);
        self
    }

    /// Retries failed requests that may be repeated; see [`RetryPolicy`] for which failures
    /// and which requests. Off by default.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = Some(policy);
        self
    }

    /// After a connection failure on the API host (never after an answer), sends a request
    /// that may be repeated once more to the backup host [`DEFAULT_BACKUP_BASE_URL`], and
    /// its further retries there too. Off by default.
    pub fn failover(self) -> Self {
        self.failover_to(DEFAULT_BACKUP_BASE_URL)
            .expect("the default backup URL is valid")
    }

    /// [`Self::failover`] to a chosen backup base URL (its path must match the base URL's).
    pub fn failover_to(mut self, url: &str) -> Result<Self> {
        self.config.backup_base_url = Some(config::parse_base_url(url)?);
        Ok(self)
    }

    /// Lets [`Self::retry`] and [`Self::failover`] repeat any request, a `POST` not marked
    /// [`idempotent()`](crate::RequestBuilder::idempotent) included, when its attempt failed
    /// to connect: refused, unreachable, a connect timeout, a failed TLS handshake or proxy
    /// tunnel. None of the request reached the platform then, so it cannot be executed
    /// twice. Any failure after the connection was made still ends such a request. Off by
    /// default: only requests that may be repeated are.
    ///
    /// ```
    /// # fn f() -> wechatpay::Result<()> {
    /// let builder = wechatpay::Client::builder().failover().repeat_unsent();
    /// # Ok(()) }
    /// ```
    pub fn repeat_unsent(mut self) -> Self {
        self.config.repeat_unsent = true;
        self
    }

    /// The total time allowed for a request, retries and waits included (default: none;
    /// each attempt still has the [`Self::timeout`]).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.config.deadline = Some(deadline);
        self
    }

    /// Lets [`Client::bill`] and [`Client::download_url`] send signed requests to this
    /// host too (by default only the API host receives the merchant's signature).
    pub fn allow_download_host(mut self, host: impl Into<String>) -> Self {
        self.config.download_hosts.push(host.into());
        self
    }

    /// The largest response body read into memory (default [`DEFAULT_MAX_RESPONSE_BYTES`](crate::DEFAULT_MAX_RESPONSE_BYTES)).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.config.max_response_bytes = limit;
        self
    }

    /// Checks every request against the operation catalogue before it is signed: `Off` (the
    /// default), `Warn` (a `tracing` warning per rule broken) or `Refuse` (an error, nothing
    /// sent). An operation missing from the catalogue is never refused.
    ///
    /// ```
    /// use wechatpay::ValidationMode;
    /// let mock = wechatpay::mock::MockServer::start();
    /// let client = mock.client_builder().validate_requests(ValidationMode::Refuse).build()?;
    /// # Ok::<(), wechatpay::Error>(())
    /// ```
    #[cfg(feature = "catalog")]
    pub fn validate_requests(mut self, mode: crate::request::ValidationMode) -> Self {
        self.config.validation = mode;
        self
    }

    /// The merchant's signing identity these settings make, checked as `build()` checks it:
    /// the merchant id, the serial (defaulting to the merchant certificate's), the private
    /// key, and that the serial and key belong to the merchant certificate when one is
    /// given. Nothing else is needed: for signing payment parameters or checking a
    /// configuration without platform keys.
    ///
    /// ```
    /// use wechatpay::mock::{keys, MCHID, MERCHANT_SERIAL};
    /// let signer = wechatpay::Client::builder()
    ///     .mchid(MCHID)
    ///     .merchant_certificate(keys::MERCHANT_CERTIFICATE)?
    ///     .private_key_pem(keys::MERCHANT_PRIVATE_KEY)?
    ///     .signer()?;
    /// assert_eq!(signer.serial(), MERCHANT_SERIAL);
    /// # Ok::<(), wechatpay::Error>(())
    /// ```
    pub fn signer(&self) -> Result<crate::auth::signing::Signer> {
        self.config.signer()
    }

    /// Checks the configuration and builds the async client.
    pub(crate) fn build_async(self) -> Result<Client> {
        Ok(Client::from_inner(self.config.build()?))
    }

    /// The same configuration, for the other flavour of client.
    pub(crate) fn into_flavor<G>(self) -> ClientBuilder<G> {
        ClientBuilder {
            config: self.config,
            flavor: PhantomData,
        }
    }
}

impl ClientBuilder<Async> {
    /// Checks that the configuration is complete and consistent and builds the client.
    pub fn build(self) -> Result<Client> {
        self.build_async()
    }
}

fn read_file(what: &'static str, path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    std::fs::read_to_string(path).map_err(|e| Error::key(what, format!("cannot read {}: {e}", path.display())))
}

#[cfg(all(test, feature = "mock"))]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::error::ConfigError;
    use crate::mock::{APIV2_KEY, MCHID, MERCHANT_SERIAL, PLATFORM_PUBLIC_KEY_ID};

    const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/mock/keys/");

    /// The variables of a sandbox's env.sh, less the serial, with `changes` applied
    /// (an empty value removes the variable).
    fn from(changes: &[(&str, &str)]) -> Result<ClientBuilder<Async>> {
        let mut vars: HashMap<String, String> = [
            (env::MCHID, MCHID.to_owned()),
            (env::PRIVATE_KEY, format!("{KEYS}merchant_key.pem")),
            (env::MERCHANT_CERTIFICATE, format!("{KEYS}merchant_cert.pem")),
            (env::PUBLIC_KEY_ID, PLATFORM_PUBLIC_KEY_ID.to_owned()),
            (env::PUBLIC_KEY, format!("{KEYS}platform_public_key.pem")),
            (env::APIV2_KEY, APIV2_KEY.to_owned()),
            (env::CA_CERTIFICATE, format!("{KEYS}sandbox_ca.pem")),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
        for (name, value) in changes {
            vars.insert((*name).to_owned(), (*value).to_owned());
        }
        ClientBuilder::from_vars(|name| vars.get(name).filter(|v| !v.is_empty()).cloned())
    }

    #[test]
    fn the_merchant_certificate_gives_the_serial_and_the_new_variables_are_read() {
        let builder = from(&[]).unwrap();
        assert!(builder.config.apiv2_key.is_some());
        assert!(builder.config.merchant_certificate_pem.is_some());
        assert_eq!(builder.config.root_certificates.len(), 1);
        assert!(!format!("{builder:?}").contains(APIV2_KEY));
        let client = builder.build().unwrap();
        assert_eq!(client.signer().serial(), MERCHANT_SERIAL);

        let lower = MERCHANT_SERIAL.to_ascii_lowercase();
        let client = from(&[(env::MERCHANT_SERIAL, &lower)]).unwrap().build().unwrap();
        assert_eq!(
            client.signer().serial(),
            MERCHANT_SERIAL,
            "compared and sent without case"
        );
    }

    #[test]
    fn without_a_certificate_the_serial_is_required() {
        let err = from(&[(env::MERCHANT_CERTIFICATE, "")]).unwrap_err().to_string();
        assert!(
            err.contains(env::MERCHANT_SERIAL) && err.contains(env::MERCHANT_CERTIFICATE),
            "{err}"
        );
        let builder = from(&[(env::MERCHANT_CERTIFICATE, ""), (env::MERCHANT_SERIAL, MERCHANT_SERIAL)]).unwrap();
        assert!(builder.config.merchant_certificate_pem.is_none());
        builder.build().unwrap();
    }

    #[test]
    fn a_serial_that_is_not_the_certificates_is_refused_at_build() {
        let wrong = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
        let err = from(&[(env::MERCHANT_SERIAL, wrong)]).unwrap().build().unwrap_err();
        match &err {
            Error::Config(ConfigError::MerchantSerialMismatch {
                configured,
                certificate,
            }) => {
                assert_eq!((configured.as_str(), certificate.as_str()), (wrong, MERCHANT_SERIAL));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains(wrong) && err.to_string().contains(MERCHANT_SERIAL));

        // Whichever setter comes first.
        let mock = crate::mock::MockServer::start();
        let before = mock.client_builder().merchant_serial(wrong);
        let after = ClientBuilder::<Async>::new()
            .merchant_serial(wrong)
            .merchant_certificate(crate::mock::keys::MERCHANT_CERTIFICATE)
            .unwrap()
            .mchid(MCHID)
            .private_key_pem(crate::mock::keys::MERCHANT_PRIVATE_KEY)
            .unwrap()
            .apiv2_key(APIV2_KEY)
            .apiv3_key(crate::mock::APIV3_KEY);
        for builder in [before, after] {
            let err = builder.build().unwrap_err();
            assert!(
                matches!(err, Error::Config(ConfigError::MerchantSerialMismatch { .. })),
                "{err:?}"
            );
        }
    }

    #[test]
    fn unreadable_or_unfit_files_and_keys_are_errors() {
        let missing = format!("{KEYS}missing.pem");
        for (name, value, what) in [
            (env::MERCHANT_CERTIFICATE, missing.as_str(), "merchant certificate"),
            (env::CA_CERTIFICATE, missing.as_str(), "root certificate"),
            (
                env::CA_CERTIFICATE,
                concat!(env!("CARGO_MANIFEST_DIR"), "/src/mock/keys/merchant_key.pem"),
                "root certificate",
            ),
        ] {
            match from(&[(name, value)]) {
                Err(Error::Config(ConfigError::Key { what: found, .. })) => assert_eq!(found, what, "{name}"),
                other => panic!("{name}={value}: {other:?}"),
            }
        }
        let err = from(&[(env::APIV2_KEY, "too short")]).unwrap().build().unwrap_err();
        assert!(
            matches!(err, Error::Config(ConfigError::InvalidApiV2Key { .. })),
            "{err:?}"
        );
        assert!(!err.to_string().contains("too short"));
    }
}
