//! The pure-Rust backend: the RustCrypto `rsa`, `sha2`, `sha1` and `aes-gcm` crates, for
//! builds without C code.

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead as _, KeyInit as _, Nonce, Payload};
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::traits::PublicKeyParts as _;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use super::OaepEncryptError;

/// The name [`crate::crypto::backend()`] reports.
pub(crate) const NAME: &str = "rsa (pure Rust)";

/// An RSA private key; the `rsa` crate zeroizes its big integers on drop.
#[derive(Clone)]
pub(crate) struct PrivateKey {
    key: rsa::PrivateKey,
}

impl PrivateKey {
    /// A PKCS#8 `PrivateKeyInfo` holding an RSA key; `None` when it is not one.
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Option<Self> {
        Some(Self {
            key: rsa::PrivateKey::from_pkcs8_der(der).ok()?,
        })
    }

    /// A PKCS#1 `RSAPrivateKey`; `None` when it is not one.
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Option<Self> {
        Some(Self {
            key: rsa::PrivateKey::from_pkcs1_der(der).ok()?,
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (deterministic).
    pub(crate) fn sign_sha256(&self, message: &[u8]) -> Option<Vec<u8>> {
        self.key.pkcs1v15_sign::<Sha256>(message).ok()
    }

    /// The public half.
    pub(crate) fn public_key(&self) -> PublicKey {
        PublicKey {
            key: self.key.to_public_key(),
        }
    }

    /// RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label) decryption; `None` on any failure.
    pub(crate) fn decrypt_oaep_sha1(&self, ciphertext: &[u8]) -> Option<Vec<u8>> {
        self.key.oaep_decrypt::<Sha1>(ciphertext).ok()
    }
}

/// An RSA public key.
#[derive(Clone, PartialEq)]
pub(crate) struct PublicKey {
    key: rsa::PublicKey,
}

impl PublicKey {
    /// A DER `SubjectPublicKeyInfo` holding an RSA key; `None` when it is not one.
    pub(crate) fn from_spki_der(der: &[u8]) -> Option<Self> {
        Some(Self {
            key: rsa::PublicKey::from_public_key_der(der).ok()?,
        })
    }

    /// A PKCS#1 `RSAPublicKey`; `None` when it is not one.
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Option<Self> {
        Some(Self {
            key: rsa::PublicKey::from_pkcs1_der(der).ok()?,
        })
    }

    /// The modulus length in bits.
    pub(crate) fn modulus_bits(&self) -> usize {
        self.key.size() * 8
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub(crate) fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.pkcs1v15_verify::<Sha256>(message, signature).is_ok()
    }

    /// RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label) encryption with random padding from the
    /// operating system.
    pub(crate) fn encrypt_oaep_sha1(&self, plaintext: &[u8]) -> Result<Vec<u8>, OaepEncryptError> {
        self.key.oaep_encrypt::<Sha1>(plaintext).map_err(|e| match e {
            rsa::Error::MessageTooLong => OaepEncryptError::TooLong,
            _ => OaepEncryptError::Failed,
        })
    }

    /// RSA-OAEP with SHA-256: only for the test that SHA-1 decryption refuses it.
    #[cfg(test)]
    pub(crate) fn encrypt_oaep_sha256_for_tests(&self, plaintext: &[u8]) -> Vec<u8> {
        self.key.oaep_encrypt::<Sha256>(plaintext).unwrap()
    }
}

/// AES-256-GCM encryption: returns (ciphertext || 16-byte tag). The cipher's round keys
/// are zeroized on drop.
pub(crate) fn aes_256_gcm_seal(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = Nonce::<Aes256Gcm>::try_from(&nonce[..]).ok()?;
    cipher.encrypt(&nonce, Payload { msg: plaintext, aad }).ok()
}

/// AES-256-GCM decryption of (ciphertext || 16-byte tag); `None` unless the tag verifies.
pub(crate) fn aes_256_gcm_open(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let nonce = Nonce::<Aes256Gcm>::try_from(&nonce[..]).ok()?;
    cipher.decrypt(&nonce, Payload { msg: sealed, aad }).ok()
}

/// Fills `out` from the operating system's random source. `false` on failure.
pub(crate) fn fill_random(out: &mut [u8]) -> bool {
    getrandom::fill(out).is_ok()
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Incremental SHA-1 (download digests only; never for signatures).
pub(crate) struct Sha1Hasher(sha1::Sha1);

impl Sha1Hasher {
    pub(crate) fn new() -> Self {
        Self(<sha1::Sha1 as sha2::Digest>::new())
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.0, bytes)
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        sha2::Digest::finalize(self.0).to_vec()
    }
}

/// Incremental SHA-256.
pub(crate) struct Sha256Hasher(Sha256);

impl Sha256Hasher {
    pub(crate) fn new() -> Self {
        Self(<Sha256 as sha2::Digest>::new())
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.0, bytes)
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        sha2::Digest::finalize(self.0).to_vec()
    }
}

// APIv2 (legacy) primitives, for `crypto::legacy`.

/// MD5 of `bytes` (APIv2 signatures and the refund-notification key only).
pub(crate) fn md5(bytes: &[u8]) -> [u8; 16] {
    <md5::Md5 as sha2::Digest>::digest(bytes).into()
}

/// HMAC-SHA256 of `message` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit as _, Mac as _};
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(key) else {
        unreachable!("HMAC accepts keys of every length")
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// AES-256-ECB encryption with PKCS#7 padding (always at least one byte of padding). The
/// cipher's round keys are zeroized on drop.
pub(crate) fn aes_256_ecb_pkcs7_encrypt(key: &[u8; 32], plaintext: &[u8]) -> Option<Vec<u8>> {
    use aes::cipher::{BlockCipherEncrypt as _, KeyInit as _};
    let cipher = aes::Aes256::new_from_slice(key).ok()?;
    let pad = 16 - plaintext.len() % 16;
    let mut buffer = Vec::with_capacity(plaintext.len() + pad);
    buffer.extend_from_slice(plaintext);
    buffer.resize(plaintext.len() + pad, pad as u8);
    let (blocks, rest) = aes::Block::slice_as_chunks_mut(&mut buffer);
    debug_assert!(rest.is_empty());
    cipher.encrypt_blocks(blocks);
    Some(buffer)
}

/// AES-256-ECB decryption with strict PKCS#7 unpadding; `None` when the length is not a
/// positive multiple of 16 or the padding is malformed.
pub(crate) fn aes_256_ecb_pkcs7_decrypt(key: &[u8; 32], ciphertext: &[u8]) -> Option<Vec<u8>> {
    use aes::cipher::{BlockCipherDecrypt as _, KeyInit as _};
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return None;
    }
    let cipher = aes::Aes256::new_from_slice(key).ok()?;
    let mut buffer = ciphertext.to_vec();
    let (blocks, _) = aes::Block::slice_as_chunks_mut(&mut buffer);
    cipher.decrypt_blocks(blocks);
    let pad = *buffer.last()?;
    let len = buffer.len().checked_sub(usize::from(pad))?;
    if !(1..=16).contains(&pad) || buffer[len..].iter().any(|&b| b != pad) {
        return None;
    }
    buffer.truncate(len);
    Some(buffer)
}

/// Whether `a` and `b` are equal, in time independent of their contents (not of their
/// lengths).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
