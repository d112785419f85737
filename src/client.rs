//! The client and its builder: configuration is validated once, at `build()`, and yields a
//! cheap clonable [`Client`] (an `Arc` inside).

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::auth::PlatformKeys;
use crate::auth::signing::Signer;
use crate::certificates::{AutoRefresh, DEFAULT_MIN_ON_DEMAND_INTERVAL, DEFAULT_REFRESH_INTERVAL, KeyStore};
use crate::chain::Chain;
use crate::clock::{Clock, SystemClock};
use crate::crypto::{Certificate, RsaPrivateKey};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// The backup API host the Java SDK fails over to (see [`ClientBuilder::failover`]).
pub const DEFAULT_BACKUP_BASE_URL: &str = "https://api2.wechatpay.cn/";

/// The production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.mch.weixin.qq.com/";

/// The default limit on a response body read into memory (16 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The default `User-Agent`.
pub const USER_AGENT: &str = concat!(
    "wechatpay-rust/",
    env!("CARGO_PKG_VERSION"),
    " (+https://crates.io/crates/wechatpay)"
);

/// Marker for a builder that yields the async [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Async;

/// An asynchronous WeChat Pay APIv3 client. Cloning is cheap and shares the connection pool.
///
/// ```no_run
/// # async fn run() -> wechatpay::Result<()> {
/// use serde_json::json;
/// let client = wechatpay::Client::builder()
///     .mchid("1900000001")
///     .merchant_serial("3775B6A45ACD588826D15E583A95F5DD00000000")
///     .private_key_file("apiclient_key.pem")?
///     .platform_public_key("PUB_KEY_ID_0114232134912410000000000000", &std::fs::read_to_string("pub_key.pem").unwrap())?
///     .build()?;
/// let res = client
///     .chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
///     .get()
///     .param("out_trade_no", "1217752501201407033233368018")
///     .query("mchid", "1900000001")
///     .await?;
/// println!("{} {:?}", res.status(), res.json::<serde_json::Value>()?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Url,
    pub(crate) signer: Signer,
    pub(crate) keys: KeyStore,
    pub(crate) apiv3_key: Option<ApiV3Key>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Checked once at build; sent with every request.
    pub(crate) user_agent: http::HeaderValue,
    pub(crate) max_response_bytes: usize,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) backup_base_url: Option<Url>,
    /// Whether retries and failover may repeat any request whose attempt never connected.
    pub(crate) repeat_unsent: bool,
    pub(crate) deadline: Option<Duration>,
    pub(crate) download_hosts: Vec<String>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("mchid", &inner.signer.mchid())
            .field("merchant_serial", &inner.signer.serial())
            .field("base_url", &inner.base_url.as_str())
            .field("platform_keys", &inner.keys.current().ids())
            .field("private_key", &"<redacted>")
            .field("apiv3_key", &inner.apiv3_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder<Async> {
        ClientBuilder::new()
    }

    /// Builds a client from the environment: `WECHATPAY_MCHID`, `WECHATPAY_MERCHANT_SERIAL`,
    /// `WECHATPAY_PRIVATE_KEY` (path of the PEM file), `WECHATPAY_PUBLIC_KEY_ID` with
    /// `WECHATPAY_PUBLIC_KEY` (path of the PEM file), `WECHATPAY_CERTIFICATES` (a folder of
    /// platform certificate PEM files), `WECHATPAY_APIV3_KEY`, `WECHATPAY_BASE_URL`; the
    /// merchant settings are required, the others optional.
    ///
    /// ```no_run
    /// let client = wechatpay::Client::from_env()?;
    /// # Ok::<(), wechatpay::Error>(())
    /// ```
    pub fn from_env() -> Result<Client> {
        ClientBuilder::<Async>::from_env()?.build()
    }

    /// Starts a request path: a whole path (`"v3/pay/transactions/native"`) or its first
    /// segment (`"v3"`), each segment normalised as described in [`crate::path`].
    ///
    /// ```no_run
    /// # fn f(client: &wechatpay::Client) {
    /// let a = client.chain("v3/parking/reminders/ext-payment");
    /// let b = client.chain("v3").chain("parking").chain("reminders").chain("extPayment");
    /// assert_eq!(a.template(), b.template());
    /// # }
    /// ```
    pub fn chain(&self, path: &str) -> Chain {
        Chain::new(self.clone(), path)
    }

    /// The merchant id this client signs for.
    pub fn mchid(&self) -> &str {
        self.inner.signer.mchid()
    }

    /// The platform key the client asks the platform to sign answers with, sent as the
    /// `Wechatpay-Serial` request header: the platform public key id when one is
    /// configured, otherwise the newest platform certificate's serial.
    pub fn preferred_platform_key(&self) -> Option<String> {
        self.inner.keys.current().preferred_id_at(self.now()).map(str::to_owned)
    }

    /// The ids of all trusted platform keys (public key ids first, then certificate serials).
    pub fn platform_key_ids(&self) -> Vec<String> {
        self.inner.keys.current().ids().into_iter().map(str::to_owned).collect()
    }

    /// Callback (notification) parsing with this client's platform keys and APIv3 key.
    pub fn notifications(&self) -> crate::notify::Notifications<'_> {
        crate::notify::Notifications::new(self)
    }

    pub(crate) fn apiv3_key(&self) -> Result<&[u8]> {
        self.inner
            .apiv3_key
            .as_ref()
            .map(|k| k.0.as_slice())
            .ok_or(Error::MissingApiV3Key)
    }

    /// The client's clock, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    /// The signing identity, for signing payment parameters and similar messages.
    pub fn signer(&self) -> &Signer {
        &self.inner.signer
    }
}

/// Configures a [`Client`] (or, through [`crate::blocking::Client::builder`], a blocking
/// one). Keys are parsed and checked when they are given; `build()` checks that the whole
/// configuration fits together.
///
/// ```
/// let key = std::fs::read_to_string("src/mock/keys/merchant_key.pem")?;
/// let public_key = std::fs::read_to_string("src/mock/keys/platform_public_key.pem")?;
/// let client = wechatpay::Client::builder()
///     .mchid("1900000001")
///     .merchant_serial("3775B6A45ACD588826D15E583A95F5DD00000000")
///     .private_key_pem(&key)?
///     .platform_public_key("PUB_KEY_ID_0114232134912410000000000000", &public_key)?
///     .timeout(std::time::Duration::from_secs(10))
///     .build()?;
/// assert_eq!(client.preferred_platform_key().as_deref(), Some("PUB_KEY_ID_0114232134912410000000000000"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub struct ClientBuilder<F = Async> {
    mchid: Option<String>,
    merchant_serial: Option<String>,
    merchant_certificate: Option<Certificate>,
    private_key: Option<RsaPrivateKey>,
    platform_keys: PlatformKeys,
    platform_certificates: Vec<Certificate>,
    apiv3_key: Option<zeroize::Zeroizing<Vec<u8>>>,
    auto_certificates: Option<AutoRefresh>,
    base_url: Url,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    proxy: Option<reqwest::Proxy>,
    user_agent: String,
    http_client: Option<reqwest::Client>,
    clock: Arc<dyn Clock>,
    max_response_bytes: usize,
    retry: Option<RetryPolicy>,
    backup_base_url: Option<Url>,
    repeat_unsent: bool,
    deadline: Option<Duration>,
    download_hosts: Vec<String>,
    flavor: PhantomData<F>,
}

impl<F> fmt::Debug for ClientBuilder<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("mchid", &self.mchid)
            .field("merchant_serial", &self.merchant_serial)
            .field("private_key", &self.private_key.as_ref().map(|_| "<redacted>"))
            .field("platform_keys", &self.platform_keys.ids())
            .field("apiv3_key", &self.apiv3_key.as_ref().map(|_| "<redacted>"))
            .field("auto_certificates", &self.auto_certificates)
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

impl<F> ClientBuilder<F> {
    pub(crate) fn new() -> Self {
        Self {
            mchid: None,
            merchant_serial: None,
            merchant_certificate: None,
            private_key: None,
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
            flavor: PhantomData,
        }
    }

    /// A builder preset from the environment (see [`Client::from_env`]).
    pub fn from_env() -> Result<Self> {
        let var = |name: &str| {
            std::env::var(name).map_err(|_| Error::Config(format!("environment variable {name} is not set")))
        };
        let mut builder = Self::new()
            .mchid(var("WECHATPAY_MCHID")?)
            .merchant_serial(var("WECHATPAY_MERCHANT_SERIAL")?)
            .private_key_file(var("WECHATPAY_PRIVATE_KEY")?)?;
        if let Ok(id) = std::env::var("WECHATPAY_PUBLIC_KEY_ID") {
            let pem = read_file("WECHATPAY_PUBLIC_KEY", var("WECHATPAY_PUBLIC_KEY")?)?;
            builder = builder.platform_public_key(&id, &pem)?;
        }
        if let Ok(dir) = std::env::var("WECHATPAY_CERTIFICATES") {
            builder = builder.platform_certificates_dir(dir)?;
        }
        if let Ok(key) = std::env::var("WECHATPAY_APIV3_KEY") {
            builder = builder.apiv3_key(zeroize::Zeroizing::new(key).as_bytes());
        }
        if let Ok(url) = std::env::var("WECHATPAY_BASE_URL") {
            builder = builder.base_url(&url)?;
        }
        Ok(builder)
    }

    /// The merchant id (`mchid`), decimal digits.
    pub fn mchid(mut self, mchid: impl Into<String>) -> Self {
        self.mchid = Some(mchid.into());
        self
    }

    /// The serial number of the merchant API certificate (hex, as the merchant portal shows it).
    pub fn merchant_serial(mut self, serial: impl Into<String>) -> Self {
        self.merchant_serial = Some(serial.into());
        self
    }

    /// The merchant API certificate (`apiclient_cert.pem`): sets the merchant serial from
    /// it, and `build()` checks that the private key belongs to it.
    pub fn merchant_certificate(mut self, pem: &str) -> Result<Self> {
        let cert = Certificate::parse("merchant certificate", pem)?;
        self.merchant_serial = Some(cert.serial().to_owned());
        self.merchant_certificate = Some(cert);
        Ok(self)
    }

    /// The merchant API private key as PEM text (PKCS#8 `PRIVATE KEY` or PKCS#1
    /// `RSA PRIVATE KEY`).
    pub fn private_key_pem(mut self, pem: &str) -> Result<Self> {
        self.private_key = Some(RsaPrivateKey::from_pem(pem)?);
        Ok(self)
    }

    /// The merchant API private key from a PEM file (`apiclient_key.pem`).
    pub fn private_key_file(self, path: impl AsRef<Path>) -> Result<Self> {
        let pem = zeroize::Zeroizing::new(read_file("merchant private key", path)?);
        self.private_key_pem(&pem)
    }

    /// A platform public key (SPKI or PKCS#1 PEM) and its id `PUB_KEY_ID_...`. Repeatable,
    /// and combinable with platform certificates during a migration.
    pub fn platform_public_key(mut self, id: &str, pem: &str) -> Result<Self> {
        self.platform_keys.add_public_key(id, pem)?;
        Ok(self)
    }

    /// A platform certificate (PEM); its serial is read from the certificate. Repeatable.
    pub fn platform_certificate(mut self, pem: &str) -> Result<Self> {
        let cert = Certificate::parse("platform certificate", pem)?;
        self.platform_keys.add_certificate(&cert);
        self.platform_certificates.push(cert);
        Ok(self)
    }

    /// The APIv3 key (32 ASCII bytes, set in the merchant portal): decrypts callbacks and
    /// downloaded certificates. Checked at `build()`.
    pub fn apiv3_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.apiv3_key = Some(zeroize::Zeroizing::new(key.as_ref().to_vec()));
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
        self.auto_certificates = Some(AutoRefresh {
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

    /// The API base URL (default [`DEFAULT_BASE_URL`]); `http` is accepted for local mocks.
    pub fn base_url(mut self, url: &str) -> Result<Self> {
        self.base_url = parse_base_url(url)?;
        Ok(self)
    }

    /// Total time allowed for one request, from sending to the last byte of the answer
    /// (default 30 s). A request's own `.timeout()` overrides it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sends every request through this proxy.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Replaces the default `User-Agent` ([`USER_AGENT`]).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Uses this `reqwest::Client` instead of building one. The timeouts and proxy set on
    /// this builder are then ignored, and the given client should not follow redirects
    /// (`reqwest::redirect::Policy::none()`): a redirected request would carry the
    /// merchant's signature to another URL.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The clock used to stamp requests and check answers (default: the system clock).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Retries failed requests that may be repeated; see [`RetryPolicy`] for which failures
    /// and which requests. Off by default.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
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
        self.backup_base_url = Some(parse_base_url(url)?);
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
        self.repeat_unsent = true;
        self
    }

    /// The total time allowed for a request, retries and waits included (default: none;
    /// each attempt still has the [`Self::timeout`]).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Lets [`Client::bill`] and [`Client::download_url`] send signed requests to this
    /// host too (by default only the API host receives the merchant's signature).
    pub fn allow_download_host(mut self, host: impl Into<String>) -> Self {
        self.download_hosts.push(host.into());
        self
    }

    /// The largest response body read into memory (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Checks the configuration and builds the async client.
    pub(crate) fn build_async(self) -> Result<Client> {
        let mchid = self.mchid.ok_or_else(|| Error::Config("mchid is required".into()))?;
        if mchid.is_empty() || !mchid.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Config(format!(
                "mchid must be decimal digits, got {:?}",
                crate::auth::sanitize(&mchid)
            )));
        }
        let serial = self
            .merchant_serial
            .ok_or_else(|| Error::Config("merchant_serial (the merchant API certificate serial) is required".into()))?;
        if serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Config(format!(
                "merchant_serial must be the hex serial of the merchant API certificate, got {:?}",
                crate::auth::sanitize(&serial)
            )));
        }
        let key = self.private_key.ok_or_else(|| {
            Error::Config("the merchant private key is required (private_key_pem or private_key_file)".into())
        })?;
        if let Some(cert) = &self.merchant_certificate
            && cert.public_key() != &key.public_key()
        {
            return Err(Error::key(
                "merchant private key",
                "it does not belong to the merchant certificate",
            ));
        }
        let apiv3_key = match self.apiv3_key {
            Some(key) if key.len() == 32 => Some(ApiV3Key(key)),
            Some(_) => return Err(Error::InvalidApiV3Key),
            None => None,
        };
        if self.auto_certificates.is_some() && apiv3_key.is_none() {
            return Err(Error::Config(
                "auto_certificates() needs the APIv3 key (apiv3_key)".into(),
            ));
        }
        if let Some(backup) = &self.backup_base_url
            && backup.path() != self.base_url.path()
        {
            return Err(Error::Config(format!(
                "the backup base URL's path {:?} must be the base URL's path {:?}: the signature covers the path",
                backup.path(),
                self.base_url.path()
            )));
        }
        if self.platform_keys.is_empty() && apiv3_key.is_none() {
            return Err(Error::Config(
                "no platform key: add platform_public_key(id, pem) or platform_certificate(pem), \
                 or the APIv3 key to download the certificates"
                    .into(),
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
        let http = match self.http_client {
            Some(client) => client,
            None => {
                let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
                if let Some(t) = self.timeout {
                    b = b.timeout(t);
                }
                if let Some(t) = self.connect_timeout {
                    b = b.connect_timeout(t);
                }
                if let Some(p) = self.proxy {
                    b = b.proxy(p);
                }
                b.build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        let user_agent = http::HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::Config("user_agent is not a valid header value".into()))?;
        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url: self.base_url,
                signer: Signer::from_parts(mchid, serial.to_ascii_uppercase(), key),
                keys: KeyStore::new(self.platform_keys, self.auto_certificates),
                apiv3_key,
                clock: self.clock,
                user_agent,
                max_response_bytes: self.max_response_bytes,
                retry: self.retry,
                backup_base_url: self.backup_base_url,
                repeat_unsent: self.repeat_unsent,
                deadline: self.deadline,
                download_hosts: self.download_hosts,
            }),
        })
    }

    pub(crate) fn into_flavor<G>(self) -> ClientBuilder<G> {
        ClientBuilder {
            mchid: self.mchid,
            merchant_serial: self.merchant_serial,
            merchant_certificate: self.merchant_certificate,
            private_key: self.private_key,
            platform_keys: self.platform_keys,
            platform_certificates: self.platform_certificates,
            apiv3_key: self.apiv3_key,
            auto_certificates: self.auto_certificates,
            base_url: self.base_url,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            proxy: self.proxy,
            user_agent: self.user_agent,
            http_client: self.http_client,
            clock: self.clock,
            max_response_bytes: self.max_response_bytes,
            retry: self.retry,
            backup_base_url: self.backup_base_url,
            repeat_unsent: self.repeat_unsent,
            deadline: self.deadline,
            download_hosts: self.download_hosts,
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

/// The APIv3 key: 32 bytes, wiped on drop, never shown.
pub(crate) struct ApiV3Key(zeroize::Zeroizing<Vec<u8>>);

/// An http(s) URL with a host, no query or fragment, its path ending in `/`.
fn parse_base_url(text: &str) -> Result<Url> {
    let mut url = Url::parse(text).map_err(|e| Error::Config(format!("invalid base URL {text:?}: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(Error::Config(format!(
            "base URL must be an http(s) URL with a host, got {url}"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config("base URL must not have a query or fragment".into()));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn read_file(what: &'static str, path: impl AsRef<Path>) -> Result<String> {
    let path = path.as_ref();
    std::fs::read_to_string(path).map_err(|e| Error::key(what, format!("cannot read {}: {e}", path.display())))
}
