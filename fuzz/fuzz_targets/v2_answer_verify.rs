//! `protocol::v2::read_answer`, `verify_notification` and `read_refund_notification` on an
//! arbitrary body, with a fixed APIv2 key.
//!
//! Input: one byte choosing how the answer must be signed (`0` MD5 request, `1`
//! HMAC-SHA256 request, anything else unsigned by design), then the body, every remaining
//! byte of it. What is accepted as signed must carry a `sign` that the key really produced,
//! and a success must say `return_code` SUCCESS and no `result_code` FAIL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use wechatpay::protocol::v2::{
    AnswerSignature, ApiV2Key, Fields, SignType, V2Error, read_answer, read_refund_notification, sign,
    verify_notification,
};

/// The key of the platform's published signing example.
const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

fn fields(answer: &Value) -> Fields {
    answer
        .as_object()
        .expect("answers are objects")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("of strings").to_owned()))
        .collect()
}

/// Whether `answer`'s sign is the key's signature of its fields, by either algorithm.
fn genuinely_signed(answer: &Value, key: &ApiV2Key) -> bool {
    let fields = fields(answer);
    let Some(received) = fields.get("sign") else {
        return false;
    };
    [SignType::Md5, SignType::HmacSha256].into_iter().any(|t| &sign(&fields, key, t) == received)
}

fuzz_target!(|data: &[u8]| {
    let key = ApiV2Key::new(KEY).expect("the key is valid");
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let expect = match mode {
        0 => AnswerSignature::Signed(SignType::Md5),
        1 => AnswerSignature::Signed(SignType::HmacSha256),
        _ => AnswerSignature::Unsigned,
    };
    match read_answer(body, &key, expect) {
        Ok(answer) => {
            assert_eq!(answer["return_code"], "SUCCESS");
            assert_ne!(answer["result_code"], "FAIL");
            if expect != AnswerSignature::Unsigned {
                assert!(genuinely_signed(&answer, &key), "{answer}");
            }
        }
        Err(V2Error::Business { answer, .. }) => {
            assert_eq!(answer["result_code"], "FAIL");
            if expect != AnswerSignature::Unsigned {
                assert!(genuinely_signed(&answer, &key), "{answer}");
            }
        }
        Err(_) => {}
    }
    if let Ok(notification) = verify_notification(body, &key) {
        assert!(genuinely_signed(&notification, &key), "{notification}");
    }
    if let Ok(refund) = read_refund_notification(body, &key) {
        assert!(refund.refund.is_object());
        assert!(refund.outer["req_info"].is_string());
    }
});
