//! A synchronous facade over the async [`crate::Client`], for scripts and plain `fn main`.
//!
//! It owns a small tokio runtime and drives the async client on it; nothing of the protocol
//! is duplicated. Calling it from inside an async runtime would stall that runtime's worker,
//! so there it returns [`Error::BlockingInAsyncContext`] instead: use the async client with
//! `.await` in async code.
//!
//! ```no_run
//! use serde_json::json;
//! fn main() -> wechatpay::Result<()> {
//!     let client = wechatpay::blocking::Client::builder()
//!         .mchid("1900000001")
//!         .merchant_serial("3775B6A45ACD588826D15E583A95F5DD00000000")
//!         .private_key_file("apiclient_key.pem")?
//!         .platform_public_key("PUB_KEY_ID_0114232134912410000000000000", &std::fs::read_to_string("pub_key.pem").unwrap())?
//!         .build()?;
//!     let res = client
//!         .chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
//!         .get()
//!         .param("out_trade_no", "1217752501201407033233368018")
//!         .query("mchid", "1900000001")
//!         .send()?;
//!     println!("{}", res.status());
//!     Ok(())
//! }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::Method;
use serde_json::Value;

use crate::client::ClientBuilder;
use crate::error::{Error, Result};
use crate::response::Response;

/// Marker for a builder that yields the blocking [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Blocking;

/// A blocking WeChat Pay APIv3 client. Cloning is cheap.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<Runtime>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("blocking::Client").field(&self.inner).finish()
    }
}

/// The runtime the blocking client drives its requests on. Shut down in the background on
/// drop, so dropping the last client is safe even inside an async context.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl Client {
    /// Starts configuring a blocking client; the builder is the same as the async one.
    pub fn builder() -> ClientBuilder<Blocking> {
        ClientBuilder::new()
    }

    /// Builds a blocking client from the environment (see [`crate::Client::from_env`]).
    pub fn from_env() -> Result<Client> {
        ClientBuilder::<Blocking>::from_env()?.build()
    }

    /// Wraps an async client, sharing its configuration and connection pool settings.
    pub fn from_async(client: crate::Client) -> Result<Client> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("wechatpay-blocking")
            .enable_all()
            .build()
            .map_err(|e| Error::Config(format!("cannot start the blocking client's runtime: {e}")))?;
        Ok(Client {
            inner: client,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }

    /// The async client inside.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    /// Starts a request path, as [`crate::Client::chain`].
    pub fn chain(&self, path: &str) -> Chain {
        Chain {
            inner: self.inner.chain(path),
            runtime: self.runtime.clone(),
        }
    }

    /// Verifies and decrypts a callback; see [`crate::Notifications::parse`].
    pub fn parse_notification(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<crate::Notification> {
        Self::block_on(&self.runtime, self.inner.notifications().parse(headers, body))
    }

    /// Encrypts a sensitive field; see [`crate::Client::encrypt`].
    pub fn encrypt(&self, plaintext: &str) -> Result<crate::Encrypted> {
        self.inner.encrypt(plaintext)
    }

    /// Decrypts a sensitive field; see [`crate::Client::decrypt`].
    pub fn decrypt(&self, ciphertext: &str) -> Result<String> {
        self.inner.decrypt(ciphertext)
    }

    /// Downloads and checks the platform certificates; see
    /// [`crate::Client::download_certificates`].
    pub fn download_certificates(&self) -> Result<crate::certificates::CertificateDownload> {
        Self::block_on(&self.runtime, self.inner.download_certificates())
    }

    /// Downloads the platform certificates and trusts them; see
    /// [`crate::Client::refresh_certificates`].
    pub fn refresh_certificates(&self) -> Result<crate::certificates::CertificateDownload> {
        Self::block_on(&self.runtime, self.inner.refresh_certificates())
    }

    /// A bill download from its apply response; see [`crate::Client::bill`].
    pub fn bill(&self, apply: &Value) -> Result<RequestBuilder> {
        Ok(RequestBuilder {
            inner: self.inner.bill(apply)?,
            runtime: self.runtime.clone(),
        })
    }

    /// A signed `GET` of a platform download URL; see [`crate::Client::download_url`].
    pub fn download_url(&self, url: &str) -> Result<RequestBuilder> {
        Ok(RequestBuilder {
            inner: self.inner.download_url(url)?,
            runtime: self.runtime.clone(),
        })
    }

    fn block_on<T>(runtime: &Runtime, future: impl Future<Output = Result<T>>) -> Result<T> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::BlockingInAsyncContext);
        }
        let rt = runtime
            .0
            .as_ref()
            .expect("the runtime lives until the client is dropped");
        rt.block_on(future)
    }
}

impl ClientBuilder<Blocking> {
    /// Checks the configuration and builds the blocking client.
    pub fn build(self) -> Result<Client> {
        Client::from_async(self.build_async()?)
    }
}

impl ClientBuilder<crate::client::Async> {
    /// Turns this builder into one for the blocking client.
    pub fn blocking(self) -> ClientBuilder<Blocking> {
        self.into_flavor()
    }
}

/// A request path under construction; see [`crate::Chain`].
#[derive(Clone)]
#[must_use]
pub struct Chain {
    inner: crate::Chain,
    runtime: Arc<Runtime>,
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl Chain {
    /// Appends one segment, or several separated by `/`.
    pub fn chain(self, segment: &str) -> Self {
        Self {
            inner: self.inner.chain(segment),
            runtime: self.runtime,
        }
    }

    /// The normalised path template.
    pub fn template(&self) -> &str {
        self.inner.template()
    }

    /// Starts a `GET` request.
    pub fn get(self) -> RequestBuilder {
        self.request(Method::GET, None)
    }

    /// Starts a `DELETE` request.
    pub fn delete(self) -> RequestBuilder {
        self.request(Method::DELETE, None)
    }

    /// Starts a `POST` request with a JSON body.
    pub fn post(self, body: Value) -> RequestBuilder {
        self.request(Method::POST, Some(body))
    }

    /// Starts a `PUT` request with a JSON body.
    pub fn put(self, body: Value) -> RequestBuilder {
        self.request(Method::PUT, Some(body))
    }

    /// Starts a `PATCH` request with a JSON body.
    pub fn patch(self, body: Value) -> RequestBuilder {
        self.request(Method::PATCH, Some(body))
    }

    /// Starts a multipart upload of in-memory content; see [`crate::Chain::upload`].
    pub fn upload(self, filename: impl Into<String>, content: impl Into<bytes::Bytes>) -> RequestBuilder {
        RequestBuilder {
            inner: self.inner.upload(filename, content),
            runtime: self.runtime,
        }
    }

    /// Starts a multipart upload of a file, streamed; see [`crate::Chain::upload_file`].
    pub fn upload_file(self, path: impl AsRef<std::path::Path>) -> RequestBuilder {
        RequestBuilder {
            inner: self.inner.upload_file(path),
            runtime: self.runtime,
        }
    }

    /// Starts a request with any method and an optional JSON body.
    pub fn request(self, method: Method, body: Option<Value>) -> RequestBuilder {
        RequestBuilder {
            inner: self.inner.request(method, body),
            runtime: self.runtime,
        }
    }
}

/// A request being prepared; [`RequestBuilder::send`] signs, sends and verifies it.
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder {
    inner: crate::RequestBuilder,
    runtime: Arc<Runtime>,
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl RequestBuilder {
    fn map(self, f: impl FnOnce(crate::RequestBuilder) -> crate::RequestBuilder) -> Self {
        Self {
            inner: f(self.inner),
            runtime: self.runtime,
        }
    }

    /// Gives the value of the path variable `{name}` (percent-encoded).
    pub fn param(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.map(|r| r.param(name, value))
    }

    /// Appends a query parameter (order is kept).
    pub fn query(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.map(|r| r.query(key, value))
    }

    /// Adds or replaces a request header.
    pub fn header(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.map(|r| r.header(name, value))
    }

    /// The total time allowed for this request.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.map(|r| r.timeout(timeout))
    }

    /// Marks a `POST`/`PUT`/`PATCH` as safe to repeat; see [`crate::RequestBuilder::idempotent`].
    pub fn idempotent(self) -> Self {
        self.map(|r| r.idempotent())
    }

    /// Sees each attempt as it is signed; see [`crate::RequestBuilder::on_signed`].
    pub fn on_signed(self, hook: impl Fn(&crate::SignedRequest<'_>) + Send + Sync + 'static) -> Self {
        self.map(|r| r.on_signed(hook))
    }

    /// The total time allowed, retries included.
    pub fn deadline(self, deadline: Duration) -> Self {
        self.map(|r| r.deadline(deadline))
    }

    /// Encrypts the string at a JSON pointer of the body; see [`crate::RequestBuilder::encrypt`].
    pub fn encrypt(self, json_pointer: impl Into<String>) -> Self {
        self.map(|r| r.encrypt(json_pointer))
    }

    /// Declares a field encrypted beforehand; see [`crate::RequestBuilder::with_encrypted`].
    pub fn with_encrypted(self, encrypted: &crate::Encrypted) -> Self {
        self.map(|r| r.with_encrypted(encrypted))
    }

    /// For an upload: extra `meta` fields; see [`crate::RequestBuilder::meta`].
    pub fn meta(self, fields: Value) -> Self {
        self.map(|r| r.meta(fields))
    }

    /// For an upload: the file part's media type.
    pub fn media_type(self, media_type: impl Into<String>) -> Self {
        self.map(|r| r.media_type(media_type))
    }

    /// For a download: the digest the bytes must have.
    pub fn expect_digest(self, digest: crate::Digest) -> Self {
        self.map(|r| r.expect_digest(digest))
    }

    /// For a download: gunzip on the fly (digest over the compressed bytes).
    pub fn gunzip(self) -> Self {
        self.map(|r| r.gunzip())
    }

    /// Signs and sends the request and waits for the verified answer.
    pub fn send(self) -> Result<Response> {
        Client::block_on(&self.runtime, self.inner.send())
    }

    /// Streams the answer's body into `writer`; see [`crate::RequestBuilder::download`].
    pub fn download<W: std::io::Write>(self, writer: &mut W) -> Result<crate::Download> {
        let mut adapter = SyncWriter(writer);
        Client::block_on(&self.runtime, self.inner.download(&mut adapter))
    }

    /// Downloads into a file, atomically; see [`crate::RequestBuilder::download_to_file`].
    pub fn download_to_file(self, path: impl AsRef<std::path::Path>) -> Result<crate::Download> {
        Client::block_on(&self.runtime, self.inner.download_to_file(path))
    }
}

/// Lets the async download write into a synchronous writer. The download runs on the
/// calling thread (inside `block_on`), so writing inline blocks nobody else.
struct SyncWriter<'w, W>(&'w mut W);

impl<W: std::io::Write> tokio::io::AsyncWrite for SyncWriter<'_, W> {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::task::Poll::Ready(self.get_mut().0.write(buf))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(self.get_mut().0.flush())
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.poll_flush(cx)
    }
}
