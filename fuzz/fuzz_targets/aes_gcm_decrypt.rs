//! `crypto::aes_gcm::decrypt` with a fixed 32-byte APIv3 key and arbitrary nonce, associated
//! data and ciphertext.
//!
//! Input: one length byte and that many nonce bytes, one length byte and that many
//! associated-data bytes, then the Base64 ciphertext text (invalid UTF-8 replaced). What
//! decrypts must encrypt back to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechatpay::crypto::aes_gcm::{decrypt, encrypt};

/// The APIv3 key of tests/fixtures/aes_gcm/vectors.json.
const KEY: &[u8; 32] = b"WxPayTestApiV3Key0123456789abcdE";

/// Splits off one length byte and that many bytes (fewer when the input runs out).
fn take(data: &[u8]) -> (&[u8], &[u8]) {
    let Some((&len, rest)) = data.split_first() else {
        return (&[], &[]);
    };
    rest.split_at(usize::from(len).min(rest.len()))
}

fuzz_target!(|data: &[u8]| {
    let (nonce, rest) = take(data);
    let (associated_data, rest) = take(rest);
    let ciphertext = String::from_utf8_lossy(rest);
    if let Ok(plaintext) = decrypt(KEY, nonce, associated_data, &ciphertext) {
        let sealed = encrypt(KEY, nonce, associated_data, &plaintext).expect("what decrypts encrypts");
        assert_eq!(sealed, ciphertext, "Base64 that is not canonical was accepted");
    }
});
