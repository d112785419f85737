//! The request builder: path parameters, query, headers; awaiting it signs, sends, reads and
//! verifies.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, StatusCode};
use serde_json::Value;
use url::Url;

use crate::auth::{signing, verify};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::path::{expand, matches_template, percent_encode_into};
use crate::response::{Response, request_id};

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
#[derive(Debug)]
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
}

/// Everything about a request that is decided before it is signed: method, URL, the exact
/// target and body bytes that the signature covers, and the extra headers.
#[derive(Debug, Clone)]
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
    /// The platform key that encrypted sensitive fields: it must be the `Wechatpay-Serial`.
    pub(crate) sensitive_serial: Option<String>,
    /// An upload's multipart body; `body` then holds the signed `meta` text.
    pub(crate) multipart: Option<crate::media::Multipart>,
}

/// An answer as received, before status mapping and verification.
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
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

    pub(crate) fn download_options(&mut self) -> &mut crate::download::DownloadOptions {
        &mut self.download
    }

    pub(crate) fn download_options_ref(&self) -> &crate::download::DownloadOptions {
        &self.download
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
                Some(upload) => Some(upload_digest(&upload.source).await?),
                None => None,
            };
            let prepared = self.prepare_with(upload_digest)?;
            execute_with_retries(&client, prepared, repeatable, &attempts).await
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
            let header_value = HeaderValue::from_str(value).map_err(|_| invalid("not a valid header value"))?;
            headers.insert(header_name, header_value);
        }
        let mut body_value = self.body.clone();
        let mut sensitive_serial = None;
        if !self.encrypt_pointers.is_empty() {
            let body = body_value.as_mut().ok_or_else(|| Error::SensitiveField {
                reason: "the request has no body to encrypt fields of".into(),
            })?;
            let serial = crate::sensitive::encrypt_fields(&self.client, body, &self.encrypt_pointers)?;
            sensitive_serial = Some(serial);
        }
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
        let (mut body, mut has_body) = match &body_value {
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
            (Some(upload), None) => match &upload.source {
                crate::media::Source::Memory(content) => {
                    let sha256 = crate::crypto::sha256_hex(content);
                    let multipart =
                        crate::media::render(upload, &sha256, content.len() as u64, crate::media::boundary()?)?;
                    body = multipart.meta.clone();
                    has_body = true;
                    Some(multipart)
                }
                crate::media::Source::File(_) => {
                    return Err(Error::InvalidUpload {
                        reason: "a file upload must be sent with .await or .send()".into(),
                    });
                }
            },
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
            sensitive_serial,
            multipart,
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

/// Sends a prepared request, retrying and failing over as the client's policy and the
/// request's repeatability allow. `attempts` counts the attempts made (for the deadline error).
async fn execute_with_retries(
    client: &Client,
    mut prepared: Prepared,
    repeatable: bool,
    attempts: &std::sync::atomic::AtomicU32,
) -> Result<Response> {
    let inner = &client.inner;
    let max_attempts = inner.retry.map_or(1, |p| p.max_attempts());
    let mut failed_over = false;
    let mut attempt = 1;
    loop {
        attempts.store(attempt, std::sync::atomic::Ordering::Relaxed);
        let error = match execute_traced(client, &prepared, attempt).await {
            Ok(response) => return Ok(response),
            Err(error) => error,
        };
        let give_up = |error: Error| {
            Err(if attempt > 1 {
                Error::Retried {
                    attempts: attempt,
                    last: Box::new(error),
                }
            } else {
                error
            })
        };
        if !repeatable {
            return give_up(error);
        }
        if let Some(backup) = &inner.backup_base_url
            && !failed_over
            && crate::retry::is_connect_failure(&error)
        {
            // A connection failure on the primary host: the backup host, at once.
            failed_over = true;
            prepared.url = rebase(&prepared.url, &inner.base_url, backup);
            attempt += 1;
            continue;
        }
        let Some(policy) = inner.retry else {
            return give_up(error);
        };
        if attempt >= max_attempts || !crate::retry::is_retryable(&error) {
            return give_up(error);
        }
        tokio::time::sleep(policy.wait_after(attempt)).await;
        attempt += 1;
    }
}

/// The same path and query on another base URL (the backup host).
fn rebase(url: &Url, from: &Url, to: &Url) -> Url {
    let relative = &url.as_str()[from.as_str().len().min(url.as_str().len())..];
    to.join(relative).unwrap_or_else(|_| url.clone())
}

/// One attempt, inside a `tracing` span: method, path template, attempt, then status,
/// Request-ID and latency. Bodies and identifiers stay out of it.
async fn execute_traced(client: &Client, prepared: &Prepared, attempt: u32) -> Result<Response> {
    use tracing::Instrument as _;
    let span = tracing::info_span!(
        "wechatpay.request",
        method = %prepared.method,
        path = %prepared.template,
        attempt,
        status = tracing::field::Empty,
        request_id = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let result = execute(client, prepared).instrument(span.clone()).await;
    span.record("latency_ms", started.elapsed().as_millis() as u64);
    match &result {
        Ok(response) => {
            span.record("status", response.status().as_u16());
            if let Some(id) = response.request_id() {
                span.record("request_id", id);
            }
            tracing::debug!(parent: &span, "verified");
        }
        Err(error) => {
            if let Error::Api { status, request_id, .. } = error {
                span.record("status", status);
                if let Some(id) = request_id {
                    span.record("request_id", id.as_str());
                }
            }
            tracing::info!(parent: &span, error = %error, "request failed");
        }
    }
    result
}

/// Signs a prepared request with a fresh timestamp and nonce, sends it, reads the answer
/// within the size limit and verifies it.
pub(crate) async fn execute(client: &Client, prepared: &Prepared) -> Result<Response> {
    let unsigned_download = prepared.unsigned_download;
    let raw = send_raw(client, prepared).await?;
    if !raw.status.is_success() {
        return Err(api_error(raw.status, &raw.headers, &raw.body));
    }
    let verified_by = if unsigned_download {
        None
    } else {
        Some(client.verify_signed(&raw.headers, &raw.body).await?)
    };
    Ok(Response::new(raw.status, raw.headers, raw.body, verified_by))
}

/// Signs a prepared request with a fresh timestamp and nonce, sends it and reads the
/// answer within the size limit; no status mapping, no verification.
pub(crate) async fn send_raw(client: &Client, prepared: &Prepared) -> Result<RawResponse> {
    let response = send_request(client, prepared).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = read_body(response, client.inner.max_response_bytes).await?;
    Ok(RawResponse { status, headers, body })
}

/// The SHA-256 (hex) and length of an upload's content; a file is read in chunks.
async fn upload_digest(source: &crate::media::Source) -> Result<(String, u64)> {
    match source {
        crate::media::Source::Memory(content) => Ok((crate::crypto::sha256_hex(content), content.len() as u64)),
        crate::media::Source::File(path) => {
            use tokio::io::AsyncReadExt as _;
            let mut file = tokio::fs::File::open(path).await.map_err(|e| Error::InvalidUpload {
                reason: format!("cannot read {}: {e}", path.display()),
            })?;
            let mut hasher = crate::crypto::digest::Sha256::new();
            let mut buffer = vec![0u8; 64 * 1024];
            let mut length = 0u64;
            loop {
                let n = file.read(&mut buffer).await?;
                if n == 0 {
                    break;
                }
                hasher.update(&buffer[..n]);
                length += n as u64;
            }
            Ok((hasher.finish_hex(), length))
        }
    }
}

/// The multipart body: in memory, or streamed from the file (which must not have changed).
fn multipart_body(multipart: &crate::media::Multipart) -> reqwest::Body {
    match &multipart.source {
        crate::media::Source::Memory(content) => {
            let mut body = Vec::with_capacity(multipart.body_length() as usize);
            body.extend_from_slice(&multipart.head);
            body.extend_from_slice(content);
            body.extend_from_slice(&multipart.tail);
            reqwest::Body::from(body)
        }
        crate::media::Source::File(path) => {
            use tokio::io::AsyncReadExt as _;
            enum State {
                Head,
                File(tokio::fs::File, u64),
                Tail,
                Done,
            }
            let (head, tail, path, expected) = (
                multipart.head.clone(),
                multipart.tail.clone(),
                path.clone(),
                multipart.content_length,
            );
            let stream = futures_util::stream::unfold(State::Head, move |state| {
                let (head, tail, path) = (head.clone(), tail.clone(), path.clone());
                async move {
                    match state {
                        State::Head => match tokio::fs::File::open(&path).await {
                            Ok(file) => Some((Ok(head), State::File(file, 0))),
                            Err(e) => Some((Err(e), State::Done)),
                        },
                        State::File(mut file, sent) => {
                            let mut buffer = vec![0u8; 64 * 1024];
                            match file.read(&mut buffer).await {
                                Ok(0) if sent != expected => Some((
                                    Err(std::io::Error::other("the file changed while it was uploaded")),
                                    State::Done,
                                )),
                                Ok(0) => Some((Ok(tail), State::Tail)),
                                Ok(n) => {
                                    buffer.truncate(n);
                                    Some((Ok(Bytes::from(buffer)), State::File(file, sent + n as u64)))
                                }
                                Err(e) => Some((Err(e), State::Done)),
                            }
                        }
                        State::Tail | State::Done => None,
                    }
                }
            });
            reqwest::Body::wrap_stream(stream)
        }
    }
}

/// Signs a prepared request with a fresh timestamp and nonce and sends it; the answer's
/// body is left unread.
pub(crate) async fn send_request(client: &Client, prepared: &Prepared) -> Result<reqwest::Response> {
    let inner = &client.inner;
    let timestamp = inner.clock.now();
    let nonce = signing::nonce()?;
    let authorization = inner.signer.authorize_with(
        prepared.method.as_str(),
        &prepared.target,
        &prepared.body,
        timestamp,
        &nonce,
    )?;

    let mut request = reqwest::Request::new(prepared.method.clone(), prepared.url.clone());
    let headers = request.headers_mut();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, header_value(&inner.user_agent)?);
    if let Some(multipart) = &prepared.multipart {
        headers.insert(CONTENT_TYPE, header_value(&multipart.content_type())?);
        headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(multipart.body_length()));
    } else if prepared.has_body {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let serial = match &prepared.sensitive_serial {
        Some(serial) => Some(serial.clone()),
        None => inner.keys.current().preferred_id().map(str::to_owned),
    };
    if let Some(serial) = serial {
        headers.insert(verify::SERIAL, header_value(&serial)?);
    }
    for (name, value) in &prepared.headers {
        headers.insert(name.clone(), value.clone());
    }
    headers.insert(AUTHORIZATION, header_value(&authorization)?);
    if let Some(multipart) = &prepared.multipart {
        *request.body_mut() = Some(multipart_body(multipart));
    } else if prepared.has_body {
        *request.body_mut() = Some(prepared.body.clone().into());
    }
    if let Some(timeout) = prepared.timeout {
        *request.timeout_mut() = Some(timeout);
    }

    inner.http.execute(request).await.map_err(Error::Transport)
}

fn header_value(text: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(text).map_err(|_| Error::Crypto("a computed header is not a valid header value"))
}

/// Reads the whole body, refusing to hold more than `limit` bytes.
pub(crate) async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Bytes> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(Error::BodyTooLarge { limit });
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(Error::BodyTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The largest piece of a non-JSON error body kept in [`Error::Api`].
const MAX_ERROR_BODY: usize = 4096;

/// Maps a non-2xx answer to [`Error::Api`], reading the platform's JSON error body.
pub(crate) fn api_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        code: Option<String>,
        message: Option<String>,
        detail: Option<Value>,
    }
    let request_id = request_id(headers).map(str::to_owned);
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) if parsed.code.is_some() || parsed.message.is_some() => Error::Api {
            status: status.as_u16(),
            code: parsed.code,
            message: parsed.message,
            detail: parsed.detail.map(Box::new),
            request_id,
            body: None,
        },
        _ => {
            let text = String::from_utf8_lossy(&body[..body.len().min(MAX_ERROR_BODY)]).into_owned();
            Error::Api {
                status: status.as_u16(),
                code: None,
                message: None,
                detail: None,
                request_id,
                body: (!text.is_empty()).then_some(text),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_reads_code_message_and_detail() {
        let mut headers = HeaderMap::new();
        headers.insert("Request-ID", HeaderValue::from_static("08F0A4BB-1"));
        let body = br#"{"code":"PARAM_ERROR","message":"bad","detail":{"field":"/amount","issue":"x"}}"#;
        match api_error(StatusCode::BAD_REQUEST, &headers, body) {
            Error::Api {
                status,
                code,
                message,
                detail,
                request_id,
                body,
            } => {
                assert_eq!(status, 400);
                assert_eq!(code.as_deref(), Some("PARAM_ERROR"));
                assert_eq!(message.as_deref(), Some("bad"));
                assert_eq!(detail.unwrap()["field"], "/amount");
                assert_eq!(request_id.as_deref(), Some("08F0A4BB-1"));
                assert!(body.is_none());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn api_error_keeps_a_non_json_body_shortened() {
        let html = "<html>".repeat(2000);
        match api_error(StatusCode::BAD_GATEWAY, &HeaderMap::new(), html.as_bytes()) {
            Error::Api {
                code: None,
                body: Some(body),
                ..
            } => assert_eq!(body.len(), MAX_ERROR_BODY),
            other => panic!("{other:?}"),
        }
    }
}
