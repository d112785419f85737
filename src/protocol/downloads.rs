//! The answers the platform does not sign: file downloads, whose integrity comes from a
//! digest instead, and overseas statements, which carry a signed SHA-1 of the file. One
//! table, read by the client (what to check) and the mock (what to leave unsigned).

use http::Method;

use super::path::matches_template;
use crate::error::{BodyError, RequestError, Result};
use crate::text::sanitize;

/// How a `GET` on one of the download paths is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A file sent without a signature: check it against a digest announced elsewhere
    /// (a bill's apply answer, a media id the merchant knows).
    Unsigned,
    /// An overseas statement: the file is unsigned, but `Wechatpay-Statement-Sha1` carries
    /// its SHA-1 and is signed (the signature covers the text `{"sha1":"<value>"}`).
    Statement,
}

/// One path whose `GET` answer is a file the platform does not sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsignedDownload {
    /// The path template.
    pub template: &'static str,
    /// How the file is authenticated instead.
    pub kind: FileKind,
}

/// Paths whose `GET` answers are files the platform does not sign.
///
/// ```
/// use wechatpay::protocol::downloads::{UNSIGNED_DOWNLOADS, FileKind};
/// assert!(UNSIGNED_DOWNLOADS.iter().any(|d| d.template == "/v3/billdownload/file"));
/// assert_eq!(UNSIGNED_DOWNLOADS.iter().filter(|d| d.kind == FileKind::Statement).count(), 2);
/// ```
pub const UNSIGNED_DOWNLOADS: &[UnsignedDownload] = &[
    unsigned("/v3/billdownload/file"),
    unsigned("/v3/transferdownload/signfile"),
    unsigned("/v3/transferdownload/elecvoucherfile"),
    unsigned("/v3/merchant-service/images/{media_id}"),
    unsigned("/v3/global/merchant-service/images/{media_id}"),
    statement("/v3/global/statements"),
    statement("/hk/v3/statements"),
];

const fn unsigned(template: &'static str) -> UnsignedDownload {
    UnsignedDownload {
        template,
        kind: FileKind::Unsigned,
    }
}

const fn statement(template: &'static str) -> UnsignedDownload {
    UnsignedDownload {
        template,
        kind: FileKind::Statement,
    }
}

/// How the answer to `method path` (an expanded path, without the query) is authenticated:
/// `None` for a signed answer, the file kind for one of [`UNSIGNED_DOWNLOADS`].
///
/// ```
/// use http::Method;
/// use wechatpay::protocol::downloads::{file_kind, FileKind};
/// assert_eq!(file_kind(&Method::GET, "/v3/merchant-service/images/abc"), Some(FileKind::Unsigned));
/// assert_eq!(file_kind(&Method::GET, "/hk/v3/statements"), Some(FileKind::Statement));
/// assert_eq!(file_kind(&Method::POST, "/v3/billdownload/file"), None);
/// assert_eq!(file_kind(&Method::GET, "/v3/certificates"), None);
/// ```
pub fn file_kind(method: &Method, path: &str) -> Option<FileKind> {
    if method != Method::GET {
        return None;
    }
    UNSIGNED_DOWNLOADS
        .iter()
        .find(|d| matches_template(path, d.template))
        .map(|d| d.kind)
}

/// A digest a download must match.
///
/// ```
/// use wechatpay::Digest;
/// let d = Digest::from_hash_type("sha1", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709")?;
/// assert_eq!(d, Digest::Sha1("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709".into()));
/// assert!(Digest::from_hash_type("MD5", "x").is_err());
/// # Ok::<(), wechatpay::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Digest {
    /// SHA-1, hex (case-insensitive).
    Sha1(String),
    /// SHA-256, hex (case-insensitive).
    Sha256(String),
}

impl Digest {
    /// From an apply answer's `hash_type` (`SHA1` or `SHA256`, any case) and `hash_value`.
    pub fn from_hash_type(hash_type: &str, value: &str) -> Result<Digest> {
        match hash_type.to_ascii_uppercase().as_str() {
            "SHA1" => Ok(Digest::Sha1(value.to_owned())),
            "SHA256" => Ok(Digest::Sha256(value.to_owned())),
            _ => Err(RequestError::InvalidDownload {
                reason: format!("unsupported hash_type {:?}", sanitize(hash_type)),
            }
            .into()),
        }
    }

    /// Checks the digests of the bytes received against this one.
    pub(crate) fn check(&self, received: &Digests) -> Result<()> {
        let (algorithm, expected, actual) = match self {
            Digest::Sha1(hex) => ("SHA1", hex, &received.sha1),
            Digest::Sha256(hex) => ("SHA256", hex, &received.sha256),
        };
        if expected.eq_ignore_ascii_case(actual) {
            Ok(())
        } else {
            Err(BodyError::DigestMismatch {
                algorithm,
                expected: sanitize(expected),
                actual: actual.clone(),
            }
            .into())
        }
    }
}

/// The SHA-1 and SHA-256 of the bytes received, lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Digests {
    pub(crate) sha1: String,
    pub(crate) sha256: String,
}

impl Digests {
    /// The digests of `bytes`.
    pub(crate) fn of(bytes: &[u8]) -> Self {
        let mut hasher = Hasher::default();
        hasher.update(bytes);
        hasher.finish()
    }
}

/// Computes [`Digests`] incrementally.
#[derive(Default)]
pub(crate) struct Hasher {
    sha1: crate::crypto::digest::Sha1,
    sha256: crate::crypto::digest::Sha256,
}

impl Hasher {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.sha1.update(bytes);
        self.sha256.update(bytes);
    }

    pub(crate) fn finish(self) -> Digests {
        Digests {
            sha1: self.sha1.finish_hex(),
            sha256: self.sha256.finish_hex(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_compare_case_insensitively_and_name_the_algorithm_on_mismatch() {
        let received = Digests::of(b"abc");
        assert!(
            Digest::Sha1("A9993E364706816ABA3E25717850C26C9CD0D89D".into())
                .check(&received)
                .is_ok()
        );
        let wrong = Digest::Sha256("00".into()).check(&received).unwrap_err();
        assert!(matches!(
            wrong,
            crate::Error::Body(BodyError::DigestMismatch {
                algorithm: "SHA256",
                ..
            })
        ));
    }
}
