//! `parse_authorization` on arbitrary header text (invalid UTF-8 replaced). What it accepts
//! must hold no quote or comma in any field, and render back to the same fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechatpay::auth::signing::{authorization, parse_authorization};

fuzz_target!(|data: &[u8]| {
    let header = String::from_utf8_lossy(data);
    let Ok(fields) = parse_authorization(&header) else {
        return;
    };
    for value in [
        &fields.mchid,
        &fields.serial_no,
        &fields.nonce,
        &fields.timestamp,
        &fields.signature,
    ] {
        assert!(!value.contains('"') && !value.contains(','), "{header:?} -> {fields:?}");
    }
    if let Ok(timestamp) = fields.timestamp.parse::<i64>()
        && timestamp.to_string() == fields.timestamp
    {
        // Fields the signing side would refuse (not digits, not hex, ...) are not re-rendered.
        let Ok(again) = authorization(
            &fields.mchid,
            &fields.serial_no,
            &fields.nonce,
            timestamp,
            &fields.signature,
        ) else {
            return;
        };
        assert_eq!(
            parse_authorization(&again).as_ref(),
            Ok(&fields),
            "{header:?} -> {again:?}"
        );
    }
});
