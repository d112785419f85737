//! AES-256-GCM with the merchant's APIv3 key: how the platform encrypts callback resources
//! and downloaded platform certificates.
//!
//! - the key is the APIv3 key's 32 ASCII bytes, used as the raw AES-256 key;
//! - the nonce is the `nonce` string's bytes (12 ASCII characters);
//! - the associated data is the `associated_data` string's bytes (may be empty);
//! - the ciphertext is Base64 of (encrypted bytes || 16-byte tag); the full 16-byte tag is
//!   required, a shortened tag never authenticates.
//!
//! ```
//! use wechatpay::crypto::aes_gcm;
//!
//! let key = b"0123456789abcdef0123456789abcdef"; // the APIv3 key, 32 bytes
//! let sealed = aes_gcm::encrypt(key, b"a1B2c3D4e5F6", b"certificate", b"{\"ok\":true}")?;
//! let opened = aes_gcm::decrypt(key, b"a1B2c3D4e5F6", b"certificate", &sealed)?;
//! assert_eq!(opened, b"{\"ok\":true}");
//! # Ok::<(), wechatpay::Error>(())
//! ```

use super::backend;
use crate::error::{ConfigError, Error, Result};

/// The APIv3 key's length: AES-256 takes 32 key bytes.
pub const KEY_LEN: usize = 32;

/// The only nonce length accepted: 12 bytes, the platform's 12-character nonce strings.
pub const NONCE_LEN: usize = 12;

/// The authentication tag's length at the end of every ciphertext.
pub const TAG_LEN: usize = 16;

/// Decrypts and authenticates `ciphertext_b64`, Base64 of (encrypted bytes || 16-byte tag),
/// with the APIv3 key `key`, the `nonce` string's bytes and the `associated_data`
/// string's bytes, as found in a callback's `resource` or a certificate download.
///
/// # Errors
///
/// [`ConfigError::InvalidApiV3Key`] when `key` is not exactly 32 bytes;
/// [`Error::Decryption`] when the nonce is not 12 bytes, the text is not valid standard
/// Base64, it decodes to fewer than 16 bytes, or the tag does not authenticate (wrong key,
/// nonce or associated data, or an altered ciphertext).
///
/// ```
/// use wechatpay::{Error, crypto::aes_gcm};
///
/// let key = b"0123456789abcdef0123456789abcdef";
/// let sealed = aes_gcm::encrypt(key, b"Zy9Xw8Vu7Ts6", b"", b"hello")?;
/// assert_eq!(aes_gcm::decrypt(key, b"Zy9Xw8Vu7Ts6", b"", &sealed)?, b"hello");
///
/// // Other associated data: the tag no longer authenticates.
/// let err = aes_gcm::decrypt(key, b"Zy9Xw8Vu7Ts6", b"transaction", &sealed).unwrap_err();
/// assert!(matches!(err, Error::Decryption { .. }));
/// # Ok::<(), Error>(())
/// ```
pub fn decrypt(key: &[u8], nonce: &[u8], associated_data: &[u8], ciphertext_b64: &str) -> Result<Vec<u8>> {
    let key = api_v3_key(key)?;
    let nonce: &[u8; NONCE_LEN] = nonce.try_into().map_err(|_| Error::Decryption {
        what: "the nonce must be 12 bytes",
    })?;
    let sealed = super::base64_decode(ciphertext_b64).ok_or(Error::Decryption {
        what: "the ciphertext is not valid Base64",
    })?;
    if sealed.len() < TAG_LEN {
        return Err(Error::Decryption {
            what: "the ciphertext is shorter than its 16-byte authentication tag",
        });
    }
    backend::aes_256_gcm_open(key, nonce, associated_data, &sealed).ok_or(Error::Decryption {
        what: "the authentication tag does not match (wrong APIv3 key, nonce or associated data, or an altered ciphertext)",
    })
}

/// Encrypts `plaintext` with the APIv3 key `key`, the `nonce` bytes and `associated_data`,
/// returning Base64 of (encrypted bytes || 16-byte tag), the form [`decrypt`] takes. The
/// mock server uses it to build callbacks; a nonce must never be reused with one key.
///
/// # Errors
///
/// [`ConfigError::InvalidApiV3Key`] when `key` is not exactly 32 bytes; [`Error::Crypto`] when
/// the nonce is not 12 bytes or the input exceeds AES-GCM's limits.
///
/// ```
/// use wechatpay::crypto::aes_gcm;
///
/// let key = b"0123456789abcdef0123456789abcdef";
/// let sealed = aes_gcm::encrypt(key, b"a1B2c3D4e5F6", b"certificate", b"")?;
/// // Even an empty plaintext carries its 16-byte tag: 24 Base64 characters.
/// assert_eq!(sealed.len(), 24);
/// # Ok::<(), wechatpay::Error>(())
/// ```
pub fn encrypt(key: &[u8], nonce: &[u8], associated_data: &[u8], plaintext: &[u8]) -> Result<String> {
    let key = api_v3_key(key)?;
    let nonce: &[u8; NONCE_LEN] = nonce
        .try_into()
        .map_err(|_| Error::Crypto("the AES-GCM nonce must be 12 bytes"))?;
    let sealed = backend::aes_256_gcm_seal(key, nonce, associated_data, plaintext)
        .ok_or(Error::Crypto("AES-GCM encryption failed"))?;
    Ok(super::base64_encode(&sealed))
}

/// The merchant's APIv3 key: exactly 32 bytes, shared without copies, wiped when the last
/// holder drops it, never shown.
#[derive(Clone)]
pub(crate) struct ApiV3Key(std::sync::Arc<zeroize::Zeroizing<[u8; KEY_LEN]>>);

impl ApiV3Key {
    /// Checks the length ([`ConfigError::InvalidApiV3Key`] unless 32 bytes) and keeps a copy.
    pub(crate) fn new(key: &[u8]) -> Result<Self> {
        let key: &[u8; KEY_LEN] = api_v3_key(key)?;
        Ok(Self(std::sync::Arc::new(zeroize::Zeroizing::new(*key))))
    }

    /// The key bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0[..]
    }
}

impl std::fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiV3Key(<redacted>)")
    }
}

/// The APIv3 key as the raw AES-256 key, or [`ConfigError::InvalidApiV3Key`] unless it is 32 bytes.
fn api_v3_key(key: &[u8]) -> Result<&[u8; KEY_LEN]> {
    key.try_into().map_err(|_| ConfigError::InvalidApiV3Key.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers computed with Python `cryptography` by
    /// tests/fixtures/aes_gcm/make_vectors.py.
    const VECTORS: &str = include_str!("../../tests/fixtures/aes_gcm/vectors.json");

    struct Vector {
        name: String,
        key: String,
        nonce: String,
        associated_data: String,
        plaintext: String,
        ciphertext_b64: String,
    }

    fn vectors() -> Vec<Vector> {
        let json: serde_json::Value = serde_json::from_str(VECTORS).unwrap();
        let field = |v: &serde_json::Value, name: &str| v[name].as_str().unwrap().to_owned();
        let vectors: Vec<Vector> = json["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| Vector {
                name: field(v, "name"),
                key: field(v, "key"),
                nonce: field(v, "nonce"),
                associated_data: field(v, "associated_data"),
                plaintext: field(v, "plaintext"),
                ciphertext_b64: field(v, "ciphertext_b64"),
            })
            .collect();
        assert_eq!(vectors.len(), 2);
        vectors
    }

    /// The vector with associated data "certificate".
    fn certificate_vector() -> Vector {
        let v = vectors().into_iter().next().unwrap();
        assert_eq!(v.associated_data, "certificate");
        v
    }

    fn decrypt_vector(v: &Vector, ciphertext_b64: &str) -> Result<Vec<u8>> {
        decrypt(
            v.key.as_bytes(),
            v.nonce.as_bytes(),
            v.associated_data.as_bytes(),
            ciphertext_b64,
        )
    }

    /// The Base64 of the vector's ciphertext after `edit` changed its bytes.
    fn edited(v: &Vector, edit: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut bytes = super::super::base64_decode(&v.ciphertext_b64).unwrap();
        edit(&mut bytes);
        super::super::base64_encode(&bytes)
    }

    fn assert_decryption_error(result: Result<Vec<u8>>) {
        match result {
            Err(Error::Decryption { .. }) => {}
            other => panic!("expected Error::Decryption, got {other:?}"),
        }
    }

    #[test]
    fn aes_gcm_decrypts_python_cryptography_vectors_to_the_expected_json() {
        let vectors = vectors();
        assert!(vectors.iter().any(|v| v.associated_data.is_empty()));
        for v in &vectors {
            let plaintext = decrypt_vector(v, &v.ciphertext_b64).unwrap();
            assert_eq!(plaintext, v.plaintext.as_bytes(), "vector {}", v.name);
            assert!(plaintext.len() >= 200, "vector {}", v.name);
            let _: serde_json::Value = serde_json::from_slice(&plaintext).unwrap();
        }
    }

    #[test]
    fn aes_gcm_encrypt_gives_the_same_base64_as_python_cryptography() {
        for v in &vectors() {
            let sealed = encrypt(
                v.key.as_bytes(),
                v.nonce.as_bytes(),
                v.associated_data.as_bytes(),
                v.plaintext.as_bytes(),
            )
            .unwrap();
            assert_eq!(sealed, v.ciphertext_b64, "vector {}", v.name);
        }
    }

    #[test]
    fn aes_gcm_rejects_a_wrong_key() {
        let v = certificate_vector();
        let mut key = v.key.clone().into_bytes();
        key[0] ^= 1;
        assert_decryption_error(decrypt(
            &key,
            v.nonce.as_bytes(),
            v.associated_data.as_bytes(),
            &v.ciphertext_b64,
        ));
    }

    #[test]
    fn aes_gcm_rejects_a_flipped_ciphertext_byte_or_tag_byte() {
        let v = certificate_vector();
        assert_decryption_error(decrypt_vector(&v, &edited(&v, |b| b[0] ^= 0x80)));
        assert_decryption_error(decrypt_vector(&v, &edited(&v, |b| *b.last_mut().unwrap() ^= 1)));
    }

    #[test]
    fn aes_gcm_rejects_wrong_or_missing_associated_data() {
        let v = certificate_vector();
        for ad in [&b"transaction"[..], b"Certificate", b""] {
            assert_decryption_error(decrypt(v.key.as_bytes(), v.nonce.as_bytes(), ad, &v.ciphertext_b64));
        }
    }

    #[test]
    fn aes_gcm_rejects_a_wrong_nonce() {
        let v = certificate_vector();
        assert_decryption_error(decrypt(
            v.key.as_bytes(),
            b"a1B2c3D4e5F7",
            v.associated_data.as_bytes(),
            &v.ciphertext_b64,
        ));
    }

    #[test]
    fn aes_gcm_rejects_a_tag_cut_to_12_bytes() {
        let v = certificate_vector();
        let cut = edited(&v, |b| b.truncate(b.len() - 4));
        assert_decryption_error(decrypt_vector(&v, &cut));
    }

    #[test]
    fn aes_gcm_rejects_empty_and_shorter_than_tag_ciphertexts_without_panicking() {
        let v = certificate_vector();
        assert_decryption_error(decrypt_vector(&v, ""));
        for len in [1, 12, 15] {
            let short = edited(&v, |b| b.truncate(len));
            assert_decryption_error(decrypt_vector(&v, &short));
        }
        // Exactly a tag and nothing else: well-formed length, but it does not authenticate.
        assert_decryption_error(decrypt_vector(&v, &edited(&v, |b| b.truncate(16))));
    }

    #[test]
    fn aes_gcm_rejects_invalid_base64() {
        let v = certificate_vector();
        for text in ["not base64!", "QUJD=", "QUJDRA", " QUJDRA==", "QUJD\nRA=="] {
            let err = decrypt_vector(&v, text).unwrap_err();
            assert!(
                matches!(err, Error::Decryption { what } if what.contains("Base64")),
                "{text:?}: {err:?}"
            );
        }
    }

    #[test]
    fn aes_gcm_rejects_31_and_33_byte_keys_in_both_directions() {
        let v = certificate_vector();
        let long = format!("{}x", v.key);
        for key in [&v.key.as_bytes()[..31], long.as_bytes(), b""] {
            let err = decrypt(key, v.nonce.as_bytes(), b"certificate", &v.ciphertext_b64);
            assert!(
                matches!(err, Err(Error::Config(ConfigError::InvalidApiV3Key))),
                "{err:?}"
            );
            let err = encrypt(key, v.nonce.as_bytes(), b"certificate", b"x");
            assert!(
                matches!(err, Err(Error::Config(ConfigError::InvalidApiV3Key))),
                "{err:?}"
            );
        }
    }

    #[test]
    fn aes_gcm_refuses_nonces_other_than_12_bytes() {
        let v = certificate_vector();
        for nonce in [&b""[..], b"a1B2c3D4e5F", b"a1B2c3D4e5F6a", b"a1B2c3D4e5F6a1B2"] {
            let err = decrypt(v.key.as_bytes(), nonce, b"certificate", &v.ciphertext_b64);
            assert!(matches!(err, Err(Error::Decryption { .. })), "{err:?}");
            let err = encrypt(v.key.as_bytes(), nonce, b"certificate", b"x");
            assert!(matches!(err, Err(Error::Crypto(_))), "{err:?}");
        }
    }

    #[test]
    fn aes_gcm_errors_show_no_key_nonce_or_plaintext() {
        let v = certificate_vector();
        let mut key = v.key.clone().into_bytes();
        key[0] ^= 1;
        let errors = [
            decrypt(&key, v.nonce.as_bytes(), b"certificate", &v.ciphertext_b64).unwrap_err(),
            decrypt(&key[..31], v.nonce.as_bytes(), b"", &v.ciphertext_b64).unwrap_err(),
            decrypt_vector(&v, "%%%").unwrap_err(),
        ];
        for err in errors {
            for text in [err.to_string(), format!("{err:?}")] {
                assert!(!text.contains(&v.key[1..]), "{text}");
                assert!(!text.contains(&v.nonce), "{text}");
                assert!(!text.contains("TRADE"), "{text}");
            }
        }
        assert_eq!(
            ConfigError::InvalidApiV3Key.to_string(),
            "the APIv3 key must be exactly 32 bytes"
        );
    }

    #[test]
    fn aes_gcm_round_trips_an_empty_plaintext_with_empty_associated_data() {
        let key = [7u8; KEY_LEN];
        let sealed = encrypt(&key, b"000000000000", b"", b"").unwrap();
        assert_eq!(super::super::base64_decode(&sealed).unwrap().len(), TAG_LEN);
        assert_eq!(decrypt(&key, b"000000000000", b"", &sealed).unwrap(), b"");
    }
}
