//! The request builder: path parameters, query, headers, body, and how the answer is
//! received; awaiting it prepares, signs, sends, reads and verifies.

use std::future::{Future, IntoFuture};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use http::Method;
use serde_json::Value;
use tokio::io::AsyncWrite;
use tracing::Instrument as _;
use url::Url;

use super::prepare::{Context, prepare};
use super::upload::Upload;
use super::v2::V2Context;
use crate::client::Client;
use crate::download::{self, Download, Receiving, TemporaryFile};
use crate::error::Result;
use crate::protocol::downloads::Digest;
use crate::protocol::path::template_for_logs;
use crate::response::Response;
use crate::wire::deadline;
use crate::wire::{Prepared, SignedHook, SignedRequest};

/// A request being prepared. Await it (it implements [`IntoFuture`]) to sign and send it;
/// the result is a verified [`Response`] or an [`Error`](crate::Error).
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
    spec: Spec,
    idempotent: bool,
    deadline: Option<Duration>,
}

/// What the caller asked for, before any of it is checked.
#[derive(Clone)]
pub(crate) struct Spec {
    pub(crate) method: Method,
    /// The normalised path template, without a leading slash.
    pub(crate) template: String,
    /// A download URL the platform handed out, sent as given instead of the template.
    pub(crate) absolute_url: Option<Url>,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Value>,
    pub(crate) upload: Option<Upload>,
    /// JSON pointers of the fields to encrypt.
    pub(crate) encrypt: Vec<String>,
    /// Platform keys that encrypted fields beforehand.
    pub(crate) encrypted_with: Vec<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) receiving: Receiving,
    pub(crate) on_signed: Option<SignedHook>,
    /// Whether to present the merchant certificate, when the caller decides.
    pub(crate) client_certificate: Option<bool>,
    /// The index of a path segment that reads as an identifier: the request is refused.
    pub(crate) identifier: Option<usize>,
    /// Why the body given could not be turned into JSON: the request is refused.
    pub(crate) body_error: Option<String>,
}

impl Spec {
    fn new(method: Method, template: String, body: Option<Value>) -> Self {
        Self {
            method,
            template,
            absolute_url: None,
            params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body,
            upload: None,
            encrypt: Vec::new(),
            encrypted_with: Vec::new(),
            timeout: None,
            receiving: Receiving::default(),
            on_signed: None,
            client_certificate: None,
            identifier: None,
            body_error: None,
        }
    }
}

/// `Debug` shows the shape of the request, never values that may be sensitive: the body
/// (fields to encrypt are still plaintext here), parameter and query values, header values,
/// identifiers written into the path (masked as in logs).
impl std::fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let spec = &self.spec;
        let names = |pairs: &[(String, String)]| pairs.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        f.debug_struct("RequestBuilder")
            .field("method", &spec.method)
            .field("template", &template_for_logs(&spec.template))
            .field("params", &names(&spec.params))
            .field("query", &names(&spec.query))
            .field("headers", &names(&spec.headers))
            .field("body", &spec.body.as_ref().map(|_| "<json>"))
            .field("encrypt", &spec.encrypt)
            .field("upload", &spec.upload.as_ref().map(|u| u.filename.as_str()))
            .finish_non_exhaustive()
    }
}

impl RequestBuilder {
    pub(crate) fn new(client: Client, method: Method, template: String, body: Option<Value>) -> Self {
        Self {
            client,
            spec: Spec::new(method, template, body),
            idempotent: false,
            deadline: None,
        }
    }

    /// Refuses the request: its body could not be turned into JSON.
    pub(crate) fn with_body_error(mut self, error: String) -> Self {
        self.spec.body_error = Some(error);
        self
    }

    /// Refuses the request when a segment of its path read as an identifier.
    pub(crate) fn with_identifier(mut self, identifier: Option<usize>) -> Self {
        self.spec.identifier = identifier;
        self
    }

    /// A `GET` of an absolute URL on an allowed host, its path and query sent as given.
    pub(crate) fn for_url(client: Client, url: Url) -> Self {
        let template = url.path().trim_start_matches('/').to_owned();
        let mut builder = Self::new(client, Method::GET, template, None);
        builder.spec.absolute_url = Some(url);
        builder
    }

    /// A multipart upload (`POST`).
    pub(crate) fn for_upload(client: Client, template: String, upload: Upload) -> Self {
        let mut builder = Self::new(client, Method::POST, template, None);
        builder.spec.upload = Some(upload);
        builder
    }

    /// For an upload: fields added to (or replacing) the `meta` part's
    /// `{"filename","sha256"}`, such as `{"bank_type": "..."}`. The signature covers the
    /// resulting meta text as sent.
    pub fn meta(mut self, fields: Value) -> Self {
        if let Some(upload) = &mut self.spec.upload {
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
        if let Some(upload) = &mut self.spec.upload {
            upload.media_type = Some(media_type.into());
        }
        self
    }

    /// Gives the value of the path variable `{name}`: text or a number (anything
    /// `Display`), percent-encoded (every character but `A-Z a-z 0-9 - . _ ~`). Giving the
    /// same name again replaces the value.
    pub fn param(mut self, name: impl Into<String>, value: impl std::fmt::Display) -> Self {
        let name = name.into();
        let value = value.to_string();
        match self.spec.params.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.spec.params.push((name, value)),
        }
        self
    }

    /// Appends a query parameter (repeatable; order is kept): the value is text or a number
    /// (anything `Display`). Key and value are percent-encoded, and the signature covers the
    /// query exactly as sent.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// let page = client.chain("v3/merchant-service/complaints-v2").get()
    ///     .query("begin_date", "2024-07-01")
    ///     .query("limit", 50)
    ///     .query("offset", 0)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn query(mut self, key: impl Into<String>, value: impl std::fmt::Display) -> Self {
        self.spec.query.push((key.into(), value.to_string()));
        self
    }

    /// Adds or replaces a request header. `Authorization` is set by the client and cannot
    /// be given here.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.spec.headers.push((name.into(), value.into()));
        self
    }

    /// The total time allowed for this request, overriding the client's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.spec.timeout = Some(timeout);
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
        self.spec.encrypt.push(json_pointer.into());
        self
    }

    /// Declares that the body carries a field encrypted beforehand with
    /// [`Client::encrypt`]: the request then names that key in `Wechatpay-Serial`, and
    /// refuses to go out if fields were encrypted with different keys.
    pub fn with_encrypted(mut self, encrypted: &crate::sensitive::Encrypted) -> Self {
        self.spec.encrypted_with.push(encrypted.serial().to_owned());
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
        self.spec.on_signed = Some(SignedHook(Arc::new(hook)));
        self
    }

    /// Requires the bytes received to have this digest; a mismatch is
    /// [`BodyError::DigestMismatch`](crate::error::BodyError::DigestMismatch) (and
    /// [`download_to_file`](Self::download_to_file) leaves no file behind).
    pub fn expect_digest(mut self, digest: Digest) -> Self {
        self.spec.receiving.expect = Some(digest);
        self
    }

    /// Decompresses a gzip download on the fly (a bill asked for with `tar_type=GZIP`), in
    /// bounded steps. The digest is computed over the compressed bytes, as the platform
    /// computes it, so it is known only at the end: treat what reaches your writer as
    /// unconfirmed until [`download`](Self::download) returns `Ok`
    /// ([`download_to_file`](Self::download_to_file) does that for you).
    ///
    /// The inflated size is limited, against decompression bombs, to
    /// [`DEFAULT_INFLATION_ALLOWANCE`](crate::download::DEFAULT_INFLATION_ALLOWANCE) plus
    /// [`DEFAULT_INFLATION_RATIO`](crate::download::DEFAULT_INFLATION_RATIO) times the
    /// compressed bytes received, unless [`max_inflated_bytes`](Self::max_inflated_bytes)
    /// says otherwise; past it the download fails with
    /// [`BodyError::InflatedTooLarge`](crate::error::BodyError::InflatedTooLarge).
    pub fn gunzip(mut self) -> Self {
        self.spec.receiving.gunzip = true;
        self
    }

    /// For a [`gunzip`](Self::gunzip) download: the most bytes it may inflate to, instead of
    /// the default limit that grows with the compressed size.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client, apply: serde_json::Value) -> wechatpay::Result<()> {
    /// let bill = client.bill(&apply)?.gunzip().max_inflated_bytes(8 << 30); // 8 GiB at most
    /// bill.download_to_file("tradebill.csv").await?;
    /// # Ok(()) }
    /// ```
    pub fn max_inflated_bytes(mut self, limit: u64) -> Self {
        self.spec.receiving.max_inflated = Some(limit);
        self
    }

    /// Whether the TLS connection presents the merchant certificate (mutual TLS), instead of
    /// what the catalogue says of the operation (the APIv2 refunds, red packets, transfers,
    /// reversals... need it). Without a merchant certificate configured, a request that
    /// presents it fails before sending.
    pub fn client_certificate(mut self, present: bool) -> Self {
        self.spec.client_certificate = Some(present);
        self
    }

    /// Checks the path as [`send`](Self::send) would before anything else: no segment that
    /// reads as an identifier, every variable given a usable value and no value given for
    /// none. Nothing is signed or sent.
    ///
    /// ```
    /// let client = wechatpay::mock::MockServer::start().client();
    /// assert!(client.chain("v3/refund/domestic/refunds/R1").get().check_path().is_err());
    /// assert!(client.chain("v3/refund/domestic/refunds/{id}").get().param("id", "R1").check_path().is_ok());
    /// ```
    pub fn check_path(&self) -> Result<()> {
        super::prepare::check_path(&self.spec)
    }

    /// Whether the client's retries and failover may repeat this request.
    fn repeatable(&self) -> bool {
        self.idempotent
            || matches!(
                self.spec.method,
                Method::GET | Method::HEAD | Method::OPTIONS | Method::DELETE
            )
    }

    /// Prepares the request now: hashes an upload's content, then checks and renders
    /// everything with the client's current keys.
    async fn prepare(&self, hash_upload: bool) -> Result<Prepared> {
        let digest = match (&self.spec.upload, hash_upload) {
            (Some(upload), true) => Some(upload.digest().await?),
            _ => None,
        };
        let sender = self.client.sender();
        let keys = sender.keys.current();
        let context = Context {
            base_url: self.client.base_url(),
            keys: &keys,
            now: sender.clock.now(),
            v2: V2Context {
                key: sender.apiv2_key.as_deref(),
                mchid: self.client.mchid(),
                has_client_certificate: sender.wire.has_client_certificate(),
                production: self.client.base_url().as_str() == crate::DEFAULT_BASE_URL,
            },
        };
        prepare(&self.spec, &context, digest.as_ref())
    }

    /// The catalogued operation this request names, by method and path template (whatever
    /// its variables are called); `None` for an operation missing from the catalogue.
    ///
    /// ```
    /// let client = wechatpay::mock::MockServer::start().client();
    /// let op = client.chain("v3/pay/transactions/native").post(serde_json::json!({})).describe().unwrap();
    /// assert_eq!(op.summary(), "Native下单API");
    /// assert!(client.chain("v3/not/a/real/path").get().describe().is_none());
    /// ```
    #[cfg(feature = "catalog")]
    pub fn describe(&self) -> Option<crate::catalog::Operation<'static>> {
        super::validate::operation(&self.spec)
    }

    /// For an operation missing from the catalogue, the catalogued operation it is closest to
    /// (a typo in a segment, another method): a "did you mean" hint, never a refusal. `None`
    /// for a catalogued operation.
    ///
    /// ```
    /// let client = wechatpay::mock::MockServer::start().client();
    /// let near = client.chain("v3/pay/transactions/nativ").post(serde_json::json!({})).closest_operation();
    /// assert_eq!(near.unwrap().template(), "/v3/pay/transactions/native");
    /// ```
    #[cfg(feature = "catalog")]
    pub fn closest_operation(&self) -> Option<crate::catalog::Operation<'static>> {
        super::validate::closest(&self.spec)
    }

    /// Checks the path variables, query and body against the catalogued operation, without
    /// signing or sending: every rule broken, as a JSON pointer (`/fee_items/0/amount`) or a
    /// parameter (`path: out_trade_no`), the rule, what was expected and what was found.
    /// Empty for a request that keeps every rule, and for an operation missing from the
    /// catalogue.
    ///
    /// ```
    /// use serde_json::json;
    /// let client = wechatpay::mock::MockServer::start().client();
    /// let request = client
    ///     .chain("v3/parking/reminders/ext-payment")
    ///     .post(json!({"out_trade_no": "T1", "fee_items": [{"fee_type": "EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY", "amount": 1}]}));
    /// let violations = request.validate();
    /// assert_eq!(violations.len(), 1);
    /// assert_eq!(violations[0].pointer, "/pay_time");
    /// ```
    #[cfg(feature = "catalog")]
    pub fn validate(&self) -> Vec<crate::catalog::Violation> {
        super::validate::violations(&self.spec)
    }

    /// Signs and sends the request, then reads and verifies the answer, retrying as the
    /// client's policy allows. Same as `.await`.
    pub async fn send(self) -> Result<Response> {
        #[cfg(feature = "catalog")]
        super::validate::enforce(self.client.validation_mode(), &self.spec)?;
        let sender = self.client.sender();
        let attempts = AtomicU32::new(0);
        let repeatable = self.repeatable();
        deadline::within(self.deadline.or(sender.deadline), &attempts, async {
            sender.keys.ensure_loaded().await?;
            let prepared = self.prepare(true).await?;
            sender.send(&prepared, repeatable, &attempts).await
        })
        .await
    }

    /// Sends the request and streams the answer's body into `writer`, in constant memory,
    /// computing its SHA-1 and SHA-256 on the way. The bytes reach `writer` as they arrive
    /// and the digest is checked at the end: a mismatch is an error after the bytes were
    /// written, so use [`download_to_file`](Self::download_to_file) (which only renames a
    /// checked file into place) when a partial or altered file must never be seen.
    ///
    /// The file downloads the platform does not sign
    /// ([`UNSIGNED_DOWNLOADS`](crate::protocol::downloads::UNSIGNED_DOWNLOADS)) are checked
    /// by digest instead: use [`expect_digest`](Self::expect_digest), or
    /// [`Client::bill`] which does it from the apply response. An overseas statement's
    /// `Wechatpay-Statement-Sha1` is verified (its signature and the file's SHA-1). Any other
    /// answer is read whole, verified like a normal response, then written.
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// let mut out = tokio::io::sink();
    /// let download = client
    ///     .chain("v3/billdownload/file")
    ///     .get()
    ///     .query("token", "6XIv5TUPto7pByrTQKhd6kwvyKLG2uY2wMMR8cNXqaA_Cv_isgaUtBzp4QtiozLO")
    ///     .download(&mut out)
    ///     .await?;
    /// println!("{} bytes, sha1 {}", download.bytes(), download.sha1());
    /// # Ok(()) }
    /// ```
    ///
    /// The request's or the client's [deadline](Self::deadline) bounds the whole transfer.
    /// A download is not retried: the writer may already hold part of the file.
    pub async fn download<W: AsyncWrite + Unpin + ?Sized>(self, writer: &mut W) -> Result<Download> {
        let sender = self.client.sender();
        let span = tracing::info_span!(
            "wechatpay.download",
            path = %crate::protocol::path::template_for_logs(&format!("/{}", self.spec.template))
        );
        let one_attempt = AtomicU32::new(1);
        let work = async {
            sender.keys.ensure_loaded().await?;
            let prepared = self.prepare(false).await?;
            download::receive(sender, &prepared, &self.spec.receiving, writer).await
        };
        deadline::within(self.deadline.or(sender.deadline), &one_attempt, work.instrument(span)).await
    }

    /// [`download`](Self::download) into a file: written under a temporary name beside it,
    /// flushed, and renamed into place only when everything checked out, so a failed or
    /// tampered download never leaves a file (whole or partial) under `path`.
    pub async fn download_to_file(self, path: impl AsRef<Path>) -> Result<Download> {
        let mut file = TemporaryFile::create(path.as_ref()).await?;
        let result = self.download(file.writer()).await;
        file.finish(result).await
    }
}

impl IntoFuture for RequestBuilder {
    type Output = Result<Response>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Response>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
