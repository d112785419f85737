//! The facts both ends of the wire share, as pure functions and constants: header names,
//! the replay window, the paths answered unsigned, the encrypted-resource envelope, how a
//! non-2xx answer reads, multipart uploads, path templates, and APIv2's XML protocol
//! ([`v2`]). No network, no client: the client and the mock server both build on this.
//!
//! The rules are summarised in `docs/protocol.md`.

pub mod api_error;
pub mod downloads;
pub mod envelope;
pub mod multipart;
pub mod path;
pub mod v2;

/// The authorisation scheme of APIv3 with RSA keys (the `Authorization` header's first word,
/// and the only `Wechatpay-Signature-Type` accepted).
pub const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// The largest accepted distance, in seconds, between a signature's timestamp and the local
/// clock, both for answers the client verifies and for requests the platform verifies.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// The names of the headers the protocol defines.
pub mod headers {
    /// Carries the signature's Unix timestamp.
    pub const TIMESTAMP: &str = "Wechatpay-Timestamp";
    /// Carries the signature's nonce.
    pub const NONCE: &str = "Wechatpay-Nonce";
    /// Carries the Base64 signature.
    pub const SIGNATURE: &str = "Wechatpay-Signature";
    /// Names the platform key (certificate serial or public key id): on an answer, the key
    /// that signed it; on a request, the key the answer should be signed with and that
    /// encrypted any sensitive field.
    pub const SERIAL: &str = "Wechatpay-Serial";
    /// Optionally names the signature algorithm.
    pub const SIGNATURE_TYPE: &str = "Wechatpay-Signature-Type";
    /// Carries an overseas statement's SHA-1, whose signature covers `{"sha1":"<value>"}`.
    pub const STATEMENT_SHA1: &str = "Wechatpay-Statement-Sha1";
    /// The platform's id of one request, for support tickets.
    pub const REQUEST_ID: &str = "Request-ID";
}

/// The platform's `Request-ID` header of an answer, if present and text.
pub fn request_id(headers: &http::HeaderMap) -> Option<&str> {
    headers.get(headers::REQUEST_ID).and_then(|v| v.to_str().ok())
}
