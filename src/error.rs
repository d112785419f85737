//! The crate's one error type.
//!
//! Every failure names what went wrong precisely enough to act on it: a configuration
//! mistake, a path variable, a transport failure, an API error answered by the platform,
//! or the exact verification check a response failed. No variant ever carries key
//! material or a request body.

use std::fmt;

/// A specialised `Result` for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while building a client or calling the API.
///
/// ```
/// # use wechatpay::Error;
/// fn describe(err: &Error) -> String {
///     match err {
///         Error::Api { status, code, request_id, .. } => {
///             format!("platform said {status} {code:?}, Request-ID {request_id:?}")
///         }
///         Error::ClockSkew { .. } | Error::BadSignature { .. } => "do not trust this answer".into(),
///         other => other.to_string(),
///     }
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is incomplete or invalid (caught at `build()`).
    #[error("invalid configuration: {0}")]
    Config(String),

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

    /// The path template or a chain segment is malformed.
    #[error("invalid path {path:?}: {reason}")]
    InvalidPath {
        /// The template as normalised so far.
        path: String,
        /// Why it was rejected.
        reason: &'static str,
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

    /// A caller-supplied header name or value is not valid HTTP, or may not be overridden.
    #[error("invalid header {name:?}: {reason}")]
    InvalidHeader {
        /// The header's name as given.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// The request could not be sent or its answer could not be read (connection refused,
    /// TLS failure, timeout, ...). [`Error::is_timeout`] tells timeouts apart.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),

    /// The platform answered with a non-2xx status. `code`, `message` and `detail` come
    /// from its JSON body; `body` keeps the raw text (shortened) when it was not JSON.
    #[error("{}", ApiErrorDisplay { status: *.status, code, message, request_id })]
    Api {
        /// The HTTP status.
        status: u16,
        /// The platform's error code, such as `PARAM_ERROR` or `SIGN_ERROR`.
        code: Option<String>,
        /// The platform's human-readable message.
        message: Option<String>,
        /// The `detail` object of the error body, when present (boxed to keep `Error` small).
        detail: Option<Box<serde_json::Value>>,
        /// The `Request-ID` response header; quote it in support tickets.
        request_id: Option<String>,
        /// The raw body text (at most 4 KiB) when it was not the usual JSON.
        body: Option<String>,
        /// All the headers of the answer (boxed to keep `Error` small). An error answer is
        /// not signed: treat them as information, not as proof.
        headers: Box<http::HeaderMap>,
    },

    /// A response or callback lacks one of the `Wechatpay-*` headers that must sign it.
    #[error("response is not signed: header {header} is missing")]
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

    /// A response body exceeded the configured limit and was not read further.
    #[error("response body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The configured limit.
        limit: usize,
    },

    /// A response body could not be decoded into the requested type.
    #[error("cannot decode response body: {0}")]
    Decode(#[source] serde_json::Error),

    /// A response body is not valid UTF-8 text.
    #[error("response body is not valid UTF-8")]
    NotUtf8,

    /// A cryptographic operation failed for a reason other than a bad signature.
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),

    /// The APIv3 key given for AES-256-GCM is not exactly 32 bytes. The key itself is
    /// never included.
    #[error("the APIv3 key must be exactly 32 bytes")]
    InvalidApiV3Key,

    /// Decrypting a callback resource, a downloaded certificate or a sensitive field
    /// failed: the authentication tag did not match (wrong key, nonce or associated data,
    /// or an altered ciphertext), the Base64 was malformed, or the nonce had an unusable
    /// length. `what` names the failure; no key material or plaintext is included.
    #[error("decryption failed: {what}")]
    Decryption {
        /// The failure, in plain words.
        what: &'static str,
    },

    /// An operation needs the APIv3 key (callbacks, certificate download) and the client
    /// has none: set it with `ClientBuilder::apiv3_key`.
    #[error("no APIv3 key is configured (needed for callbacks and certificate downloads)")]
    MissingApiV3Key,

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

    /// A download URL points to a host other than the API host: the merchant's signature
    /// would go there. Allow the host explicitly if it is genuinely the platform's.
    #[error("refusing to send a signed request to {host}, which is not the API host")]
    ForeignHost {
        /// The host the URL names.
        host: String,
    },

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

impl Error {
    /// The platform's `Request-ID` for an [`Error::Api`], if it sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self.last_cause() {
            Error::Api { request_id, .. } => request_id.as_deref(),
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
        matches!(
            self.last_cause(),
            Error::MissingHeader { .. }
                | Error::MalformedHeader { .. }
                | Error::ClockSkew { .. }
                | Error::UnknownPlatformKey { .. }
                | Error::BadSignature { .. }
        )
    }

    pub(crate) fn key(what: &'static str, reason: impl Into<String>) -> Self {
        Error::Key {
            what,
            reason: reason.into(),
        }
    }
}

struct ApiErrorDisplay<'a> {
    status: u16,
    code: &'a Option<String>,
    message: &'a Option<String>,
    request_id: &'a Option<String>,
}

impl fmt::Display for ApiErrorDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error {}", self.status)?;
        if let Some(code) = self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = self.message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = self.request_id {
            write!(f, " (Request-ID {id})")?;
        }
        Ok(())
    }
}
