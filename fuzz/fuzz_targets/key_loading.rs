//! Key and certificate loading on arbitrary text (invalid UTF-8 replaced):
//! `Certificate::from_pem`, `PlatformKeys::add_public_key` (under the mock's key id, and
//! under the input's first line as the id with the rest as PEM) and the client builder's
//! `.private_key_pem()`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechatpay::Certificate;
use wechatpay::auth::PlatformKeys;
use wechatpay::mock::PLATFORM_PUBLIC_KEY_ID;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    if let Ok(certificate) = Certificate::from_pem(&text) {
        let _ = certificate.is_valid_at(certificate.not_before());
        let mut keys = PlatformKeys::default();
        keys.add_certificate(&certificate);
        assert!(keys.contains(certificate.serial()), "{:?}", certificate.serial());
    }

    let mut keys = PlatformKeys::default();
    if keys.add_public_key(PLATFORM_PUBLIC_KEY_ID, &text).is_ok() {
        assert!(keys.contains(PLATFORM_PUBLIC_KEY_ID));
    }
    if let Some((id, pem)) = text.split_once('\n') {
        let _ = keys.add_public_key(id, pem);
    }

    let _ = wechatpay::Client::builder().private_key_pem(&text);
});
