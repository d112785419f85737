//! The chain: a path built from segments, then a verb that starts a request.

use http::Method;
use serde::Serialize;
use serde_json::Value;

use super::RequestBuilder;
use super::upload::Upload;
use crate::client::Client;
use crate::protocol::path::{push_normalized_path, template_for_logs};
use crate::wire::Content;

/// A request path under construction, as in wechatpay-php's `chain()`.
///
/// Each segment is normalised (`extPayment` -> `ext-payment`, `_out_trade_no_` ->
/// `{out_trade_no}`); see [`crate::path::normalize_segment`]. Identifiers never go in a
/// segment: name them as `{variables}` and give their values with
/// [`RequestBuilder::param`], which percent-encodes them.
///
/// ```no_run
/// # fn f(client: &wechatpay::Client) {
/// let chain = client.chain("v3").chain("pay").chain("transactions").chain("outTradeNo").chain("_out_trade_no_");
/// assert_eq!(chain.template(), "v3/pay/transactions/out-trade-no/{out_trade_no}");
/// # }
/// ```
#[derive(Clone)]
#[must_use]
pub struct Chain {
    client: Client,
    template: String,
    /// The first segment given that reads as an identifier (its index among the
    /// template's segments, and the segment as given): the request will be refused.
    identifier: Option<usize>,
}

/// `Debug` shows the template as logs do (an identifier written into it masked) and where
/// the first identifier is, never the client's secrets.
impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain")
            .field("template", &template_for_logs(&self.template))
            .field("identifier", &self.identifier)
            .finish_non_exhaustive()
    }
}

impl Chain {
    pub(crate) fn new(client: Client, path: &str) -> Self {
        let mut template = String::with_capacity(path.len() + 8);
        let identifier = push_normalized_path(path, &mut template, true);
        Self {
            client,
            template,
            identifier,
        }
    }

    /// Appends one segment, or several separated by `/`.
    pub fn chain(mut self, segment: &str) -> Self {
        if !self.template.is_empty() && !self.template.ends_with('/') {
            self.template.push('/');
        }
        let before = self.template.split('/').count() - 1;
        let first = self.template.is_empty();
        let found = push_normalized_path(segment, &mut self.template, first);
        if self.identifier.is_none() {
            self.identifier = found.map(|i| before + i);
        }
        self
    }

    /// The catalogued operations at this path, one per method (empty for a path missing
    /// from the catalogue).
    ///
    /// ```
    /// let client = wechatpay::mock::MockServer::start().client();
    /// let ops = client.chain("v3/pay/transactions/out-trade-no/{out_trade_no}").describe();
    /// assert!(ops.iter().any(|op| op.method() == "GET"));
    /// ```
    #[cfg(feature = "catalog")]
    pub fn describe(&self) -> Vec<crate::catalog::Operation<'static>> {
        crate::catalog::Catalog::get().lookup_path(&format!("/{}", self.template))
    }

    /// The normalised path template, without a leading slash.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// Starts a `GET` request.
    pub fn get(self) -> RequestBuilder {
        self.request(Method::GET, None)
    }

    /// Starts a `DELETE` request.
    pub fn delete(self) -> RequestBuilder {
        self.request(Method::DELETE, None)
    }

    /// Starts a `POST` request with a JSON body: a `serde_json::Value` (`json!({..})`) or
    /// any `Serialize` type of your own. A value that cannot be represented as JSON (a map
    /// with non-string keys) is [`RequestError::InvalidBody`](crate::error::RequestError::InvalidBody)
    /// when the request is sent; nothing goes out.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// #[derive(serde::Serialize)]
    /// struct Close<'a> { mchid: &'a str }
    /// client
    ///     .chain("v3/pay/transactions/out-trade-no/{out_trade_no}/close")
    ///     .post(Close { mchid: "1900000001" })
    ///     .param("out_trade_no", "1217752501201407033233368018")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn post(self, body: impl Serialize) -> RequestBuilder {
        self.with_body(Method::POST, body)
    }

    /// Starts a `PUT` request with a JSON body; see [`Self::post`].
    pub fn put(self, body: impl Serialize) -> RequestBuilder {
        self.with_body(Method::PUT, body)
    }

    /// Starts a `PATCH` request with a JSON body; see [`Self::post`].
    pub fn patch(self, body: impl Serialize) -> RequestBuilder {
        self.with_body(Method::PATCH, body)
    }

    fn with_body(self, method: Method, body: impl Serialize) -> RequestBuilder {
        match serde_json::to_value(body) {
            Ok(value) => self.request(method, Some(value)),
            Err(e) => self.request(method, None).with_body_error(e.to_string()),
        }
    }

    /// Starts a multipart upload (`POST`) of in-memory content: a `meta` part
    /// `{"filename","sha256"}` computed from it (extend it with
    /// [`RequestBuilder::meta`]) and a `file` part with the media type of the file name.
    /// The signature covers the meta text as sent.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// let image = std::fs::read("logo.png")?;
    /// let res = client.chain("v3/merchant/media/upload").upload("logo.png", image).await?;
    /// let media_id = res.json::<serde_json::Value>()?["media_id"].clone();
    /// # Ok(()) }
    /// ```
    pub fn upload(self, filename: impl Into<String>, content: impl Into<bytes::Bytes>) -> RequestBuilder {
        let upload = Upload {
            filename: filename.into(),
            content: Content::Memory(content.into()),
            meta: None,
            media_type: None,
        };
        RequestBuilder::for_upload(self.client, self.template, upload).with_identifier(self.identifier)
    }

    /// Starts a multipart upload of a file, streamed from disk (read once to hash it and
    /// once to send it, never held whole in memory); the file name is the path's.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// let res = client.chain("v3/merchant/media/video_upload").upload_file("intro.mp4").await?;
    /// # Ok(()) }
    /// ```
    pub fn upload_file(self, path: impl AsRef<std::path::Path>) -> RequestBuilder {
        let path = path.as_ref().to_path_buf();
        let upload = Upload {
            filename: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            content: Content::File(path),
            meta: None,
            media_type: None,
        };
        RequestBuilder::for_upload(self.client, self.template, upload).with_identifier(self.identifier)
    }

    /// Starts a request with any method and an optional JSON body.
    pub fn request(self, method: Method, body: Option<Value>) -> RequestBuilder {
        RequestBuilder::new(self.client, method, self.template, body).with_identifier(self.identifier)
    }
}
