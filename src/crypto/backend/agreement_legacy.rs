//! The two backends against each other on the APIv2 primitives (MD5, HMAC-SHA256,
//! AES-256-ECB/PKCS#7, constant-time comparison), byte for byte.

use super::{aws_lc, rust_crypto};

/// Deterministic filler: `len` bytes from a simple linear congruential sequence.
fn bytes(seed: u32, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) as u8
        })
        .collect()
}

#[test]
fn both_backends_hash_and_mac_alike() {
    for len in [0, 1, 55, 56, 63, 64, 65, 1000] {
        let input = bytes(len as u32, len);
        assert_eq!(aws_lc::md5(&input), rust_crypto::md5(&input), "md5, {len} bytes");
        for key_len in [0, 32, 64, 65, 200] {
            let key = bytes(key_len as u32 + 7, key_len);
            assert_eq!(
                aws_lc::hmac_sha256(&key, &input),
                rust_crypto::hmac_sha256(&key, &input),
                "hmac, key {key_len} bytes, message {len} bytes"
            );
        }
    }
}

#[test]
fn both_backends_encrypt_and_decrypt_aes_ecb_alike() {
    let key: [u8; 32] = bytes(1, 32).try_into().unwrap();
    for len in 0..=64 {
        let plaintext = bytes(len as u32 + 100, len);
        let sealed = aws_lc::aes_256_ecb_pkcs7_encrypt(&key, &plaintext).unwrap();
        assert_eq!(
            sealed,
            rust_crypto::aes_256_ecb_pkcs7_encrypt(&key, &plaintext).unwrap()
        );
        assert_eq!(aws_lc::aes_256_ecb_pkcs7_decrypt(&key, &sealed).unwrap(), plaintext);
        assert_eq!(
            rust_crypto::aes_256_ecb_pkcs7_decrypt(&key, &sealed).unwrap(),
            plaintext
        );
    }
}

#[test]
fn both_backends_refuse_the_same_ciphertexts() {
    let key: [u8; 32] = bytes(2, 32).try_into().unwrap();
    // Random blocks: most fail the padding check, a few (ending in 0x01, ...) pass; the two
    // backends must agree on every one, and on what they return.
    for seed in 0..512 {
        let ciphertext = bytes(seed, 16 * (1 + seed as usize % 3));
        assert_eq!(
            aws_lc::aes_256_ecb_pkcs7_decrypt(&key, &ciphertext),
            rust_crypto::aes_256_ecb_pkcs7_decrypt(&key, &ciphertext),
            "seed {seed}"
        );
    }
    for len in [0, 1, 15, 17, 33] {
        let ciphertext = bytes(9, len);
        assert_eq!(aws_lc::aes_256_ecb_pkcs7_decrypt(&key, &ciphertext), None);
        assert_eq!(rust_crypto::aes_256_ecb_pkcs7_decrypt(&key, &ciphertext), None);
    }
}

#[test]
fn both_backends_compare_alike() {
    let a = bytes(3, 64);
    let mut b = a.clone();
    assert!(aws_lc::constant_time_eq(&a, &b) && rust_crypto::constant_time_eq(&a, &b));
    b[0] ^= 1;
    assert!(!aws_lc::constant_time_eq(&a, &b) && !rust_crypto::constant_time_eq(&a, &b));
    assert!(!aws_lc::constant_time_eq(&a, &a[..63]) && !rust_crypto::constant_time_eq(&a, &a[..63]));
}
