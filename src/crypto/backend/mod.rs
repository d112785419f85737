//! The cryptography backend: the only code that calls a cryptography crate.
//!
//! Two implementations provide the same small set of items, chosen by Cargo feature:
//!
//! - `aws-lc` (default): [aws-lc-rs](https://crates.io/crates/aws-lc-rs), the library the
//!   default TLS stack (rustls) already builds, so it adds no second C build;
//! - `rust-crypto`: the pure-Rust `rsa`, `sha2`, `sha1` and `aes-gcm` crates, for builds
//!   that avoid C code.
//!
//! When both features are on (as with `--all-features`), aws-lc-rs is used. Either backend
//! provides:
//!
//! - `NAME`: the backend's name, for [`crate::crypto::backend()`];
//! - `PrivateKey`: `from_pkcs8_der`, `from_pkcs1_der`, `sign_sha256`, `public_key`,
//!   `decrypt_oaep_sha1`;
//! - `PublicKey` (`Clone + PartialEq`): `from_spki_der`, `from_pkcs1_der`, `modulus_bits`,
//!   `verify_sha256`, `encrypt_oaep_sha1`;
//! - `fill_random` (the CSPRNG behind nonces),
//! - `aes_256_gcm_seal`, `aes_256_gcm_open`, `sha256`, and the incremental
//!   `Sha1Hasher` and `Sha256Hasher` (`new`, `update`, `finish`);
//! - for APIv2 (`crypto::legacy`): `md5` (the `md-5` crate on both), `hmac_sha256`,
//!   `aes_256_ecb_pkcs7_encrypt`, `aes_256_ecb_pkcs7_decrypt` and `constant_time_eq`.
//!
//! Keys are parsed once, into the backend's native form, when they are loaded; the
//! per-request operations never see PEM or DER again. Everything the caller sees (PEM
//! labels, key-size policy, error messages) stays in `keys.rs`, `certificate.rs` and
//! `aes_gcm.rs`, so both backends behave alike.

#[cfg(not(any(feature = "aws-lc", feature = "rust-crypto")))]
compile_error!(
    "wechatpay needs a cryptography backend: enable the `aws-lc` feature (the default, aws-lc-rs) \
     or the `rust-crypto` feature (pure Rust, no C code), e.g. \
     `--no-default-features --features rust-crypto`"
);

#[cfg(feature = "aws-lc")]
mod aws_lc;
#[cfg(feature = "aws-lc")]
pub(crate) use aws_lc::*;

// With both features, the pure-Rust backend is still compiled for the tests, which check
// that the two agree byte for byte.
#[cfg(all(feature = "rust-crypto", any(test, not(feature = "aws-lc"))))]
#[cfg_attr(feature = "aws-lc", allow(dead_code))]
mod rust_crypto;
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc")))]
pub(crate) use rust_crypto::*;

/// Why an RSA-OAEP encryption failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OaepEncryptError {
    /// The plaintext is longer than `modulus bytes - 42`.
    TooLong,
    /// Any other failure (the random source, an internal error).
    Failed,
}

#[cfg(all(test, feature = "aws-lc", feature = "rust-crypto"))]
mod agreement_legacy;

#[cfg(all(test, feature = "aws-lc", feature = "rust-crypto"))]
mod agreement {
    //! The two backends against each other, on the same keys and inputs.

    use super::{aws_lc, rust_crypto};

    const MERCHANT_KEY: &str = include_str!("../../mock/keys/merchant_key.pem");
    const MERCHANT_KEY_PKCS1: &str = include_str!("../../../tests/fixtures/kat/merchant_key_pkcs1.pem");
    const PLATFORM_PUBLIC_KEY: &str = include_str!("../../mock/keys/platform_public_key.pem");
    const PLATFORM_PRIVATE_KEY: &str = include_str!("../../mock/keys/platform_pub_key_private.pem");

    fn der(pem: &str) -> Vec<u8> {
        der::pem::decode_vec(pem.as_bytes()).unwrap().1
    }

    fn keys(pem: &str) -> (aws_lc::PrivateKey, rust_crypto::PrivateKey) {
        let der = der(pem);
        (
            aws_lc::PrivateKey::from_pkcs8_der(&der).unwrap(),
            rust_crypto::PrivateKey::from_pkcs8_der(&der).unwrap(),
        )
    }

    #[test]
    fn both_backends_produce_byte_identical_signatures() {
        let (a, r) = keys(MERCHANT_KEY);
        let pkcs1 = der(MERCHANT_KEY_PKCS1);
        let a1 = aws_lc::PrivateKey::from_pkcs1_der(&pkcs1).unwrap();
        let r1 = rust_crypto::PrivateKey::from_pkcs1_der(&pkcs1).unwrap();
        for message in [&b""[..], b"GET\n/v3/certificates\n1554208460\nnonce\n\n", &[0xa5; 5000]] {
            let signature = a.sign_sha256(message).unwrap();
            assert_eq!(signature.len(), 256);
            assert_eq!(signature, r.sign_sha256(message).unwrap());
            assert_eq!(signature, a1.sign_sha256(message).unwrap());
            assert_eq!(signature, r1.sign_sha256(message).unwrap());
            assert!(a.public_key().verify_sha256(message, &signature));
            assert!(r.public_key().verify_sha256(message, &signature));
        }
    }

    #[test]
    fn both_backends_read_the_same_public_keys() {
        let spki = der(PLATFORM_PUBLIC_KEY);
        let a = aws_lc::PublicKey::from_spki_der(&spki).unwrap();
        let r = rust_crypto::PublicKey::from_spki_der(&spki).unwrap();
        assert_eq!((a.modulus_bits(), r.modulus_bits()), (2048, 2048));
        let (a_private, r_private) = keys(PLATFORM_PRIVATE_KEY);
        assert!(a == a_private.public_key());
        assert!(r == r_private.public_key());
        let (merchant, _) = keys(MERCHANT_KEY);
        assert!(a != merchant.public_key());
    }

    #[test]
    fn each_backend_decrypts_the_others_oaep_ciphertexts() {
        let spki = der(PLATFORM_PUBLIC_KEY);
        let (a_private, r_private) = keys(PLATFORM_PRIVATE_KEY);
        let a = aws_lc::PublicKey::from_spki_der(&spki).unwrap();
        let r = rust_crypto::PublicKey::from_spki_der(&spki).unwrap();
        let plaintext = "张三".as_bytes();
        let from_aws_lc = a.encrypt_oaep_sha1(plaintext).unwrap();
        let from_rust = r.encrypt_oaep_sha1(plaintext).unwrap();
        assert_eq!(r_private.decrypt_oaep_sha1(&from_aws_lc).unwrap(), plaintext);
        assert_eq!(a_private.decrypt_oaep_sha1(&from_rust).unwrap(), plaintext);
        for key in [a.encrypt_oaep_sha1(&[1; 215]), r.encrypt_oaep_sha1(&[1; 215])] {
            assert_eq!(key.unwrap_err(), super::OaepEncryptError::TooLong);
        }
    }

    #[test]
    fn both_backends_seal_and_open_aes_gcm_alike() {
        let key = [0x42; 32];
        let nonce = *b"a1B2c3D4e5F6";
        for (aad, plaintext) in [(&b""[..], &b""[..]), (b"certificate", &[7; 1024][..])] {
            let sealed = aws_lc::aes_256_gcm_seal(&key, &nonce, aad, plaintext).unwrap();
            assert_eq!(
                sealed,
                rust_crypto::aes_256_gcm_seal(&key, &nonce, aad, plaintext).unwrap()
            );
            assert_eq!(sealed.len(), plaintext.len() + 16);
            assert_eq!(
                rust_crypto::aes_256_gcm_open(&key, &nonce, aad, &sealed).unwrap(),
                plaintext
            );
            assert_eq!(aws_lc::aes_256_gcm_open(&key, &nonce, aad, &sealed).unwrap(), plaintext);
            let mut bad = sealed.clone();
            *bad.last_mut().unwrap() ^= 1;
            assert!(aws_lc::aes_256_gcm_open(&key, &nonce, aad, &bad).is_none());
            assert!(rust_crypto::aes_256_gcm_open(&key, &nonce, aad, &bad).is_none());
        }
    }

    #[test]
    fn both_backends_hash_alike() {
        for input in [&b""[..], b"abc", &[0; 1000]] {
            assert_eq!(aws_lc::sha256(input), rust_crypto::sha256(input));
        }
    }
}
