//! The default backend: aws-lc-rs (AWS-LC, a BoringSSL descendant), the same copy the
//! default TLS stack builds.

use std::sync::Arc;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{
    KeyPair, OAEP_SHA1_MGF1SHA1, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};
use aws_lc_rs::signature::{KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};

use super::OaepEncryptError;

/// The name [`crate::crypto::backend()`] reports.
pub(crate) const NAME: &str = "aws-lc-rs";

/// An RSA private key: the signing key pair and the OAEP decryption key, both parsed once
/// from the same PKCS#8 document, and the public half. AWS-LC clears the key's memory when
/// it is freed.
#[derive(Clone)]
pub(crate) struct PrivateKey(Arc<PrivateInner>);

struct PrivateInner {
    signing: KeyPair,
    decrypting: OaepPrivateDecryptingKey,
    public: PublicKey,
}

impl PrivateKey {
    /// A PKCS#8 `PrivateKeyInfo` holding an RSA key; `None` when it is not one.
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Option<Self> {
        Self::new(KeyPair::from_pkcs8(der).ok()?, der)
    }

    /// A PKCS#1 `RSAPrivateKey`; `None` when it is not one.
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Option<Self> {
        let signing = KeyPair::from_der(der).ok()?;
        // The decryption key only reads PKCS#8: re-encode the parsed key once.
        let pkcs8 = signing.as_der().ok()?;
        Self::new(signing, pkcs8.as_ref())
    }

    fn new(signing: KeyPair, pkcs8: &[u8]) -> Option<Self> {
        let decrypting = OaepPrivateDecryptingKey::new(PrivateDecryptingKey::from_pkcs8(pkcs8).ok()?).ok()?;
        let public = PublicKey::from_der_any(signing.public_key().as_ref())?;
        Some(Self(Arc::new(PrivateInner {
            signing,
            decrypting,
            public,
        })))
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message` (deterministic).
    pub(crate) fn sign_sha256(&self, message: &[u8]) -> Option<Vec<u8>> {
        let signing = &self.0.signing;
        let mut signature = vec![0; signing.public_modulus_len()];
        // aws-lc-rs ignores the random source for RSA signing (PKCS#1 v1.5 is deterministic).
        let rng = aws_lc_rs::rand::SystemRandom::new();
        signing.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature).ok()?;
        Some(signature)
    }

    /// The public half.
    pub(crate) fn public_key(&self) -> PublicKey {
        self.0.public.clone()
    }

    /// RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label) decryption; `None` on any failure.
    pub(crate) fn decrypt_oaep_sha1(&self, ciphertext: &[u8]) -> Option<Vec<u8>> {
        let key = &self.0.decrypting;
        if ciphertext.len() != key.key_size_bytes() {
            return None;
        }
        let mut plaintext = vec![0; key.min_output_size()];
        let len = key
            .decrypt(&OAEP_SHA1_MGF1SHA1, ciphertext, &mut plaintext, None)
            .ok()?
            .len();
        plaintext.truncate(len);
        Some(plaintext)
    }
}

/// An RSA public key, parsed once for verification and for OAEP encryption; compared by
/// its canonical SubjectPublicKeyInfo encoding.
#[derive(Clone)]
pub(crate) struct PublicKey(Arc<PublicInner>);

struct PublicInner {
    verifying: ParsedPublicKey,
    encrypting: OaepPublicEncryptingKey,
    bits: usize,
    spki: Box<[u8]>,
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.spki == other.0.spki
    }
}

impl PublicKey {
    /// A DER `SubjectPublicKeyInfo` holding an RSA key; `None` when it is not one.
    pub(crate) fn from_spki_der(der: &[u8]) -> Option<Self> {
        Self::from_encrypting(PublicEncryptingKey::from_der(der).ok()?)
    }

    /// A PKCS#1 `RSAPublicKey`; `None` when it is not one.
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Option<Self> {
        Self::from_der_any(der)
    }

    /// Either a PKCS#1 `RSAPublicKey` or an SPKI.
    fn from_der_any(der: &[u8]) -> Option<Self> {
        let spki = aws_lc_rs::rsa::PublicKey::from_der(der).ok()?.as_der().ok()?;
        Self::from_spki_der(spki.as_ref())
    }

    fn from_encrypting(encrypting: PublicEncryptingKey) -> Option<Self> {
        let bits = encrypting.key_size_bits();
        let spki: Box<[u8]> = encrypting.as_der().ok()?.as_ref().into();
        let verifying = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &spki).ok()?;
        let encrypting = OaepPublicEncryptingKey::new(encrypting).ok()?;
        Some(Self(Arc::new(PublicInner {
            verifying,
            encrypting,
            bits,
            spki,
        })))
    }

    /// The modulus length in bits.
    pub(crate) fn modulus_bits(&self) -> usize {
        self.0.bits
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub(crate) fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0.verifying.verify_sig(message, signature).is_ok()
    }

    /// RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label) encryption with random padding from
    /// AWS-LC's generator (seeded by the operating system).
    pub(crate) fn encrypt_oaep_sha1(&self, plaintext: &[u8]) -> Result<Vec<u8>, OaepEncryptError> {
        let key = &self.0.encrypting;
        if plaintext.len() > key.max_plaintext_size(&OAEP_SHA1_MGF1SHA1) {
            return Err(OaepEncryptError::TooLong);
        }
        let mut ciphertext = vec![0; key.ciphertext_size()];
        let len = key
            .encrypt(&OAEP_SHA1_MGF1SHA1, plaintext, &mut ciphertext, None)
            .map_err(|_| OaepEncryptError::Failed)?
            .len();
        ciphertext.truncate(len);
        Ok(ciphertext)
    }

    /// RSA-OAEP with SHA-256: only for the test that SHA-1 decryption refuses it.
    #[cfg(test)]
    pub(crate) fn encrypt_oaep_sha256_for_tests(&self, plaintext: &[u8]) -> Vec<u8> {
        let key = &self.0.encrypting;
        let mut ciphertext = vec![0; key.ciphertext_size()];
        let len = key
            .encrypt(
                &aws_lc_rs::rsa::OAEP_SHA256_MGF1SHA256,
                plaintext,
                &mut ciphertext,
                None,
            )
            .unwrap()
            .len();
        ciphertext.truncate(len);
        ciphertext
    }
}

fn aes_key(key: &[u8; 32]) -> Option<LessSafeKey> {
    Some(LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).ok()?))
}

/// AES-256-GCM encryption: returns (ciphertext || 16-byte tag).
pub(crate) fn aes_256_gcm_seal(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Option<Vec<u8>> {
    let mut sealed = Vec::with_capacity(plaintext.len() + AES_256_GCM.tag_len());
    sealed.extend_from_slice(plaintext);
    aes_key(key)?
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), &mut sealed)
        .ok()?;
    Some(sealed)
}

/// AES-256-GCM decryption of (ciphertext || 16-byte tag); `None` unless the tag verifies.
pub(crate) fn aes_256_gcm_open(key: &[u8; 32], nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    let mut buffer = sealed.to_vec();
    let len = aes_key(key)?
        .open_in_place(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), &mut buffer)
        .ok()?
        .len();
    buffer.truncate(len);
    Some(buffer)
}

/// Fills `out` from AWS-LC's generator: a per-thread DRBG seeded and reseeded from the
/// operating system, so a request's nonce costs no system call. `false` on failure.
pub(crate) fn fill_random(out: &mut [u8]) -> bool {
    aws_lc_rs::rand::fill(out).is_ok()
}

/// SHA-256 of `bytes`.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    let mut out = [0; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// Incremental SHA-1 (download digests only; never for signatures).
pub(crate) struct Sha1Hasher(aws_lc_rs::digest::Context);

impl Sha1Hasher {
    pub(crate) fn new() -> Self {
        Self(aws_lc_rs::digest::Context::new(
            &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
        ))
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes)
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}

/// Incremental SHA-256.
pub(crate) struct Sha256Hasher(aws_lc_rs::digest::Context);

impl Sha256Hasher {
    pub(crate) fn new() -> Self {
        Self(aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256))
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes)
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
}

// APIv2 (legacy) primitives, for `crypto::legacy`.

/// MD5 of `bytes` (APIv2 signatures and the refund-notification key only). aws-lc-rs
/// exposes no MD5, so both backends use the RustCrypto `md-5` crate.
pub(crate) fn md5(bytes: &[u8]) -> [u8; 16] {
    use md5::Digest as _;
    md5::Md5::digest(bytes).into()
}

/// HMAC-SHA256 of `message` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    let tag = aws_lc_rs::hmac::sign(&key, message);
    let mut out = [0; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// AES-256-ECB encryption with PKCS#7 padding (always at least one byte of padding).
pub(crate) fn aes_256_ecb_pkcs7_encrypt(key: &[u8; 32], plaintext: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::cipher::{AES_256, PaddedBlockEncryptingKey, UnboundCipherKey};
    let key = PaddedBlockEncryptingKey::ecb_pkcs7(UnboundCipherKey::new(&AES_256, key).ok()?).ok()?;
    let mut buffer = plaintext.to_vec();
    key.encrypt(&mut buffer).ok()?;
    Some(buffer)
}

/// AES-256-ECB decryption with strict PKCS#7 unpadding; `None` when the length is not a
/// positive multiple of 16 or the padding is malformed.
pub(crate) fn aes_256_ecb_pkcs7_decrypt(key: &[u8; 32], ciphertext: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::cipher::{AES_256, DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey};
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return None;
    }
    let key = PaddedBlockDecryptingKey::ecb_pkcs7(UnboundCipherKey::new(&AES_256, key).ok()?).ok()?;
    let mut buffer = ciphertext.to_vec();
    let len = key.decrypt(&mut buffer, DecryptionContext::None).ok()?.len();
    buffer.truncate(len);
    Some(buffer)
}

/// Whether `a` and `b` are equal, in time independent of their contents (not of their
/// lengths).
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
}
