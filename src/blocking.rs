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

    /// Signs and sends the request and waits for the verified answer.
    pub fn send(self) -> Result<Response> {
        Client::block_on(&self.runtime, self.inner.send())
    }
}
