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

mod builder;
mod request;

pub use request::{Chain, RequestBuilder};

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::ClientBuilder;
use crate::error::{Error, Result};

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
pub(crate) struct Runtime(Option<tokio::runtime::Runtime>);

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
            .map_err(|e| Error::config(format!("cannot start the blocking client's runtime: {e}")))?;
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
        Chain::new(self.inner.chain(path), self.runtime.clone())
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
    pub fn download_certificates(&self) -> Result<crate::trust::CertificateDownload> {
        Self::block_on(&self.runtime, self.inner.download_certificates())
    }

    /// Downloads the platform certificates and trusts them; see
    /// [`crate::Client::refresh_certificates`].
    pub fn refresh_certificates(&self) -> Result<crate::trust::CertificateDownload> {
        Self::block_on(&self.runtime, self.inner.refresh_certificates())
    }

    /// A bill download from its apply response; see [`crate::Client::bill`].
    pub fn bill(&self, apply: &Value) -> Result<RequestBuilder> {
        Ok(RequestBuilder::new(self.inner.bill(apply)?, self.runtime.clone()))
    }

    /// A signed `GET` of a platform download URL; see [`crate::Client::download_url`].
    pub fn download_url(&self, url: &str) -> Result<RequestBuilder> {
        Ok(RequestBuilder::new(self.inner.download_url(url)?, self.runtime.clone()))
    }

    pub(crate) fn block_on<T>(runtime: &Runtime, future: impl Future<Output = Result<T>>) -> Result<T> {
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
