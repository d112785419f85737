//! A request as decided before it is signed: method, URL, the exact target and body bytes
//! the signature covers, the extra headers, and what will make its answer trustworthy.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};
use url::Url;

use super::body::Multipart;
use crate::protocol::downloads::Digest;
use crate::protocol::v2::AnswerSignature;

/// Everything about a request that is decided before it is signed.
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) method: Method,
    /// The path template, for logs (identifiers stay out of them).
    pub(crate) template: String,
    pub(crate) url: Url,
    /// The request target exactly as sent and signed: path and query.
    pub(crate) target: String,
    pub(crate) body: Body,
    /// The caller's extra headers, checked.
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Option<Duration>,
    /// The platform key that encrypted sensitive fields: it must be the `Wechatpay-Serial`.
    pub(crate) encrypted_with: Option<String>,
    /// What makes the answer trustworthy.
    pub(crate) check: Check,
    /// Whether the TLS connection presents the merchant certificate (APIv2 operations that
    /// need it).
    pub(crate) client_certificate: bool,
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

impl Prepared {
    /// A bodiless `GET` of `url` (path only, no query) with a signed answer.
    pub(crate) fn get(url: Url, template: &str) -> Self {
        Self {
            method: Method::GET,
            template: template.to_owned(),
            target: url.path().to_owned(),
            url,
            body: Body::Empty,
            headers: HeaderMap::new(),
            timeout: None,
            encrypted_with: None,
            check: Check::Signature,
            client_certificate: false,
            on_signed: None,
        }
    }
}

/// What goes in the body.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    /// No body.
    Empty,
    /// A JSON body: these bytes are sent and signed.
    Json(Bytes),
    /// A multipart upload: the meta text is signed, the whole form is sent.
    Multipart(Multipart),
    /// An APIv2 XML document, which carries its own signature.
    Xml(Bytes),
}

impl Body {
    /// The bytes the signature covers: the JSON sent, an upload's meta text, or nothing.
    pub(crate) fn signed(&self) -> &[u8] {
        match self {
            Body::Empty => b"",
            Body::Json(bytes) | Body::Xml(bytes) => bytes,
            Body::Multipart(multipart) => &multipart.meta,
        }
    }
}

/// What makes an answer trustworthy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Check {
    /// A signed answer: the `Wechatpay-*` headers verify over the body.
    Signature,
    /// A file the platform does not sign: it must have this digest, when one is known.
    File { expect: Option<Digest> },
    /// An overseas statement: its signed `Wechatpay-Statement-Sha1` must match the file, and
    /// so must the digest given, if any.
    Statement { expect: Option<Digest> },
    /// An APIv2 answer: `return_code`, then its `sign` (unless the endpoint answers unsigned),
    /// then `result_code`. A bill download answers a file on success.
    V2 {
        /// How the answer is signed.
        signature: AnswerSignature,
        /// `pay/downloadbill` or `pay/downloadfundflow`: a CSV or gzip file, or an XML error.
        download: bool,
    },
}

/// A callback that sees each attempt exactly as it is signed and sent.
#[derive(Clone)]
pub(crate) struct SignedHook(pub(crate) Arc<dyn Fn(&SignedRequest<'_>) + Send + Sync>);

impl std::fmt::Debug for SignedHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignedHook")
    }
}

/// One attempt of a request as it goes on the wire, for debugging: what the signature
/// covers and the headers sent. Given to
/// [`RequestBuilder::on_signed`](crate::RequestBuilder::on_signed).
#[derive(Debug)]
#[non_exhaustive]
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
