//! The client: a cheap clonable handle (an `Arc` of private state) whose methods delegate
//! to the modules that do the work, and its builder.

mod builder;
mod config;
#[cfg(feature = "mock")]
mod mock;

pub use builder::{Async, ClientBuilder};
pub use config::{DEFAULT_BACKUP_BASE_URL, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, USER_AGENT};

use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use url::Url;

use crate::auth::signing::Signer;
use crate::crypto::ApiV3Key;
use crate::error::Result;
use crate::notify::Notifications;
use crate::pay_params::{AppPayParams, JsapiPayParams};
use crate::request::{Chain, RequestBuilder};
use crate::send::Sender;
use crate::sensitive::Encrypted;
use crate::trust::CertificateDownload;

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
    inner: Arc<Inner>,
}

/// A client's state, assembled once by the builder.
pub(crate) struct Inner {
    pub(crate) sender: Sender,
    pub(crate) apiv3_key: Option<ApiV3Key>,
    /// Hosts besides the API host that may receive signed download requests.
    pub(crate) download_hosts: Vec<String>,
    /// What is done with requests that break the catalogue's rules.
    #[cfg(feature = "catalog")]
    pub(crate) validation: crate::request::ValidationMode,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let signer = &self.inner.sender.signer;
        f.debug_struct("Client")
            .field("mchid", &signer.mchid())
            .field("merchant_serial", &signer.serial())
            .field("base_url", &self.base_url().as_str())
            .field("platform_keys", &self.inner.sender.keys.current().ids())
            .field("private_key", &"<redacted>")
            .field("apiv3_key", &self.inner.apiv3_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Client {
    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self { inner: Arc::new(inner) }
    }

    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder<Async> {
        ClientBuilder::new()
    }

    /// Builds a client from the environment (the names are in [`env`](mod@crate::env)):
    /// - required: `WECHATPAY_MCHID`, `WECHATPAY_PRIVATE_KEY` (path of the PEM file), and
    ///   `WECHATPAY_MERCHANT_SERIAL` unless `WECHATPAY_MERCHANT_CERTIFICATE` (path of the
    ///   merchant certificate's PEM file) gives it; with both, they must agree;
    /// - optional: `WECHATPAY_PUBLIC_KEY_ID` with `WECHATPAY_PUBLIC_KEY` (path of the PEM
    ///   file), `WECHATPAY_CERTIFICATES` (a folder of platform certificate PEM files),
    ///   `WECHATPAY_APIV3_KEY` and `WECHATPAY_APIV2_KEY` (the keys themselves),
    ///   `WECHATPAY_CA_CERTIFICATE` (path of a CA certificate to trust besides the system's),
    ///   `WECHATPAY_BASE_URL`.
    ///
    /// An empty variable counts as unset.
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
        self.inner.sender.signer.mchid()
    }

    /// The platform key the client asks the platform to sign answers with, sent as the
    /// `Wechatpay-Serial` request header: the platform public key id when one is
    /// configured, otherwise the newest platform certificate's serial.
    pub fn preferred_platform_key(&self) -> Option<String> {
        self.inner
            .sender
            .keys
            .current()
            .preferred_id_at(self.now())
            .map(str::to_owned)
    }

    /// The ids of all trusted platform keys (public key ids first, then certificate serials).
    pub fn platform_key_ids(&self) -> Vec<String> {
        self.inner
            .sender
            .keys
            .current()
            .ids()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Callback (notification) parsing with this client's platform keys and APIv3 key.
    pub fn notifications(&self) -> Notifications<'_> {
        Notifications::new(
            &self.inner.sender.keys,
            self.inner.apiv3_key.as_ref(),
            self.inner.sender.apiv2_key.as_deref(),
        )
    }

    /// The client's clock, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.inner.sender.clock.now()
    }

    /// The signing identity, for signing payment parameters and similar messages.
    pub fn signer(&self) -> &Signer {
        &self.inner.sender.signer
    }

    /// The payment parameters a web page in WeChat or a mini-program needs to open the
    /// payment sheet for a JSAPI order: signed with the merchant key, stamped with the
    /// client's clock and a fresh nonce. `appid` is the one the order was placed with;
    /// `prepay_id` comes from the order's answer. See [`JsapiPayParams`].
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// use serde_json::json;
    /// let order: serde_json::Value = client
    ///     .chain("v3/pay/transactions/jsapi")
    ///     .post(json!({
    ///         "appid": "wxd678efh567hg6787", "mchid": client.mchid(),
    ///         "description": "Image形象店-深圳腾大-QQ公仔", "out_trade_no": "1217752501201407033233368018",
    ///         "notify_url": "https://www.weixin.qq.com/wxpay/pay.php",
    ///         "amount": {"total": 100}, "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
    ///     }))
    ///     .await?
    ///     .json()?;
    /// let prepay_id = order["prepay_id"].as_str().unwrap_or_default();
    /// let params = client.jsapi_pay_params("wxd678efh567hg6787", prepay_id)?;
    /// // Hand `serde_json::to_string(&params)` to the page, for wx.requestPayment.
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`RequestError::InvalidBody`](crate::error::RequestError::InvalidBody) for an empty
    /// or malformed `appid` or `prepay_id` (see [`JsapiPayParams::sign_with`]).
    pub fn jsapi_pay_params(&self, appid: &str, prepay_id: &str) -> Result<JsapiPayParams> {
        JsapiPayParams::sign_with(self.signer(), appid, prepay_id, self.now(), &crate::crypto::nonce()?)
    }

    /// The payment parameters an app needs to open the payment sheet (the OpenSDK's
    /// `PayReq`) for an APP order, `partnerid` being this client's merchant id; as
    /// [`Client::jsapi_pay_params`] otherwise. See [`AppPayParams`].
    ///
    /// ```no_run
    /// # fn f(client: wechatpay::Client, prepay_id: &str) -> wechatpay::Result<()> {
    /// let params = client.app_pay_params("wx8888888888888888", prepay_id)?;
    /// assert_eq!(params.partner_id(), client.mchid());
    /// # Ok(()) }
    /// ```
    pub fn app_pay_params(&self, appid: &str, prepay_id: &str) -> Result<AppPayParams> {
        AppPayParams::sign_with(self.signer(), appid, prepay_id, self.now(), &crate::crypto::nonce()?)
    }

    /// Encrypts a sensitive field (a name, ID number, bank account, phone number) with the
    /// platform key the client prefers (the one it names in `Wechatpay-Serial`).
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// use serde_json::json;
    /// let name = client.encrypt("张三")?;
    /// client
    ///     .chain("v3/profitsharing/receivers/add")
    ///     .post(json!({"type": "PERSONAL_OPENID", "account": "o-MYE42l80oelYMDE34nYD456Xoy", "name": &name}))
    ///     .with_encrypted(&name)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn encrypt(&self, plaintext: &str) -> Result<Encrypted> {
        crate::sensitive::encrypt(&self.inner.sender.keys.current(), self.now(), plaintext)
    }

    /// Decrypts a sensitive field the platform encrypted to the merchant key (Base64
    /// RSA-OAEP SHA-1), such as the names in a complaint or a transfer answer.
    pub fn decrypt(&self, ciphertext: &str) -> Result<String> {
        crate::sensitive::decrypt(self.signer().key(), ciphertext)
    }

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
        self.within_deadline(self.inner.sender.keys.download()).await
    }

    /// Downloads the platform certificates (as [`Client::download_certificates`]) and trusts
    /// them from now on, beside the configured keys. In automatic mode this happens by
    /// itself; call it at start-up to load eagerly.
    pub async fn refresh_certificates(&self) -> Result<CertificateDownload> {
        self.within_deadline(self.inner.sender.keys.refresh()).await
    }

    /// A certificate download asked for by the caller, bounded by the client's deadline as a
    /// request is (the automatic ones a request waits for are bounded by the request's).
    async fn within_deadline<T>(&self, download: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        let one_attempt = std::sync::atomic::AtomicU32::new(1);
        crate::wire::deadline::within(self.inner.sender.deadline, &one_attempt, download).await
    }

    /// How many certificate downloads this client has made (automatic ones included).
    pub fn certificate_downloads(&self) -> u64 {
        self.inner.sender.keys.downloads()
    }

    /// Step two of a bill download: from the apply response (`hash_type`, `hash_value`,
    /// `download_url`), a signed GET of the download URL that checks the digest. The URL
    /// must be on the API host (or a host allowed with
    /// [`ClientBuilder::allow_download_host`]): the merchant's signature goes nowhere else.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// let apply: serde_json::Value = client
    ///     .chain("v3/bill/tradebill")
    ///     .get()
    ///     .query("bill_date", "2026-11-25")
    ///     .await?
    ///     .json()?;
    /// let download = client.bill(&apply)?.download_to_file("tradebill-2026-11-25.csv").await?;
    /// println!("{} bytes, digest checked", download.bytes());
    /// # Ok(()) }
    /// ```
    pub fn bill(&self, apply: &Value) -> Result<RequestBuilder> {
        let (url, digest) = crate::download::bill(apply)?;
        Ok(self.download_url(&url)?.expect_digest(digest))
    }

    /// A signed `GET` of an absolute URL the platform handed out (a `download_url`), sent
    /// with its path and query exactly as given. Refused unless the URL is on the API host
    /// or an allowed download host.
    pub fn download_url(&self, url: &str) -> Result<RequestBuilder> {
        let url = crate::download::download_url(url, self.base_url(), &self.inner.download_hosts)?;
        Ok(RequestBuilder::for_url(self.clone(), url))
    }

    /// What is done with requests that break the catalogue's rules.
    #[cfg(feature = "catalog")]
    pub(crate) fn validation_mode(&self) -> crate::request::ValidationMode {
        self.inner.validation
    }

    /// What sending takes.
    pub(crate) fn sender(&self) -> &Sender {
        &self.inner.sender
    }

    /// The API base URL.
    pub(crate) fn base_url(&self) -> &Url {
        &self.inner.sender.retries.base
    }
}
