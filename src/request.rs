//! The request builder: path parameters, query, headers, body; awaiting it signs, sends,
//! reads and verifies (through [`crate::transport`] and [`crate::retry`]).

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use serde_json::Value;
use url::Url;

use crate::auth::verify;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::path::{expand, matches_template, percent_encode_into};
use crate::response::Response;

/// Paths whose 2xx answers are files that the platform does not sign (PROTOCOL.md section 3);
/// their integrity comes from a digest instead.
pub const UNSIGNED_DOWNLOADS: &[&str] = &[
    "/v3/billdownload/file",
    "/v3/transferdownload/signfile",
    "/v3/transferdownload/elecvoucherfile",
    "/v3/merchant-service/images/{media_id}",
    "/v3/global/merchant-service/images/{media_id}",
    "/v3/global/statements",
    "/hk/v3/statements",
];

/// A request being prepared. Await it (it implements [`IntoFuture`]) to sign and send it;
/// the result is a verified [`Response`] or an [`Error`].
///
/// ```no_run
/// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
/// let res = client
///     .chain("v3/refund/domestic/refunds/{out_refund_no}")
///     .get()
///     .param("out_refund_no", "1217752501201407033233368018")
///     .query("sub_mchid", "1900000109")
///     .timeout(std::time::Duration::from_secs(5))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until it is awaited"]
pub struct RequestBuilder {
    client: Client,
    method: Method,
    template: String,
    params: Vec<(String, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Value>,
    timeout: Option<Duration>,
    encrypt_pointers: Vec<String>,
    encrypted_with: Vec<String>,
    idempotent: bool,
    deadline: Option<Duration>,
    upload: Option<crate::media::Upload>,
    download: crate::download::DownloadOptions,
    absolute_url: Option<Url>,
    on_signed: Option<SignedHook>,
}

/// A callback that sees each attempt exactly as it is signed and sent.
#[derive(Clone)]
pub(crate) struct SignedHook(pub(crate) std::sync::Arc<dyn Fn(&SignedRequest<'_>) + Send + Sync>);

impl std::fmt::Debug for SignedHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignedHook")
    }
}

/// One attempt of a request as it goes on the wire, for debugging: what the signature
/// covers and the headers sent. Given to [`RequestBuilder::on_signed`].
#[derive(Debug)]
pub struct SignedRequest<'a> {
    /// The method.
    pub method: &'a str,
    /// The request target as sent (path and query).
    pub target: &'a str,
    /// The signature's timestamp.
    pub timestamp: i64,
    /// The signature's nonce.
    pub nonce: &'a str,
    /// The signed body: the JSON sent, or an upload's meta text.
    pub body: &'a [u8],
    /// Every request header sent, `Authorization` included.
    pub headers: &'a HeaderMap,
}

impl SignedRequest<'_> {
    /// The five-line message the signature covers.
    pub fn message(&self) -> Vec<u8> {
        crate::auth::signing::message(self.method, self.target, self.timestamp, self.nonce, self.body)
    }
}

/// `Debug` shows the shape of the request, never values that may be sensitive: the body
/// (fields to encrypt are still plaintext here), parameter and query values, header values.
impl std::fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = |pairs: &[(String, String)]| pairs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("template", &self.template)
            .field("params", &names(&self.params))
            .field("query", &names(&self.query))
            .field("headers", &names(&self.headers))
            .field("body", &self.body.as_ref().map(|_| "<json>"))
            .field("encrypt", &self.encrypt_pointers)
            .field("upload", &self.upload.as_ref().map(|u| u.filename.as_str()))
            .finish_non_exhaustive()
    }
}

/// Everything about a request that is decided before it is signed: method, URL, the exact
/// target and body bytes that the signature covers, and the extra headers.
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) method: Method,
    /// The path template, for logs (identifiers stay out of them).
    pub(crate) template: String,
    pub(crate) url: Url,
    pub(crate) target: String,
    pub(crate) body: Bytes,
    pub(crate) has_body: bool,
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Option<Duration>,
    pub(crate) unsigned_download: bool,
    /// For an unsigned download: the digest to check and whether it is a statement.
    pub(crate) download: crate::download::DownloadOptions,
    /// The platform key that encrypted sensitive fields: it must be the `Wechatpay-Serial`.
    pub(crate) sensitive_serial: Option<String>,
    /// An upload's multipart body; `body` then holds the signed `meta` text.
    pub(crate) multipart: Option<crate::media::Multipart>,
    /// Called with each attempt as it is signed.
    pub(crate) on_signed: Option<SignedHook>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("method", &self.method)
            .field("template", &self.template)
            .finish_non_exhaustive()
    }
}

impl RequestBuilder {
    pub(crate) fn new(client: Client, method: Method, template: String, body: Option<Value>) -> Self {
        Self {
            client,
            method,
            template,
            params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body,
            timeout: None,
            encrypt_pointers: Vec::new(),
            encrypted_with: Vec::new(),
            idempotent: false,
            deadline: None,
            upload: None,
            download: Default::default(),
            absolute_url: None,
            on_signed: None,
        }
    }

    /// A `GET` of an absolute URL on an allowed host, its path and query sent as given.
    pub(crate) fn for_url(client: Client, url: Url) -> Self {
        let template = url.path().trim_start_matches('/').to_owned();
        let mut builder = Self::new(client, Method::GET, template, None);
        builder.absolute_url = Some(url);
        builder
    }

    /// A multipart upload (`POST`).
    pub(crate) fn for_upload(client: Client, template: String, upload: crate::media::Upload) -> Self {
        let mut builder = Self::new(client, Method::POST, template, None);
        builder.upload = Some(upload);
        builder
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    pub(crate) fn template_ref(&self) -> &str {
        &self.template
    }

    /// The request's deadline, or the client's.
    pub(crate) fn deadline_or(&self, client: &Client) -> Option<Duration> {
        self.deadline.or(client.inner.deadline)
    }

    pub(crate) fn download_options(&mut self) -> &mut crate::download::DownloadOptions {
        &mut self.download
    }

    /// For an upload: fields added to (or replacing) the `meta` part's
    /// `{"filename","sha256"}`, such as `{"bank_type": "..."}`. The signature covers the
    /// resulting meta text as sent.
    pub fn meta(mut self, fields: Value) -> Self {
        if let Some(upload) = &mut self.upload {
            match (&mut upload.meta, fields) {
                (Some(Value::Object(existing)), Value::Object(more)) => existing.extend(more),
                (slot, fields) => *slot = Some(fields),
            }
        }
        self
    }

    /// For an upload: the file part's media type, instead of the one the file name's
    /// extension gives.
    pub fn media_type(mut self, media_type: impl Into<String>) -> Self {
        if let Some(upload) = &mut self.upload {
            upload.media_type = Some(media_type.into());
        }
        self
    }

    /// Gives the value of the path variable `{name}`; it is percent-encoded (every character
    /// but `A-Z a-z 0-9 - . _ ~`). Giving the same name again replaces the value.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        let value = value.into();
        match self.params.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.params.push((name, value)),
        }
        self
    }

    /// Appends a query parameter (repeatable; order is kept). Key and value are
    /// percent-encoded, and the signature covers the query exactly as sent.
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds or replaces a request header. `Authorization` is set by the client and cannot
    /// be given here.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The total time allowed for this request, overriding the client's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Encrypts the string at this JSON pointer (RFC 6901, such as `/id_card_name` or
    /// `/bank_account_info/account_number`) of the body with the platform key the client
    /// prefers (RSA-OAEP), just before signing, and sends `Wechatpay-Serial` naming that
    /// key. Repeatable; every field is encrypted with the same key.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// use serde_json::json;
    /// client
    ///     .chain("v3/applyment4sub/applyment/")
    ///     .post(json!({"contact_info": {"contact_name": "张三", "mobile_phone": "13900000000"}}))
    ///     .encrypt("/contact_info/contact_name")
    ///     .encrypt("/contact_info/mobile_phone")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn encrypt(mut self, json_pointer: impl Into<String>) -> Self {
        self.encrypt_pointers.push(json_pointer.into());
        self
    }

    /// Declares that the body carries a field encrypted beforehand with
    /// [`Client::encrypt`](crate::Client::encrypt): the request then names that key in
    /// `Wechatpay-Serial`, and refuses to go out if fields were encrypted with different keys.
    pub fn with_encrypted(mut self, encrypted: &crate::sensitive::Encrypted) -> Self {
        self.encrypted_with.push(encrypted.serial().to_owned());
        self
    }

    /// Marks a `POST`, `PUT` or `PATCH` as safe to repeat, so the client's
    /// [`RetryPolicy`](crate::RetryPolicy) and failover may send it again. Do this only when
    /// the platform deduplicates the call, as it does on `out_trade_no`, `out_refund_no`
    /// and the other merchant-side numbers. `GET`, `HEAD`, `OPTIONS` and `DELETE` are
    /// repeatable already.
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// The total time allowed for this request, retries and waits included, overriding the
    /// client's deadline.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Calls `hook` with each attempt exactly as it is signed and sent (method, target,
    /// timestamp, nonce, signed body, headers), to see what the signature covers when the
    /// platform answers `SIGN_ERROR`. Keep it out of production logs: it sees the body.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// client
    ///     .chain("v3/certificates")
    ///     .get()
    ///     .on_signed(|sent| eprintln!("{}", String::from_utf8_lossy(&sent.message())))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn on_signed(mut self, hook: impl Fn(&SignedRequest<'_>) + Send + Sync + 'static) -> Self {
        self.on_signed = Some(SignedHook(std::sync::Arc::new(hook)));
        self
    }

    /// Signs and sends the request, then reads and verifies the answer, retrying as the
    /// client's policy allows. Same as `.await`.
    pub async fn send(self) -> Result<Response> {
        let client = self.client.clone();
        let repeatable = self.idempotent
            || matches!(
                self.method,
                Method::GET | Method::HEAD | Method::OPTIONS | Method::DELETE
            );
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let run = async {
            client.ensure_platform_keys().await?;
            let upload_digest = match &self.upload {
                Some(upload) => Some(crate::media::upload_digest(&upload.source).await?),
                None => None,
            };
            let prepared = self.prepare_with(upload_digest)?;
            crate::retry::execute_with_retries(&client, prepared, repeatable, &attempts).await
        };
        match self.deadline.or(client.inner.deadline) {
            None => run.await,
            Some(deadline) => tokio::time::timeout(deadline, run).await.unwrap_or_else(|_| {
                Err(Error::DeadlineExceeded {
                    deadline,
                    attempts: attempts.load(std::sync::atomic::Ordering::Relaxed),
                })
            }),
        }
    }

    /// Checks and renders everything that does not depend on time: any mistake is an error
    /// here, before anything is sent.
    pub(crate) fn prepare(&self) -> Result<Prepared> {
        self.prepare_with(None)
    }

    /// [`Self::prepare`], given the SHA-256 and length of an upload's content.
    pub(crate) fn prepare_with(&self, upload_digest: Option<(String, u64)>) -> Result<Prepared> {
        let inner = &self.client.inner;
        let params: Vec<(&str, &str)> = self.params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let (path, full_path, mut url) = match &self.absolute_url {
            Some(url) => {
                if let Some((name, _)) = self.params.first() {
                    return Err(Error::UnusedParam { name: name.clone() });
                }
                let path = url.path().to_owned();
                (path.clone(), path, url.clone())
            }
            None => {
                let path = expand(&self.template, &params)?;
                let full_path = format!("{}{}", inner.base_url.path(), &path[1..]);
                let mut url = inner.base_url.clone();
                url.set_path(&full_path);
                (path, full_path, url)
            }
        };
        if !self.query.is_empty() {
            let mut query = url.query().map(|q| format!("{q}&")).unwrap_or_default();
            for (i, (k, v)) in self.query.iter().enumerate() {
                if i > 0 {
                    query.push('&');
                }
                percent_encode_into(k, &mut query);
                query.push('=');
                percent_encode_into(v, &mut query);
            }
            url.set_query(Some(&query));
        }
        if url.path() != full_path {
            return Err(Error::InvalidPath {
                path: self.template.clone(),
                reason: "the URL parser would change this path",
            });
        }
        let target = match url.query() {
            Some(q) => format!("{}?{}", url.path(), q),
            None => url.path().to_owned(),
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let invalid = |reason| Error::InvalidHeader {
                name: name.clone(),
                reason,
            };
            let header_name =
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid("not a valid header name"))?;
            if header_name == AUTHORIZATION {
                return Err(invalid("the Authorization header is computed by the client"));
            }
            // The framing of the request is the client's: changing it would send other bytes
            // than the ones signed, or break an upload's multipart boundary.
            let framing = [
                http::header::CONTENT_LENGTH,
                http::header::TRANSFER_ENCODING,
                http::header::HOST,
            ];
            if framing.contains(&header_name) || (self.upload.is_some() && header_name == http::header::CONTENT_TYPE) {
                return Err(invalid("this header frames the request and is set by the client"));
            }
            let header_value = HeaderValue::from_str(value).map_err(|_| invalid("not a valid header value"))?;
            headers.insert(header_name, header_value);
        }
        // The body is copied only when fields of it are to be encrypted.
        let mut encrypted_body = None;
        let mut sensitive_serial = None;
        if !self.encrypt_pointers.is_empty() {
            let mut body = self.body.clone().ok_or_else(|| Error::SensitiveField {
                reason: "the request has no body to encrypt fields of".into(),
            })?;
            let serial = crate::sensitive::encrypt_fields(&self.client, &mut body, &self.encrypt_pointers)?;
            sensitive_serial = Some(serial);
            encrypted_body = Some(body);
        }
        let body_value = encrypted_body.as_ref().or(self.body.as_ref());
        for serial in self.encrypted_with.iter().cloned() {
            match &sensitive_serial {
                Some(existing) if !crate::auth::same_key_id(existing, &serial) => {
                    return Err(Error::SensitiveField {
                        reason: format!("fields are encrypted with two platform keys, {existing} and {serial}"),
                    });
                }
                Some(_) => {}
                None => sensitive_serial = Some(serial),
            }
        }
        if let (Some(serial), Some(given)) = (&sensitive_serial, headers.get(verify::SERIAL))
            && !given.to_str().is_ok_and(|g| crate::auth::same_key_id(g, serial))
        {
            return Err(Error::SensitiveField {
                reason: format!(
                    "the Wechatpay-Serial header given differs from the key {serial} that encrypted the fields"
                ),
            });
        }
        let (mut body, mut has_body) = match body_value {
            Some(value) => (Bytes::from(serde_json::to_vec(value).map_err(Error::Decode)?), true),
            None => (Bytes::new(), false),
        };
        let multipart = match (&self.upload, upload_digest) {
            (Some(upload), Some((sha256, length))) => {
                let multipart = crate::media::render(upload, &sha256, length, crate::media::boundary()?)?;
                body = multipart.meta.clone();
                has_body = true;
                Some(multipart)
            }
            (Some(_), None) => {
                return Err(Error::InvalidUpload {
                    reason: "an upload is sent with .await or .send(), not downloaded".into(),
                });
            }
            (None, _) => None,
        };
        let unsigned_download =
            self.method == Method::GET && UNSIGNED_DOWNLOADS.iter().any(|t| matches_template(&path, t));
        Ok(Prepared {
            method: self.method.clone(),
            template: format!("/{}", self.template),
            url,
            target,
            body,
            has_body,
            headers,
            timeout: self.timeout,
            unsigned_download,
            download: crate::download::DownloadOptions {
                statement: unsigned_download && crate::download::is_statement(&path),
                ..self.download.clone()
            },
            sensitive_serial,
            multipart,
            on_signed: self.on_signed.clone(),
        })
    }
}

impl IntoFuture for RequestBuilder {
    type Output = Result<Response>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Response>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
