//! A verified response: status, headers and the body, already read in full.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{BodyError, Error, Result};

/// A successful (2xx) answer whose signature has been verified (except on the documented
/// download paths, which the platform does not sign). The body has already been read, so
/// the accessors are plain methods.
///
/// ```no_run
/// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
/// let res = client.chain("v3/certificates").get().await?;
/// assert_eq!(res.status(), 200);
/// println!("Request-ID {:?}, verified by {:?}", res.request_id(), res.verified_by());
/// let certificates: serde_json::Value = res.json()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    verified_by: Option<String>,
}

/// `Debug` shows the status, the Request-ID, the key that verified it and the body's size:
/// not the body nor the header values, which may hold payer and order details.
impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("verified_by", &self.verified_by)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Response {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: Bytes, verified_by: Option<String>) -> Self {
        Self {
            status,
            headers,
            body,
            verified_by,
        }
    }

    /// The HTTP status (compares with integers: `res.status() == 204`).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The platform's `Request-ID`; quote it in support tickets.
    pub fn request_id(&self) -> Option<&str> {
        crate::protocol::request_id(&self.headers)
    }

    /// The id of the platform key (public key id or certificate serial) that verified the
    /// signature; `None` for unsigned download paths.
    pub fn verified_by(&self) -> Option<&str> {
        self.verified_by.as_deref()
    }

    /// Decodes the JSON body. An empty body (a 204) decodes as JSON `null`, so
    /// `json::<Option<T>>()` and `json::<serde_json::Value>()` work on it.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        let body: &[u8] = if self.body.is_empty() { b"null" } else { &self.body };
        serde_json::from_slice(body).map_err(Error::decode)
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).map_err(|_| BodyError::NotUtf8.into())
    }

    /// The body bytes exactly as received (and verified).
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }
}
