//! The sandbox's reading of multipart uploads (`protocol::multipart::parse`) on arbitrary
//! input: no panic, and every part it returns is a slice of the body it was given.
//!
//! Input: the first line is the `Content-Type` header value, the rest the body.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use wechatpay::protocol::multipart::parse;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let content_type = String::from_utf8_lossy(&data[..split]);
    let body = Bytes::copy_from_slice(data.get(split + 1..).unwrap_or_default());
    if let Ok(parts) = parse(&content_type, &body) {
        let range = body.as_ptr() as usize..=body.as_ptr() as usize + body.len();
        for part in [&parts.meta_text, &parts.content] {
            assert!(range.contains(&(part.as_ptr() as usize)) || part.is_empty());
            assert!(part.len() <= body.len());
        }
    }
});
