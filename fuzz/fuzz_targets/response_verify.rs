//! `auth::verify::verify` on arbitrary answer headers and body, against the mock's platform
//! public key.
//!
//! Input, split on `\n`: the values of `Wechatpay-Timestamp`, `-Nonce`, `-Signature`,
//! `-Serial` and `-Signature-Type` (an empty line leaves the header out, a NUL byte separates
//! repeated values), then the local time in Unix seconds (anything else: 1719128975), then
//! the body, every remaining byte of it.
#![no_main]

use std::sync::OnceLock;

use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use wechatpay::auth::PlatformKeys;
use wechatpay::auth::verify::{NONCE, SERIAL, SIGNATURE, SIGNATURE_TYPE, TIMESTAMP, verify};
use wechatpay::mock::{PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY};

const NOW: i64 = 1_719_128_975;

fn keys() -> &'static PlatformKeys {
    static KEYS: OnceLock<PlatformKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys = PlatformKeys::default();
        keys.add_public_key(PLATFORM_PUBLIC_KEY_ID, PLATFORM_PUBLIC_KEY)
            .expect("the mock's public key loads");
        keys
    })
}

fuzz_target!(|data: &[u8]| {
    let mut lines = data.splitn(7, |&b| b == b'\n');
    let mut headers = HeaderMap::new();
    for name in [TIMESTAMP, NONCE, SIGNATURE, SERIAL, SIGNATURE_TYPE] {
        let line = lines.next().unwrap_or_default();
        if line.is_empty() {
            continue;
        }
        for value in line.split(|&b| b == 0) {
            if let Ok(value) = HeaderValue::from_bytes(value) {
                headers.append(name, value);
            }
        }
    }
    let now = lines
        .next()
        .and_then(|line| std::str::from_utf8(line).ok()?.parse().ok())
        .unwrap_or(NOW);
    let body = lines.next().unwrap_or_default();
    if let Ok(key_id) = verify(&headers, body, now, keys()) {
        assert_eq!(key_id, PLATFORM_PUBLIC_KEY_ID);
    }
});
