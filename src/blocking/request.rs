//! The blocking chain and request builder: each wraps its async twin and the runtime that
//! drives it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::Method;
use serde_json::Value;

use super::{Client, Runtime};
use crate::error::Result;
use crate::response::Response;

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
    pub(crate) fn new(inner: crate::Chain, runtime: Arc<Runtime>) -> Self {
        Self { inner, runtime }
    }

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
    pub fn post(self, body: impl serde::Serialize) -> RequestBuilder {
        RequestBuilder::new(self.inner.post(body), self.runtime)
    }

    /// Starts a `PUT` request with a JSON body.
    pub fn put(self, body: impl serde::Serialize) -> RequestBuilder {
        RequestBuilder::new(self.inner.put(body), self.runtime)
    }

    /// Starts a `PATCH` request with a JSON body.
    pub fn patch(self, body: impl serde::Serialize) -> RequestBuilder {
        RequestBuilder::new(self.inner.patch(body), self.runtime)
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
    pub(crate) fn new(inner: crate::RequestBuilder, runtime: Arc<Runtime>) -> Self {
        Self { inner, runtime }
    }

    fn map(self, f: impl FnOnce(crate::RequestBuilder) -> crate::RequestBuilder) -> Self {
        Self {
            inner: f(self.inner),
            runtime: self.runtime,
        }
    }

    /// Gives the value of the path variable `{name}` (percent-encoded).
    pub fn param(self, name: impl Into<String>, value: impl std::fmt::Display) -> Self {
        self.map(|r| r.param(name, value))
    }

    /// Appends a query parameter (order is kept).
    pub fn query(self, key: impl Into<String>, value: impl std::fmt::Display) -> Self {
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

    /// For a download: gunzip on the fly (digest over the compressed bytes); see
    /// [`crate::RequestBuilder::gunzip`].
    pub fn gunzip(self) -> Self {
        self.map(|r| r.gunzip())
    }

    /// For a gzip download: the most bytes it may inflate to; see
    /// [`crate::RequestBuilder::max_inflated_bytes`].
    pub fn max_inflated_bytes(self, limit: u64) -> Self {
        self.map(|r| r.max_inflated_bytes(limit))
    }

    /// The catalogued operation this request names; see [`crate::RequestBuilder::describe`].
    #[cfg(feature = "catalog")]
    pub fn describe(&self) -> Option<crate::catalog::Operation<'static>> {
        self.inner.describe()
    }

    /// Every rule of the catalogue the request breaks; see [`crate::RequestBuilder::validate`].
    #[cfg(feature = "catalog")]
    pub fn validate(&self) -> Vec<crate::catalog::Violation> {
        self.inner.validate()
    }

    /// Whether the TLS connection presents the merchant certificate; see
    /// [`crate::RequestBuilder::client_certificate`].
    pub fn client_certificate(self, present: bool) -> Self {
        self.map(|r| r.client_certificate(present))
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
