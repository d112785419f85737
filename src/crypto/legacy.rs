//! The primitives of APIv2, the platform's older XML protocol: MD5 and HMAC-SHA256 for
//! signatures, AES-256-ECB with PKCS#7 padding for refund notifications, and a
//! constant-time comparison for checking signatures. Weak by today's standards (MD5, ECB);
//! offered only because the protocol requires them.

use super::backend;

/// Why an AES-256-ECB operation failed. Never carries key or plaintext bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EcbError {
    /// The ciphertext is empty or its length is not a multiple of the 16-byte block.
    #[error("AES-256-ECB ciphertext length {0} is not a positive multiple of 16")]
    Length(usize),
    /// The decrypted data does not end in valid PKCS#7 padding (wrong key or damaged data).
    #[error("AES-256-ECB plaintext has invalid PKCS#7 padding (wrong key or damaged data)")]
    Padding,
    /// The backend failed for another reason.
    #[error("AES-256-ECB failed")]
    Failed,
}

/// MD5 of `bytes`.
///
/// ```
/// use wechatpay::crypto::legacy::md5;
/// assert_eq!(md5(b"abc")[..4], [0x90, 0x01, 0x50, 0x98]);
/// ```
pub fn md5(bytes: &[u8]) -> [u8; 16] {
    backend::md5(bytes)
}

/// HMAC-SHA256 of `message` under `key` (a key of any length).
///
/// ```
/// use wechatpay::crypto::legacy::hmac_sha256;
/// // RFC 4231, test case 2.
/// let tag = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
/// assert_eq!(tag[..4], [0x5b, 0xdc, 0xc1, 0x46]);
/// ```
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    backend::hmac_sha256(key, message)
}

/// Lower-case hex of `bytes`.
///
/// ```
/// assert_eq!(wechatpay::crypto::legacy::hex_lower(&[0x0a, 0xff]), "0aff");
/// ```
pub fn hex_lower(bytes: &[u8]) -> String {
    super::hex_lower(bytes)
}

/// AES-256-ECB encryption with PKCS#7 padding: the output is 1 to 16 bytes longer than
/// `plaintext`, a whole number of 16-byte blocks.
///
/// ```
/// use wechatpay::crypto::legacy::aes_256_ecb_encrypt;
/// let sealed = aes_256_ecb_encrypt(b"0123456789abcdef0123456789abcdef", b"hello")?;
/// assert_eq!(sealed.len(), 16);
/// # Ok::<(), wechatpay::crypto::legacy::EcbError>(())
/// ```
pub fn aes_256_ecb_encrypt(key: &[u8; 32], plaintext: &[u8]) -> Result<Vec<u8>, EcbError> {
    backend::aes_256_ecb_pkcs7_encrypt(key, plaintext).ok_or(EcbError::Failed)
}

/// AES-256-ECB decryption, then strict PKCS#7 unpadding (every padding byte checked).
///
/// ECB has no integrity check: a wrong key or altered blocks most often show up as bad
/// padding, but not always, so the caller must still validate what comes out.
///
/// ```
/// use wechatpay::crypto::legacy::{EcbError, aes_256_ecb_decrypt, aes_256_ecb_encrypt};
/// let key = b"0123456789abcdef0123456789abcdef";
/// let sealed = aes_256_ecb_encrypt(key, b"hello")?;
/// assert_eq!(aes_256_ecb_decrypt(key, &sealed)?, b"hello");
/// assert_eq!(aes_256_ecb_decrypt(key, &sealed[..15]), Err(EcbError::Length(15)));
/// # Ok::<(), EcbError>(())
/// ```
pub fn aes_256_ecb_decrypt(key: &[u8; 32], ciphertext: &[u8]) -> Result<Vec<u8>, EcbError> {
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(EcbError::Length(ciphertext.len()));
    }
    backend::aes_256_ecb_pkcs7_decrypt(key, ciphertext).ok_or(EcbError::Padding)
}

/// Whether `a` and `b` hold the same bytes, compared in time that does not depend on where
/// they differ (it does depend on their lengths, which are not secret here).
///
/// ```
/// use wechatpay::crypto::legacy::constant_time_eq;
/// assert!(constant_time_eq(b"9A0A", b"9A0A"));
/// assert!(!constant_time_eq(b"9A0A", b"9A0B"));
/// assert!(!constant_time_eq(b"9A0A", b"9A0A0"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    backend::constant_time_eq(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn aes_256_ecb_of_hello_matches_the_published_answer() {
        let sealed = aes_256_ecb_encrypt(KEY, b"hello").unwrap();
        assert_eq!(super::super::base64_encode(&sealed), "pZwJZBLuy3mDACEQT4YTBw==");
        assert_eq!(aes_256_ecb_decrypt(KEY, &sealed).unwrap(), b"hello");
    }

    #[test]
    fn padding_is_always_added_and_round_trips_at_every_length() {
        for len in 0..=48 {
            let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let sealed = aes_256_ecb_encrypt(KEY, &plaintext).unwrap();
            assert_eq!(sealed.len(), (len / 16 + 1) * 16, "length {len}");
            assert_eq!(aes_256_ecb_decrypt(KEY, &sealed).unwrap(), plaintext);
        }
    }

    #[test]
    fn bad_lengths_and_bad_padding_are_typed_errors() {
        for len in [0, 1, 15, 17, 31] {
            assert_eq!(aes_256_ecb_decrypt(KEY, &vec![0; len]), Err(EcbError::Length(len)));
        }
        // A block whose decryption ends in 0x00 or in inconsistent padding bytes.
        let zero = aes_256_ecb_encrypt(KEY, &[0; 16]).unwrap();
        assert_eq!(aes_256_ecb_decrypt(KEY, &zero[..16]), Err(EcbError::Padding));
        let mut bad = *b"0123456789abcd\x02\x03";
        let sealed = aes_256_ecb_encrypt(KEY, &bad).unwrap();
        assert_eq!(aes_256_ecb_decrypt(KEY, &sealed[..16]), Err(EcbError::Padding));
        bad[15] = 0x11;
        let sealed = aes_256_ecb_encrypt(KEY, &bad).unwrap();
        assert_eq!(aes_256_ecb_decrypt(KEY, &sealed[..16]), Err(EcbError::Padding));
        // Under another key the padding fails to check.
        let sealed = aes_256_ecb_encrypt(KEY, b"hello").unwrap();
        assert_eq!(
            aes_256_ecb_decrypt(b"0123456789abcdef0123456789abcdeF", &sealed),
            Err(EcbError::Padding)
        );
    }

    #[test]
    fn digests_match_their_standard_answers() {
        assert_eq!(hex_lower(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            hex_lower(&md5(b"The quick brown fox jumps over the lazy dog")),
            "9e107d9d372bb6826bd81d3542a419d6"
        );
        // RFC 4231 test cases 2 and 6 (a key longer than the block).
        assert_eq!(
            hex_lower(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex_lower(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn constant_time_eq_compares_contents_and_lengths() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(&[7; 64], &[7; 64]));
        let mut other = [7; 64];
        other[63] = 8;
        assert!(!constant_time_eq(&[7; 64], &other));
        assert!(!constant_time_eq(&[7; 64], &[7; 63]));
    }
}
