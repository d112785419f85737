//! The narrow cryptographic boundary of the crate: RSA PKCS#1 v1.5 SHA-256 signing and
//! verification, RSA-OAEP for sensitive fields, AES-256-GCM for callbacks, key and
//! certificate loading. Nothing above this module touches a cryptography crate directly.
//!
//! The arithmetic comes from one of two backends, chosen by Cargo feature: `aws-lc` (the
//! default: aws-lc-rs, which the default TLS stack builds anyway) or `rust-crypto` (the
//! pure-Rust `rsa`, `sha2`, `sha1` and `aes-gcm` crates, for builds without C code). With
//! both on, aws-lc-rs is used; [`backend()`] tells which one a build has.

pub mod aes_gcm;
mod backend;
mod certificate;
pub mod digest;
mod keys;
pub mod legacy;
#[cfg(feature = "pkcs12")]
pub(crate) mod pkcs12;

pub(crate) use aes_gcm::ApiV3Key;
pub use certificate::Certificate;
pub(crate) use certificate::check_certificate_bundle;
pub use keys::key_bits;
pub(crate) use keys::{RsaPrivateKey, RsaPublicKey};

use base64::Engine as _;

use crate::error::{Error, Result};

/// Base64 (standard alphabet, padded), the encoding of every signature on the wire.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard padded Base64; `None` when the text is not valid Base64.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// The cryptography backend this build uses: `"aws-lc-rs"` (the `aws-lc` feature, the
/// default) or `"rsa (pure Rust)"` (the `rust-crypto` feature alone).
///
/// ```
/// println!("crypto backend: {}", wechatpay::crypto::backend());
/// ```
pub fn backend() -> &'static str {
    backend::NAME
}

/// Fills `out` with random bytes from the backend's CSPRNG; `false` if the source failed.
pub(crate) fn fill_random(out: &mut [u8]) -> bool {
    backend::fill_random(out)
}

/// Length of the nonces this crate generates.
pub const NONCE_LEN: usize = 32;

/// A fresh nonce: 32 characters of `[0-9A-Za-z]` from the backend's CSPRNG (AWS-LC's
/// OS-seeded DRBG, or the operating system's source with `rust-crypto`), drawn by rejection
/// sampling so that every character is equally likely.
///
/// ```
/// let n = wechatpay::crypto::nonce()?;
/// assert_eq!(n.len(), 32);
/// assert!(n.bytes().all(|b| b.is_ascii_alphanumeric()));
/// # Ok::<(), wechatpay::Error>(())
/// ```
pub fn nonce() -> Result<String> {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    // 248 = 4 * 62: bytes at or above it would favour the first characters, so they are dropped.
    const LIMIT: u8 = 248;
    let mut out = String::with_capacity(NONCE_LEN);
    let mut buf = [0u8; 48];
    while out.len() < NONCE_LEN {
        if !fill_random(&mut buf) {
            return Err(Error::Crypto("the random source failed"));
        }
        for &b in buf.iter().filter(|&&b| b < LIMIT) {
            if out.len() == NONCE_LEN {
                break;
            }
            out.push(ALPHABET[(b % 62) as usize] as char);
        }
    }
    Ok(out)
}

/// SHA-256 of `bytes`, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex_lower(&backend::sha256(bytes))
}

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0xf) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty_input_matches_known_answer() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn base64_round_trips_and_rejects_garbage() {
        assert_eq!(base64_decode(&base64_encode(b"\x00\xffab")).unwrap(), b"\x00\xffab");
        assert!(base64_decode("WECHATPAY/SIGNTEST/abc").is_none());
    }
}
