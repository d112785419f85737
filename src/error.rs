//! The crate's one error type, grouped by cause.
//!
//! [`Error`] says first *what kind* of thing went wrong, each group with an enum of its own
//! that says precisely what: the configuration ([`ConfigError`]), building the request
//! ([`RequestError`], nothing was sent), the transport ([`TransportError`]), the platform's
//! answer ([`ApiError`]), authenticating an answer or callback ([`VerificationError`]), or
//! the content received ([`BodyError`]). No variant ever carries key material or a request
//! body.

use std::fmt;

use crate::text::visible;

/// A specialised `Result` for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while building a client or calling the API.
///
/// ```
/// use wechatpay::Error;
/// use wechatpay::error::VerificationError;
///
/// fn describe(err: &Error) -> String {
///     match err.last_cause() {
///         Error::Api(api) => format!("platform said {} {:?}, Request-ID {:?}", api.status, api.code, api.request_id),
///         Error::Verification(VerificationError::ClockSkew { .. }) => "fix the clock".into(),
///         e if e.is_verification_failure() => "do not trust this answer".into(),
///         other => other.to_string(),
///     }
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is incomplete or invalid (caught at `build()`), a key is
    /// unfit, or a setting an operation needs is missing.
    #[error(transparent)]
    Config(ConfigError),

    /// The request could not be built as given; nothing was sent.
    #[error(transparent)]
    Request(RequestError),

    /// The request could not be sent or its answer could not be read (connection refused,
    /// TLS failure, timeout, ...). [`Error::is_timeout`] tells timeouts apart.
    #[error(transparent)]
    Transport(TransportError),

    /// The platform answered with a non-2xx status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// An APIv2 answer said the call failed: the platform refused it (`return_code`) or
    /// declined the operation (`result_code` `FAIL`).
    #[error(transparent)]
    ApiV2(Box<ApiV2Error>),

    /// An answer or callback could not be authenticated: do not trust it.
    #[error(transparent)]
    Verification(VerificationError),

    /// An answer, file or callback was received (and authenticated where it is signed) but
    /// its content is not what was expected.
    #[error(transparent)]
    Body(BodyError),

    /// Decrypting a callback resource, a downloaded certificate or a sensitive field
    /// failed: the authentication tag did not match (wrong key, nonce or associated data,
    /// or an altered ciphertext), the Base64 was malformed, or the nonce had an unusable
    /// length. `what` names the failure; no key material or plaintext is included.
    #[error("decryption failed: {what}")]
    Decryption {
        /// The failure, in plain words.
        what: &'static str,
    },

    /// A cryptographic operation failed for a reason other than a bad signature or a
    /// failed decryption (the random source, an input beyond an algorithm's limits).
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),

    /// Reading or writing a local file, or writing a download, failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),

    /// The request was retried and still failed: `last` is the final attempt's error.
    #[error("gave up after {attempts} attempts: {last}")]
    Retried {
        /// How many attempts were made.
        attempts: u32,
        /// The last attempt's error.
        last: Box<Error>,
    },

    /// The request's total deadline (retries and waits included) passed.
    #[error("deadline of {deadline:?} exceeded after {attempts} attempt(s)")]
    DeadlineExceeded {
        /// The deadline.
        deadline: std::time::Duration,
        /// How many attempts had started.
        attempts: u32,
    },

    /// A blocking call was made from inside an async runtime, where it would stall the
    /// executor; use the async [`Client`](crate::Client) there instead.
    #[error("the blocking client cannot be used from inside an async runtime; use wechatpay::Client with .await")]
    BlockingInAsyncContext,
}

/// A configuration problem: caught at `build()`, or when an operation needs a setting the
/// client does not have.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A setting is missing, malformed or inconsistent with another.
    #[error("invalid configuration: {0}")]
    Invalid(String),

    /// A private key, public key or certificate could not be loaded or is unfit for use.
    /// `what` names the input (for example "merchant private key"); the key itself is
    /// never included.
    #[error("invalid {what}: {reason}")]
    Key {
        /// Which input was rejected.
        what: &'static str,
        /// Why it was rejected.
        reason: String,
    },

    /// The APIv3 key given is not exactly 32 bytes. The key itself is never included.
    #[error("the APIv3 key must be exactly 32 bytes")]
    InvalidApiV3Key,

    /// An operation needs the APIv3 key (callbacks, certificate download) and the client
    /// has none: set it with `ClientBuilder::apiv3_key`.
    #[error("no APIv3 key is configured (needed for callbacks and certificate downloads)")]
    MissingApiV3Key,

    /// The APIv2 key given is unusable (it must be exactly 32 printable ASCII characters).
    /// The key itself is never included.
    #[error("invalid APIv2 key: {reason}")]
    InvalidApiV2Key {
        /// What is wrong with it.
        reason: String,
    },

    /// An APIv2 request (a `v2/...` path) or callback needs the APIv2 key and the client has
    /// none: set it with `ClientBuilder::apiv2_key`.
    #[error("no APIv2 key is configured (needed for v2/... requests and v2 callbacks)")]
    MissingApiV2Key,

    /// The merchant serial given is not the serial of the merchant certificate given
    /// (compared without case or leading zeros): the platform would refuse every signature.
    /// Serials are not secret; both are shown.
    #[error(
        "the merchant serial {configured} is not the serial {certificate} of the merchant certificate: the platform \
         would refuse the signatures (SIGN_ERROR); give the certificate's serial, or leave the serial out to take it \
         from the certificate"
    )]
    MerchantSerialMismatch {
        /// The serial configured (`merchant_serial`).
        configured: String,
        /// The merchant certificate's serial.
        certificate: String,
    },

    /// The operation needs the merchant's client certificate on the TLS connection and the
    /// client has none: give `ClientBuilder::merchant_certificate` (with the private key) or
    /// `merchant_pkcs12`, and let the client build its HTTP client (one given with
    /// `ClientBuilder::http_client` presents no certificate).
    #[error(
        "{operation} needs the merchant API certificate (mutual TLS): set ClientBuilder::merchant_certificate \
         (a client given with ClientBuilder::http_client presents none)"
    )]
    MissingClientCertificate {
        /// The operation, `METHOD /path`.
        operation: String,
    },
}

/// The request could not be built as given; nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The path template or a chain segment is malformed.
    #[error("invalid path {path:?}: {reason}")]
    InvalidPath {
        /// The template as normalised so far.
        path: String,
        /// Why it was rejected.
        reason: &'static str,
    },

    /// A segment of the path reads as an identifier (an order number, an id): normalising
    /// it (`TRADE2024ABC` becomes `trade2024-abc`) would silently send the request to another
    /// path. Name it as a variable and give its value with `.param()`.
    ///
    /// The segment itself is not kept: it is usually an order number.
    #[error(
        "path segment {position} reads as an identifier (an order number or an id), and would be sent \
         rewritten to lower case: name it as a variable, as in {suggestion:?}, and give its value with \
         .param() (--param in the CLI)"
    )]
    IdentifierInPath {
        /// Which segment of the path, counting from 1.
        position: usize,
        /// The path with a variable in its place (the catalogue's template when it knows one).
        suggestion: String,
    },

    /// The path names a `{variable}` for which no `.param()` was given.
    #[error("missing path parameter {name:?}")]
    MissingParam {
        /// The variable's name.
        name: String,
    },

    /// A `.param()` names no variable of the path (most likely a typo).
    #[error("path parameter {name:?} is not used by the path")]
    UnusedParam {
        /// The parameter's name.
        name: String,
    },

    /// A path parameter's value would change the path's structure (empty, `.` or `..`).
    #[error("path parameter {name:?} has an unusable value: {reason}")]
    InvalidParam {
        /// The parameter's name.
        name: String,
        /// Why the value was refused.
        reason: &'static str,
    },

    /// A header name or value is not valid HTTP, or may not be overridden.
    #[error("invalid header {name:?}: {reason}")]
    InvalidHeader {
        /// The header's name as given.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// An APIv2 body names a merchant (`mch_id`, `mchid` or `combine_mch_id`) other than the
    /// configured one.
    #[error("field {field} names merchant {found}, but the client signs for {expected}")]
    MerchantMismatch {
        /// The field.
        field: &'static str,
        /// The configured merchant id.
        expected: String,
        /// The value in the body (sanitised).
        found: String,
    },

    /// The body could not be encoded as it must go on the wire.
    #[error("invalid request body: {reason}")]
    InvalidBody {
        /// Why it could not be encoded.
        reason: String,
    },

    /// A sensitive field could not be encrypted or sent as asked: the JSON pointer names no
    /// string, no platform key is available, or two fields name different platform keys.
    #[error("sensitive field: {reason}")]
    SensitiveField {
        /// What went wrong.
        reason: String,
    },

    /// An upload could not be built: a bad file name, a `meta` that is not an object, an
    /// unreadable file.
    #[error("invalid upload: {reason}")]
    InvalidUpload {
        /// What is wrong.
        reason: String,
    },

    /// A download could not be prepared: a bill apply answer without `hash_type`,
    /// `hash_value` and `download_url`, an unknown `hash_type`, a target that is not a file.
    #[error("invalid download: {reason}")]
    InvalidDownload {
        /// What is wrong.
        reason: String,
    },

    /// The request breaks the operation catalogue's rules and the client was built with
    /// [`ValidationMode::Refuse`](crate::ValidationMode::Refuse): nothing was signed or sent.
    /// `violations` holds every rule broken (warnings included); the message names where and
    /// which rules, not the values found.
    #[cfg(feature = "catalog")]
    #[error("{operation} breaks the catalogue's rules: {}", refused_summary(violations))]
    Refused {
        /// The operation, `METHOD /template`.
        operation: String,
        /// Every rule broken.
        violations: Vec<crate::catalog::Violation>,
    },

    /// A download URL points to a host other than the API host: the merchant's signature
    /// would go there. Allow the host explicitly if it is genuinely the platform's.
    #[error("refusing to send a signed request to {host}, which is not the API host")]
    ForeignHost {
        /// The host the URL names.
        host: String,
    },
}

/// The request could not be sent or its answer could not be read. It names the host and
/// the path *template* of the request, never its URL: path values and the query may hold
/// order numbers and tokens.
#[derive(Debug)]
pub struct TransportError {
    /// `METHOD host[:port]/template`, when known.
    endpoint: Option<String>,
    source: reqwest::Error,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.endpoint {
            Some(endpoint) => write!(f, "transport error on {endpoint}: {}", self.source),
            None => write!(f, "transport error: {}", self.source),
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl TransportError {
    /// The error of a request to `endpoint` (`METHOD host[:port]/template`), its URL removed.
    pub(crate) fn new(source: reqwest::Error, endpoint: String) -> Self {
        Self {
            endpoint: Some(endpoint),
            source: source.without_url(),
        }
    }

    /// The request the error happened on: method, host (and port) and path template.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    pub(crate) fn into_source(self) -> reqwest::Error {
        self.source
    }

    /// Whether the attempt timed out.
    pub fn is_timeout(&self) -> bool {
        self.source.is_timeout()
    }

    /// Whether the attempt failed to connect (refused, unreachable, a failed TLS handshake
    /// or proxy tunnel): nothing of the request reached the platform.
    pub fn is_connect(&self) -> bool {
        self.source.is_connect()
    }

    /// The underlying HTTP client's error.
    pub fn reqwest(&self) -> &reqwest::Error {
        &self.source
    }
}

impl From<reqwest::Error> for TransportError {
    fn from(source: reqwest::Error) -> Self {
        Self {
            endpoint: None,
            source: source.without_url(),
        }
    }
}

/// A non-2xx answer of the platform. `code`, `message` and `detail` come from its JSON
/// body; `body` keeps the raw text (shortened) when it was not JSON. An error answer is not
/// signed: treat all of it as information, not as proof.
///
/// `Debug` shows the status, code, message and Request-ID, but only the names of
/// `detail`'s fields, the length of `body` and the names of the headers: a `PARAM_ERROR`'s
/// `detail.value` echoes the value refused (an openid, a phone number).
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The platform's error code, such as `PARAM_ERROR` or `SIGN_ERROR`.
    pub code: Option<String>,
    /// The platform's human-readable message.
    pub message: Option<String>,
    /// The `detail` object of the error body, when present.
    pub detail: Option<serde_json::Value>,
    /// The `Request-ID` response header; quote it in support tickets.
    pub request_id: Option<String>,
    /// The raw body text (at most 4 KiB) when it was not the usual JSON.
    pub body: Option<String>,
    /// All the headers of the answer.
    pub headers: http::HeaderMap,
}

impl std::error::Error for ApiError {}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.keys().map(http::HeaderName::as_str).collect();
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("detail_fields", &self.detail.as_ref().map(field_names))
            .field("request_id", &self.request_id)
            .field("body_len", &self.body.as_ref().map(String::len))
            .field("header_names", &header_names)
            .finish()
    }
}

/// The answer is not signed, so its text is shown with control characters escaped: it can
/// neither forge a log line nor act on a terminal.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {}", visible(code))?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {}", visible(message))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (Request-ID {})", visible(id))?;
        }
        Ok(())
    }
}

/// An APIv2 answer that says the call failed. An answer whose `return_code` is not
/// `SUCCESS` is usually unsigned: information, not proof; a declined operation's answer was
/// verified (or comes from an endpoint that answers unsigned by design).
///
/// `Debug` shows the names of a declined operation's answer fields, not their values (order
/// numbers, ids).
#[derive(Clone)]
#[non_exhaustive]
pub enum ApiV2Error {
    /// The platform refused the call: `return_code` is not `SUCCESS` (a signature error, a
    /// missing field, a missing client certificate, ...).
    Refused {
        /// `return_code` as received (`FAIL`), `None` when absent.
        return_code: Option<String>,
        /// `return_msg` as received, such as `签名错误`.
        return_msg: Option<String>,
    },
    /// The platform processed the call and declined the operation (`result_code` `FAIL`).
    Declined {
        /// `err_code` as received, such as `ORDERPAID`.
        err_code: Option<String>,
        /// `err_code_des` as received.
        err_code_des: Option<String>,
        /// Every field of the answer, as a JSON object of strings.
        answer: serde_json::Value,
    },
}

impl std::error::Error for ApiV2Error {}

impl fmt::Debug for ApiV2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiV2Error::Refused {
                return_code,
                return_msg,
            } => f
                .debug_struct("Refused")
                .field("return_code", return_code)
                .field("return_msg", return_msg)
                .finish(),
            ApiV2Error::Declined {
                err_code,
                err_code_des,
                answer,
            } => f
                .debug_struct("Declined")
                .field("err_code", err_code)
                .field("err_code_des", err_code_des)
                .field("answer_fields", &field_names(answer))
                .finish(),
        }
    }
}

/// The names of a JSON object's fields (none for another value): what `Debug` shows of an
/// answer or callback whose values may be order numbers and ids.
pub(crate) fn field_names(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_object()
        .map(|object| object.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Text from the platform is shown with control characters escaped.
impl fmt::Display for ApiV2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |text: &Option<String>| text.as_deref().map_or("(none)".to_owned(), visible);
        match self {
            ApiV2Error::Refused {
                return_code,
                return_msg,
            } => write!(
                f,
                "APIv2: the platform refused the call: return_code {}, return_msg {}",
                shown(return_code),
                shown(return_msg)
            ),
            ApiV2Error::Declined {
                err_code, err_code_des, ..
            } => write!(
                f,
                "APIv2: the platform declined the operation: err_code {}, err_code_des {}",
                shown(err_code),
                shown(err_code_des)
            ),
        }
    }
}

/// An answer or callback could not be authenticated: it may have been forged or altered,
/// or the local clock is wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerificationError {
    /// A response or callback lacks one of the `Wechatpay-*` headers that must sign it.
    #[error("not signed: header {header} is missing")]
    MissingHeader {
        /// The missing header.
        header: &'static str,
    },

    /// A `Wechatpay-*` header is present but malformed (duplicated, not ASCII, a timestamp
    /// that is not decimal digits, an unsupported signature type).
    #[error("malformed header {header}: {reason}")]
    MalformedHeader {
        /// The offending header.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// The signature's timestamp is further than the allowed window from the local clock
    /// (a replay, or a clock that needs fixing).
    #[error("signature timestamp is {skew_seconds} s away from the local clock (allowed: {allowed_seconds} s)")]
    ClockSkew {
        /// Local time minus the signature's timestamp, in seconds.
        skew_seconds: i64,
        /// The largest skew accepted.
        allowed_seconds: i64,
    },

    /// The answer was signed with a platform key or certificate this client does not trust.
    #[error("signed with an unknown platform key {serial:?}")]
    UnknownPlatformKey {
        /// The `Wechatpay-Serial` received (sanitised and shortened).
        serial: String,
    },

    /// The signature does not verify over the exact bytes received: the answer was altered,
    /// or it is a `WECHATPAY/SIGNTEST/` probe.
    #[error("signature verification failed with platform key {key_id}")]
    BadSignature {
        /// The platform key the signature was checked with.
        key_id: String,
    },

    /// An APIv2 answer or callback is not signed by the APIv2 key (no `sign`, one of no
    /// known length, or one that does not match).
    #[error("APIv2 signature check failed: {reason}")]
    BadV2Signature {
        /// What failed.
        reason: String,
    },
}

/// The content received is not what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// A response body exceeded the configured limit and was not read further.
    #[error("response body exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The configured limit.
        limit: usize,
    },

    /// A body could not be decoded into the requested type.
    #[error("cannot decode response body: {0}")]
    Decode(#[source] serde_json::Error),

    /// A response body is not valid UTF-8 text.
    #[error("response body is not valid UTF-8")]
    NotUtf8,

    /// A downloaded file's digest differs from the one announced: it was altered or cut
    /// short. Nothing was left under the target name.
    #[error("{algorithm} digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// `SHA1` or `SHA256`.
        algorithm: &'static str,
        /// The announced digest (hex).
        expected: String,
        /// The digest of the bytes received (hex).
        actual: String,
    },

    /// A gzip download inflated past its limit (see
    /// [`RequestBuilder::max_inflated_bytes`](crate::RequestBuilder::max_inflated_bytes)): it
    /// was not read further, and what was written before is not to be trusted.
    #[error("the inflated download exceeds the limit of {limit} bytes")]
    InflatedTooLarge {
        /// The limit that applied, in inflated bytes.
        limit: u64,
    },

    /// An APIv2 answer or callback is not an XML document this crate accepts (a DTD or an
    /// entity, nesting, a duplicated field, bytes that are not UTF-8, too large, ...).
    #[error("malformed XML: {reason}")]
    Xml {
        /// What is wrong, and where.
        reason: String,
    },

    /// A callback body is not a well-formed notification (after its signature verified).
    #[error("malformed notification: {reason}")]
    MalformedNotification {
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A platform certificate download was refused: an entry whose certificate does not
    /// match its serial, an unusable entry, or no certificate valid now.
    #[error("certificate download refused: {reason}")]
    CertificateDownload {
        /// Why it was refused.
        reason: String,
    },
}

/// The error-level violations, as `pointer (rule)`, without the values found.
#[cfg(feature = "catalog")]
fn refused_summary(violations: &[crate::catalog::Violation]) -> String {
    let errors: Vec<String> = violations
        .iter()
        .filter(|v| v.severity == crate::catalog::Severity::Error)
        .map(|v| {
            let place = if v.pointer.is_empty() { "body" } else { &v.pointer };
            format!("{place} ({}: expected {})", v.rule, v.expected)
        })
        .collect();
    errors.join(", ")
}

macro_rules! from_group {
    ($($group:ident => $variant:ident),* $(,)?) => {$(
        impl From<$group> for Error {
            fn from(e: $group) -> Self {
                Error::$variant(e)
            }
        }
    )*};
}

from_group!(
    ConfigError => Config,
    RequestError => Request,
    TransportError => Transport,
    VerificationError => Verification,
    BodyError => Body,
);

impl From<ApiV2Error> for Error {
    fn from(e: ApiV2Error) -> Self {
        Error::ApiV2(Box::new(e))
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Transport(e.into())
    }
}

impl Error {
    /// The platform's `Request-ID` for an [`Error::Api`], if it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(|e| e.request_id.as_deref())
    }

    /// The platform's answer, when the (last attempt's) error is an [`Error::Api`].
    pub fn api(&self) -> Option<&ApiError> {
        match self.last_cause() {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Whether the request timed out (one attempt, or the whole deadline).
    pub fn is_timeout(&self) -> bool {
        matches!(self.last_cause(), Error::Transport(e) if e.is_timeout())
            || matches!(self, Error::DeadlineExceeded { .. })
    }

    /// The error of the last attempt: itself, or the cause inside [`Error::Retried`].
    pub fn last_cause(&self) -> &Error {
        match self {
            Error::Retried { last, .. } => last,
            other => other,
        }
    }

    /// How many attempts were made (1 unless the request was retried).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Retried { attempts, .. } | Error::DeadlineExceeded { attempts, .. } => *attempts,
            _ => 1,
        }
    }

    /// Whether this error means the answer could not be authenticated: the response may
    /// have been forged or altered, or the local clock is wrong.
    pub fn is_verification_failure(&self) -> bool {
        matches!(self.last_cause(), Error::Verification(_))
    }

    /// Whether this is a failure to connect (nothing was sent): the case for failover to
    /// the backup host.
    pub(crate) fn is_connect_failure(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_connect())
    }

    /// A configuration error with this message.
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config(ConfigError::Invalid(message.into()))
    }

    /// A key that could not be loaded or is unfit.
    pub(crate) fn key(what: &'static str, reason: impl Into<String>) -> Self {
        Error::Config(ConfigError::Key {
            what,
            reason: reason.into(),
        })
    }

    /// A JSON body that could not be decoded.
    pub(crate) fn decode(e: serde_json::Error) -> Self {
        Error::Body(BodyError::Decode(e))
    }
}
