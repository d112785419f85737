//! An in-process WeChat Pay server for tests, examples and your own tests (feature `mock`):
//! APIv3, and APIv2, the older XML protocol.
//!
//! It listens on `127.0.0.1` on a free port, on its own thread and runtime, so it works
//! the same from async tests, blocking code and examples. Like the platform it:
//! - verifies every APIv3 request's `Authorization` (merchant id, serial, 300 s window,
//!   signature over the exact method, target and body) and answers `401 SIGN_ERROR`
//!   otherwise;
//! - signs its 2xx APIv3 answers with its platform key, in public-key or certificate mode;
//! - answers `404 RESOURCE_NOT_EXISTS` for routes it does not know;
//! - speaks APIv2 on the catalogued v2 paths (`POST /pay/micropay`, ...): checks the
//!   merchant and the `sign` made with [`APIV2_KEY`], answers XML signed the same way (see
//!   [APIv2](#apiv2) below);
//! - in TLS mode ([`MockBuilder::tls`]), serves HTTPS with a certificate of its test CA
//!   ([`keys::SANDBOX_CA`]) and asks for the merchant's client certificate, which the APIv2
//!   operations that need it check;
//! - records every request it received.
//!
//! Its keys are fixed test fixtures (see [`keys`]); never use them for anything real.
//!
//! The same keys make sample callbacks without a running server, for the tests of the code
//! that receives them: [`sample_notification`] (APIv3), [`sample_v2_notification`] and
//! [`sample_v2_refund_notification`] (APIv2).
//!
//! ```
//! use serde_json::json;
//! use wechatpay::Method;
//! use wechatpay::mock::MockServer;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> wechatpay::Result<()> {
//! let mock = MockServer::start();
//! mock.route(Method::POST, "/v3/pay/transactions/native", 200, json!({"code_url": "weixin://wxpay/bizpayurl?pr=abc"}));
//! let res = mock.client().chain("v3/pay/transactions/native").post(json!({"amount": {"total": 1}})).await?;
//! assert_eq!(res.json::<serde_json::Value>()?["code_url"], "weixin://wxpay/bizpayurl?pr=abc");
//! assert_eq!(mock.requests()[0].body_json()["amount"]["total"], 1);
//! # Ok(()) }
//! ```
//!
//! # APIv2
//!
//! A request is an APIv2 one when its path is the wire path of a v2 operation of the
//! catalogue (`/pay/micropay`, `/secapi/pay/refund`: feature `catalog`), or, for paths the
//! catalogue does not list (and builds without it), when it carries no `Authorization`
//! header and its body is an `<xml>` document. The path decides first because a GET
//! operation (`/papay/entrustweb`) has no body to look at, and because a v2 path is never
//! a v3 one: nothing under `/v3/` is ever taken for v2.
//!
//! For such a request the sandbox, in this order (each refusal is status 200, unsigned
//! `return_code FAIL`, as the platform answers):
//! 1. in TLS mode, for an operation that needs the merchant's client certificate
//!    ([`crate::catalog::Operation::cert_required`]) reached on a connection without one,
//!    refuses with the platform's words for a certificate problem,
//!    `return_msg CA证书出错，请登录微信支付商户平台下载证书`, and `err_code CA_ERROR`;
//!    a method other than the operation's is refused (`请使用post方法`);
//! 2. reads its fields: the XML body (through [`crate::protocol::v2::parse`], which refuses
//!    DTDs and entities: `XML格式错误`), or the query string of a GET;
//! 3. checks that `mch_id`, `mchid` and `combine_mch_id`, when present, are [`MCHID`];
//! 4. verifies `sign` with [`APIV2_KEY`] (MD5, or HMAC-SHA256 when `sign_type` says so) and
//!    otherwise answers, as the platform does,
//!    `<xml><return_code>FAIL</return_code><return_msg>签名错误</return_msg></xml>`;
//! 5. records the request ([`MockRequest::verified`] tells whether these checks passed);
//! 6. answers with the route for the wire path, if any (a JSON object body gives the
//!    answer's fields), or from the catalogue: a missing required field is answered
//!    `return_code FAIL` and `return_msg 缺少参数：<name>` (the platform answers
//!    `缺少参数` at the protocol level, before any business logic; the sandbox adds the
//!    name), else `return_code SUCCESS`, `result_code SUCCESS` and the example response,
//!    echoing the request's fields of the same names, with a fresh `nonce_str`, signed
//!    with the request's `sign_type` unless the endpoint answers unsigned
//!    ([`crate::protocol::v2::answers_unsigned`]). `pay/downloadbill` and
//!    `pay/downloadfundflow` answer a small CSV bill (gzip with `tar_type=GZIP`).
//!
//! ```
//! use serde_json::json;
//! use wechatpay::Method;
//! use wechatpay::mock::{APIV2_KEY, MCHID, MockServer};
//! use wechatpay::protocol::v2::{AnswerSignature, ApiV2Key, prepare, read_answer};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = MockServer::start();
//! // Without this route, the catalogue would answer (feature `catalog`).
//! mock.route(Method::POST, "/pay/orderquery", 200, json!({"out_trade_no": "T1", "trade_state": "SUCCESS"}));
//! let key = ApiV2Key::new(APIV2_KEY)?;
//! let request = prepare(&json!({"mch_id": MCHID, "out_trade_no": "T1", "appid": "wx8888888888888888"}), MCHID, &key)?;
//! let answer = reqwest::Client::new()
//!     .post(format!("{}pay/orderquery", mock.base_url()))
//!     .header("Content-Type", "text/xml; charset=utf-8")
//!     .body(request.xml().to_owned())
//!     .send()
//!     .await?
//!     .bytes()
//!     .await?;
//! let answer = read_answer(&answer, &key, AnswerSignature::Signed(request.sign_type()))?;
//! assert_eq!((answer["result_code"].as_str(), answer["trade_state"].as_str()), (Some("SUCCESS"), Some("SUCCESS")));
//! assert!(mock.requests()[0].verified);
//! # Ok(()) }
//! ```

#[cfg(feature = "catalog")]
mod catalog;
mod faults;
mod files;
mod handler;
mod log;
mod media;
mod platform;
mod samples;
mod sandbox;
mod server;
mod tls;
mod v2;
#[cfg(feature = "catalog")]
mod v2_bill;
#[cfg(feature = "catalog")]
mod v2_catalog;

pub use faults::Fault;
pub use log::{MAX_LOGGED_BYTES, MAX_LOGGED_REQUESTS};
pub use media::{MockFile, MockUpload};
pub use platform::MockCertificate;
pub use samples::{
    SAMPLE_EVENTS, SampleNotification, sample_notification, sample_notification_at, sample_resource,
    sample_v2_notification, sample_v2_payment_fields, sample_v2_refund_fields, sample_v2_refund_notification,
};
pub use sandbox::{MockRoute, SandboxFiles};
pub use server::{HEADER_TIMEOUT, MAX_CONNECTIONS};

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde_json::Value;

use crate::clock::{Clock, SystemClock};
use crate::crypto::{RsaPrivateKey, RsaPublicKey};
use crate::error::Result;

/// The mock's fixed key material (PEM text). For tests only: these keys are public.
pub mod keys {
    /// The merchant's API private key (PKCS#8).
    pub const MERCHANT_PRIVATE_KEY: &str = include_str!("keys/merchant_key.pem");
    /// The merchant's API certificate (serial [`super::MERCHANT_SERIAL`]).
    pub const MERCHANT_CERTIFICATE: &str = include_str!("keys/merchant_cert.pem");
    /// The platform public key (SPKI) known as [`super::PLATFORM_PUBLIC_KEY_ID`].
    pub const PLATFORM_PUBLIC_KEY: &str = include_str!("keys/platform_public_key.pem");
    /// The private half of [`PLATFORM_PUBLIC_KEY`].
    pub const PLATFORM_PUBLIC_KEY_PRIVATE: &str = include_str!("keys/platform_pub_key_private.pem");
    /// The platform certificate (serial [`super::PLATFORM_CERTIFICATE_SERIAL`]).
    pub const PLATFORM_CERTIFICATE: &str = include_str!("keys/platform_cert.pem");
    /// The private key of [`PLATFORM_CERTIFICATE`].
    pub const PLATFORM_CERTIFICATE_PRIVATE: &str = include_str!("keys/platform_cert_key.pem");
    /// The platform certificate a rotation introduces.
    pub const PLATFORM_CERTIFICATE_ROTATED: &str = include_str!("keys/platform_cert2.pem");
    /// The private key of [`PLATFORM_CERTIFICATE_ROTATED`].
    pub const PLATFORM_CERTIFICATE_ROTATED_PRIVATE: &str = include_str!("keys/platform_cert2_key.pem");
    /// A platform certificate that expired on 2023-01-01.
    pub const PLATFORM_CERTIFICATE_EXPIRED: &str = include_str!("keys/platform_cert_expired.pem");
    /// The private key of [`PLATFORM_CERTIFICATE_EXPIRED`].
    pub const PLATFORM_CERTIFICATE_EXPIRED_PRIVATE: &str = include_str!("keys/platform_cert_expired_key.pem");
    /// The sandbox's test certificate authority: it issued the TLS server certificate of the
    /// mock's TLS mode ([`SANDBOX_SERVER_CERTIFICATE`], for `127.0.0.1` and `localhost`) and
    /// the merchant certificate [`MERCHANT_CERTIFICATE`], the one client certificate the TLS
    /// mode accepts. Trust it (and only it) in a client that talks to the TLS mode.
    pub const SANDBOX_CA: &str = include_str!("keys/sandbox_ca.pem");
    /// The TLS server certificate of the mock's TLS mode, issued by [`SANDBOX_CA`].
    pub const SANDBOX_SERVER_CERTIFICATE: &str = include_str!("keys/sandbox_server.pem");
    /// The private key (P-256, PKCS#8) of [`SANDBOX_SERVER_CERTIFICATE`].
    pub const SANDBOX_SERVER_PRIVATE_KEY: &str = include_str!("keys/sandbox_server_key.pem");
    /// A client certificate issued by another CA than [`SANDBOX_CA`], for testing that the
    /// TLS mode refuses it: a handshake presenting it fails.
    pub const OTHER_CA_CLIENT_CERTIFICATE: &str = include_str!("keys/other_ca_client.pem");
    /// The private key (P-256, PKCS#8) of [`OTHER_CA_CLIENT_CERTIFICATE`].
    pub const OTHER_CA_CLIENT_PRIVATE_KEY: &str = include_str!("keys/other_ca_client_key.pem");
    /// The merchant's key ([`MERCHANT_PRIVATE_KEY`]) certified by that other CA: a client
    /// configured with it signs as the merchant but fails the TLS mode's handshake.
    pub const OTHER_CA_MERCHANT_CERTIFICATE: &str = include_str!("keys/other_ca_merchant_cert.pem");
}

/// The mock merchant's APIv3 key (32 ASCII bytes).
pub const APIV3_KEY: &str = "wechatpayRsMockApiV3Key000000032";

/// The mock merchant's APIv2 key (32 ASCII characters): the sandbox verifies the `sign` of
/// APIv2 requests and signs its APIv2 answers with it.
///
/// ```
/// let key = wechatpay::protocol::v2::ApiV2Key::new(wechatpay::mock::APIV2_KEY)?;
/// # drop(key);
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub const APIV2_KEY: &str = "wechatpayRsMockApiV2Key000000032";

/// The merchant id the mock expects.
pub const MCHID: &str = "1900000001";
/// The merchant API certificate serial the mock expects.
pub const MERCHANT_SERIAL: &str = "3775B6A45ACD588826D15E583A95F5DD00000000";
/// The id of the mock's platform public key.
pub const PLATFORM_PUBLIC_KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
/// The serial of the mock's platform certificate.
pub const PLATFORM_CERTIFICATE_SERIAL: &str = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";

/// Which platform key the mock signs its answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigningMode {
    /// The platform public key [`PLATFORM_PUBLIC_KEY_ID`] (newer merchants).
    #[default]
    PublicKey,
    /// The platform certificate [`PLATFORM_CERTIFICATE_SERIAL`] (older merchants).
    Certificate,
}

/// A request the mock received, with the outcome of its signature check.
#[derive(Debug, Clone)]
pub struct MockRequest {
    /// The method, upper case.
    pub method: Method,
    /// The request target as received: path and query.
    pub target: String,
    /// The request headers.
    pub headers: HeaderMap,
    /// The body bytes as received.
    pub body: Bytes,
    /// The path variables of the matched route, percent-decoded.
    pub params: HashMap<String, String>,
    /// Whether a route ran for it (its side effect happened), whatever the client received.
    pub handled: bool,
    /// For a multipart upload: its parts.
    pub upload: Option<MockUpload>,
    /// Whether the platform's checks passed: for APIv3, the `Authorization` header verified;
    /// for APIv2, the client certificate when required (TLS mode), the merchant fields and
    /// the `sign`.
    pub verified: bool,
    /// Whether the request came on a TLS connection that presented a client certificate
    /// (issued by [`keys::SANDBOX_CA`]: the TLS mode accepts no other). Always `false`
    /// without TLS.
    pub client_certificate: bool,
    /// The status the mock answered (when a connection fault dropped the answer, the status
    /// it would have sent). 0 in the request a route handler is given: the handler runs
    /// before the answer is made.
    pub status: u16,
    /// The fault in force for the answer (see [`MockServer::set_fault`]), if any: named
    /// even when it leaves this answer alone (an APIv2 fault on a refused request).
    pub fault: Option<Fault>,
}

impl MockRequest {
    /// For an APIv2 request, its fields: the XML body's (through
    /// [`crate::protocol::v2::parse`]), or the query string's when the body is empty (GET).
    /// `None` when the body is not a flat XML document.
    ///
    /// ```
    /// use wechatpay::Method;
    /// use wechatpay::mock::{MockReply, MockServer};
    /// let mock = MockServer::start();
    /// mock.route_fn(Method::POST, "/pay/orderquery", |request| {
    ///     let fields = request.v2_fields().unwrap_or_default();
    ///     MockReply::json(200, &serde_json::json!({"trade_state": "SUCCESS", "out_trade_no": fields.get("out_trade_no")}))
    /// });
    /// ```
    pub fn v2_fields(&self) -> Option<crate::protocol::v2::Fields> {
        v2::request_fields(self.query(), &self.body).ok()
    }

    /// The body parsed as JSON (`Value::Null` when empty or not JSON).
    pub fn body_json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The request's path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query string, if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What a route answers.
#[derive(Debug, Clone)]
pub struct MockReply {
    status: StatusCode,
    body: Bytes,
    headers: HeaderMap,
    file: Option<MockFile>,
    statement: bool,
}

impl MockReply {
    /// An answer with a JSON body.
    pub fn json(status: u16, body: &Value) -> Self {
        Self::raw(status, serde_json::to_vec(body).unwrap_or_default())
    }

    /// An answer without a body (204 for most side-effecting calls).
    pub fn empty(status: u16) -> Self {
        Self::raw(status, Vec::new())
    }

    /// A platform error answer: `{"code": code, "message": message}`.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(status, &serde_json::json!({"code": code, "message": message}))
    }

    /// An answer with an arbitrary body (for example HTML or invalid JSON).
    pub fn raw(status: u16, body: impl Into<Bytes>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: body.into(),
            headers,
            file: None,
            statement: false,
        }
    }

    /// A 200 answer streaming a file, unsigned like the platform's file downloads.
    pub fn file(file: MockFile) -> Self {
        let mut reply = Self::raw(200, Bytes::new());
        reply.headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/octet-stream"),
        );
        reply.file = Some(file);
        reply
    }

    /// For a file answer: carry `Wechatpay-Statement-Sha1`, signed as the text
    /// `{"sha1":"..."}`, as overseas statements do.
    pub fn with_statement_sha1(mut self) -> Self {
        self.statement = true;
        self
    }

    /// Adds a header to the answer.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(v) = http::HeaderValue::from_str(value) {
            self.headers.insert(name, v);
        }
        self
    }
}

type Handler = Arc<dyn Fn(&MockRequest) -> MockReply + Send + Sync>;

struct Route {
    method: Method,
    template: String,
    handler: Handler,
}

pub(crate) struct State {
    routes: RwLock<Vec<Route>>,
    requests: Mutex<log::RequestLog>,
    faults: Mutex<faults::FaultPlan>,
    mode: Mutex<SigningMode>,
    signing_certificate: Mutex<MockCertificate>,
    listed_certificates: Mutex<Vec<MockCertificate>>,
    clock: Arc<dyn Clock>,
    merchant_public_key: RsaPublicKey,
    signer: platform::PlatformSigner,
    request_counter: AtomicU64,
    signature_cache: Mutex<Option<platform::SignatureCache>>,
    /// Whether catalogued operations without a route are answered (feature `catalog`).
    catalog: std::sync::atomic::AtomicBool,
    /// Whether it serves HTTPS (and checks client certificates).
    tls: bool,
    /// The APIv2 key.
    apiv2_key: crate::protocol::v2::ApiV2Key,
    /// The address it listens on, once bound.
    addr: std::sync::OnceLock<std::net::SocketAddr>,
}

impl State {
    /// The base URL clients reach it at, `http://127.0.0.1:PORT/` (`https://` in TLS mode).
    pub(crate) fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        match self.addr.get() {
            Some(addr) => format!("{scheme}://{addr}/"),
            None => String::new(),
        }
    }
}

/// Options for a [`MockServer`].
#[derive(Debug)]
#[must_use]
pub struct MockBuilder {
    mode: SigningMode,
    clock: Option<Arc<dyn Clock>>,
    port: u16,
    max_connections: Option<usize>,
    header_timeout: Option<std::time::Duration>,
    log_limits: Option<(usize, usize)>,
    catalog: bool,
    tls: bool,
}

impl Default for MockBuilder {
    fn default() -> Self {
        Self {
            mode: SigningMode::default(),
            clock: None,
            port: 0,
            max_connections: None,
            header_timeout: None,
            log_limits: None,
            catalog: true,
            tls: false,
        }
    }
}

impl MockBuilder {
    /// Which platform key signs the answers (default: the public key).
    pub fn mode(mut self, mode: SigningMode) -> Self {
        self.mode = mode;
        self
    }

    /// The mock's clock, used to stamp answers and to check request timestamps.
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The port to listen on (default 0: a free port chosen by the system; read it back
    /// with [`MockServer::addr`]). [`Self::start`] panics if the port is taken; use
    /// [`Self::try_start`] to get the error instead.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The most connections served at once (default [`MAX_CONNECTIONS`]); further ones are
    /// closed as soon as they are accepted.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = Some(max.max(1));
        self
    }

    /// How long a client may take to send a request's headers, counted from the
    /// connection's accept or from the previous answer on it (default [`HEADER_TIMEOUT`],
    /// at most a day); a connection that takes longer is closed. The same wait bounds a TLS
    /// handshake.
    ///
    /// ```
    /// use std::time::Duration;
    /// let mock = wechatpay::mock::MockServer::builder().header_timeout(Duration::from_secs(2)).start();
    /// # drop(mock);
    /// ```
    pub fn header_timeout(mut self, timeout: std::time::Duration) -> Self {
        // The server adds it to the clock: a longer one could overflow.
        self.header_timeout = Some(timeout.min(std::time::Duration::from_secs(24 * 60 * 60)));
        self
    }

    /// Whether catalogued operations that no route answers are answered from the operation
    /// catalogue (default: yes, with feature `catalog`): checked against their schema (a
    /// violation is `400 PARAM_ERROR` naming the field), then answered with the documented
    /// status and an example body. Off, only routes and `/v3/certificates` are answered.
    pub fn catalog(mut self, enabled: bool) -> Self {
        self.catalog = enabled;
        self
    }

    /// How much of the request log [`MockServer::requests`] keeps: at most `max_requests`
    /// requests and `max_body_bytes` of their bodies (defaults [`MAX_LOGGED_REQUESTS`] and
    /// [`MAX_LOGGED_BYTES`]); the oldest are dropped and counted.
    pub fn log_limits(mut self, max_requests: usize, max_body_bytes: usize) -> Self {
        self.log_limits = Some((max_requests, max_body_bytes));
        self
    }

    /// TLS mode (default off): serve HTTPS on `127.0.0.1` with a certificate for `127.0.0.1`
    /// and `localhost` issued by the test CA [`keys::SANDBOX_CA`], and ask each connection for
    /// a client certificate. One issued by that CA (the merchant certificate
    /// [`keys::MERCHANT_CERTIFICATE`] with [`keys::MERCHANT_PRIVATE_KEY`]) is accepted; one
    /// from another CA fails the handshake; a connection without one is served, but an
    /// APIv2 operation that needs the certificate is then refused with the platform's
    /// `CA_ERROR` answer. [`MockServer::base_url`] then says `https://`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use wechatpay::mock::{MockServer, keys};
    /// let mock = MockServer::builder().tls(true).start();
    /// assert!(mock.base_url().starts_with("https://127.0.0.1:"));
    /// let identity = format!("{}{}", keys::MERCHANT_CERTIFICATE, keys::MERCHANT_PRIVATE_KEY);
    /// let client = reqwest::Client::builder()
    ///     .tls_certs_only([reqwest::Certificate::from_pem(keys::SANDBOX_CA.as_bytes())?])
    ///     .identity(reqwest::Identity::from_pem(identity.as_bytes())?)
    ///     .build()?;
    /// let status = client.get(format!("{}v3/certificates", mock.base_url())).send().await?.status();
    /// assert_eq!(status, 401); // reached over TLS: unsigned, so refused
    /// assert!(mock.requests()[0].client_certificate);
    /// # Ok(()) }
    /// ```
    pub fn tls(mut self, enabled: bool) -> Self {
        self.tls = enabled;
        self
    }

    /// Binds `127.0.0.1` (on a free port unless [`Self::port`] chose one) and starts serving.
    pub fn start(self) -> MockServer {
        self.try_start().expect("the mock can bind 127.0.0.1")
    }

    /// As [`Self::start`], returning the error when the port cannot be bound.
    pub fn try_start(self) -> std::io::Result<MockServer> {
        let merchant_key =
            RsaPrivateKey::from_pem(keys::MERCHANT_PRIVATE_KEY).expect("the mock's fixture keys are valid");
        let tls = if self.tls { Some(tls::acceptor()?) } else { None };
        let state = Arc::new(State {
            routes: RwLock::new(Vec::new()),
            requests: Mutex::new({
                let (max_requests, max_bytes) = self.log_limits.unwrap_or((MAX_LOGGED_REQUESTS, MAX_LOGGED_BYTES));
                log::RequestLog::new(max_requests, max_bytes)
            }),
            faults: Mutex::new(faults::FaultPlan::default()),
            mode: Mutex::new(self.mode),
            signing_certificate: Mutex::new(MockCertificate::Original),
            listed_certificates: Mutex::new(vec![MockCertificate::Original]),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            merchant_public_key: merchant_key.public_key(),
            signer: platform::PlatformSigner::new(),
            request_counter: AtomicU64::new(0),
            signature_cache: Mutex::new(None),
            catalog: std::sync::atomic::AtomicBool::new(self.catalog),
            tls: self.tls,
            apiv2_key: crate::protocol::v2::ApiV2Key::new(APIV2_KEY).expect("the mock's APIv2 key is valid"),
            addr: std::sync::OnceLock::new(),
        });
        let server = server::Server::start(
            state.clone(),
            self.port,
            server::Limits {
                max_connections: self.max_connections.unwrap_or(MAX_CONNECTIONS),
                header_timeout: self.header_timeout.unwrap_or(HEADER_TIMEOUT),
            },
            tls,
        )?;
        let _ = state.addr.set(server.addr());
        Ok(MockServer { state, server })
    }
}

/// A running mock WeChat Pay server; it stops when dropped.
pub struct MockServer {
    state: Arc<State>,
    server: server::Server,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url())
            .finish()
    }
}

impl MockServer {
    /// Starts a mock in public-key mode on a free port of `127.0.0.1`.
    pub fn start() -> MockServer {
        MockBuilder::default().start()
    }

    /// Options: signing mode, clock.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    /// The base URL to point a client at, `http://127.0.0.1:PORT/` (`https://` in TLS
    /// mode, see [`MockBuilder::tls`]).
    pub fn base_url(&self) -> String {
        self.state.base_url()
    }

    /// Whether it serves HTTPS (see [`MockBuilder::tls`]).
    ///
    /// ```
    /// assert!(!wechatpay::mock::MockServer::start().is_tls());
    /// ```
    pub fn is_tls(&self) -> bool {
        self.state.tls
    }

    /// The socket address the mock listens on.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.server.addr()
    }

    /// Answers `method template` with a fixed status and JSON body (`Value::Null` for none).
    /// The template may hold `{variables}`; a later route for the same method and template
    /// replaces an earlier one.
    ///
    /// For an APIv2 operation, route its wire path (`/pay/micropay`): a JSON object body
    /// gives the answer's fields (`return_code` and `result_code` default to `SUCCESS`;
    /// `nonce_str` and `sign` are added unless the endpoint answers unsigned), any other body
    /// is sent as it is. The route runs only for requests that pass the APIv2 checks.
    ///
    /// ```
    /// use wechatpay::Method;
    /// let mock = wechatpay::mock::MockServer::start();
    /// mock.route(Method::POST, "/v3/parking/reminders/ext-payment", 204, serde_json::Value::Null);
    /// ```
    pub fn route(&self, method: Method, template: &str, status: u16, body: Value) {
        let reply = if body.is_null() {
            MockReply::empty(status)
        } else {
            MockReply::json(status, &body)
        };
        self.route_fn(method, template, move |_| reply.clone());
    }

    /// Answers `method template` with a closure of the received request.
    pub fn route_fn(
        &self,
        method: Method,
        template: &str,
        handler: impl Fn(&MockRequest) -> MockReply + Send + Sync + 'static,
    ) {
        let template = if template.starts_with('/') {
            template.to_owned()
        } else {
            format!("/{template}")
        };
        let mut routes = self.state.routes.write().unwrap_or_else(|e| e.into_inner());
        routes.retain(|r| !(r.method == method && r.template == template));
        routes.push(Route {
            method,
            template,
            handler: Arc::new(handler),
        });
    }

    /// The requests received, oldest first: all of them, or the latest ones when more than
    /// the log keeps were received (see [`Self::dropped_requests`]).
    pub fn requests(&self) -> Vec<MockRequest> {
        self.state.requests.lock().unwrap_or_else(|e| e.into_inner()).all()
    }

    /// How many of the oldest requests were dropped from [`Self::requests`] to stay within
    /// the log's limits (see [`MockBuilder::log_limits`]).
    pub fn dropped_requests(&self) -> u64 {
        self.state.requests.lock().unwrap_or_else(|e| e.into_inner()).dropped()
    }

    /// Makes every following answer misbehave (`None` restores normal service).
    pub fn set_fault(&self, fault: Option<Fault>) {
        self.faults().standing = fault;
    }

    /// Makes the next `count` answers misbehave, then serves normally again (the standing
    /// fault, if any, applies after them).
    pub fn fail_next(&self, count: usize, fault: Fault) {
        self.faults().queued.extend(std::iter::repeat_n(fault, count));
    }

    /// Makes each answer misbehave with probability `rate` (0.0 to 1.0), with one of
    /// `faults` drawn at random; an empty list turns random faults off.
    pub fn set_random_faults(&self, rate: f64, faults: &[Fault]) {
        self.faults().random = (!faults.is_empty()).then(|| (rate, faults.to_vec()));
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, faults::FaultPlan> {
        self.state.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Serves `GET template` with this file, streamed and unsigned like the platform's file
    /// downloads; returns its SHA-1 and SHA-256 (hex).
    pub fn serve_file(&self, template: &str, file: MockFile) -> (String, String) {
        let digests = file.digests();
        self.route_fn(Method::GET, template, move |_| MockReply::file(file.clone()));
        digests
    }

    /// A bill: `GET /v3/bill/tradebill` and `GET /v3/bill/fundflowbill` answer the apply
    /// response (`hash_type` SHA1, `hash_value`, `download_url` on this mock), and
    /// `GET /v3/billdownload/file` serves the file. Returns the apply response.
    pub fn serve_bill(&self, file: MockFile) -> Value {
        let (sha1, _) = self.serve_file("/v3/billdownload/file", file);
        let apply = serde_json::json!({
            "hash_type": "SHA1",
            "hash_value": sha1,
            "download_url": format!("{}v3/billdownload/file?token=6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO", self.base_url()),
        });
        for path in ["/v3/bill/tradebill", "/v3/bill/fundflowbill"] {
            self.route(Method::GET, path, 200, apply.clone());
        }
        apply
    }

    /// An overseas statement at `template`: the file with its `Wechatpay-Statement-Sha1`.
    pub fn serve_statement(&self, template: &str, file: MockFile) -> String {
        let (sha1, _) = file.digests();
        self.route_fn(Method::GET, template, move |_| {
            MockReply::file(file.clone()).with_statement_sha1()
        });
        sha1
    }

    /// Cheap mode, for load benchmarks where the client is what is measured: an answer
    /// whose body was already signed in the same second reuses that signature (still a
    /// valid one: same timestamp, nonce and body), so the mock spends almost no CPU.
    pub fn reuse_signatures(&self, enabled: bool) {
        *self.state.signature_cache.lock().unwrap_or_else(|e| e.into_inner()) =
            enabled.then(platform::SignatureCache::default);
    }

    /// Turns answering catalogued operations without a route on or off (see
    /// [`MockBuilder::catalog`]).
    pub fn set_catalog(&self, enabled: bool) {
        self.state.catalog.store(enabled, std::sync::atomic::Ordering::Relaxed);
    }

    /// Switches the platform key that signs answers.
    pub fn set_mode(&self, mode: SigningMode) {
        *self.state.mode.lock().unwrap_or_else(|e| e.into_inner()) = mode;
        if let Some(cache) = self
            .state
            .signature_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            cache.clear();
        }
    }

    /// The certificates `/v3/certificates` lists (default: the original one).
    pub fn list_certificates(&self, certificates: &[MockCertificate]) {
        *self.state.listed_certificates.lock().unwrap_or_else(|e| e.into_inner()) = certificates.to_vec();
    }

    /// Signs answers with this certificate from now on (and switches to certificate mode).
    pub fn sign_with_certificate(&self, certificate: MockCertificate) {
        *self.state.signing_certificate.lock().unwrap_or_else(|e| e.into_inner()) = certificate;
        self.set_mode(SigningMode::Certificate);
    }

    /// A callback as the platform would send it, without sending it: headers and raw body,
    /// signed with the current key (faults applied) and its resource encrypted with
    /// [`APIV3_KEY`].
    pub fn signed_notification(&self, event_type: &str, resource: &Value) -> (HeaderMap, Bytes) {
        let fault = self.faults().standing.clone();
        self.state.notification(event_type, resource, fault.as_ref())
    }

    /// Signs an arbitrary body as the platform would sign an answer or callback (faults
    /// applied): the `Wechatpay-*` headers and the body to send.
    pub fn signed_body(&self, body: &[u8]) -> (HeaderMap, Bytes) {
        let fault = self.faults().standing.clone();
        self.state.sign_body(Bytes::copy_from_slice(body), fault.as_ref())
    }

    /// Decrypts a sensitive field as the platform does, with the private key of the platform
    /// key named `serial` (the request's `Wechatpay-Serial`).
    pub fn decrypt_field(&self, ciphertext: &str, serial: &str) -> Result<String> {
        self.state.signer.decrypt_field(ciphertext, serial)
    }

    /// Encrypts a field to the merchant's key, as the platform does for sensitive fields in
    /// its answers (Base64 RSA-OAEP SHA-1); [`crate::Client::decrypt`] reverses it.
    pub fn encrypt_for_merchant(&self, plaintext: &str) -> Result<String> {
        self.state.merchant_public_key.encrypt_field(plaintext)
    }

    /// POSTs a correctly signed and encrypted callback to `url`, as the platform does;
    /// returns the receiver's status.
    ///
    /// ```no_run
    /// # async fn f(mock: wechatpay::mock::MockServer) -> wechatpay::Result<()> {
    /// let status = mock
    ///     .notify("http://127.0.0.1:8080/notify", "TRANSACTION.SUCCESS", &serde_json::json!({"out_trade_no": "1"}))
    ///     .await?;
    /// assert_eq!(status, 204);
    /// # Ok(()) }
    /// ```
    pub async fn notify(&self, url: &str, event_type: &str, resource: &Value) -> Result<u16> {
        let (headers, body) = self.signed_notification(event_type, resource);
        let response = reqwest::Client::new()
            .post(url)
            .headers(headers)
            .body(body)
            .send()
            .await?;
        Ok(response.status().as_u16())
    }
}
