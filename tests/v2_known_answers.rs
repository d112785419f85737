//! APIv2 known answers: the platform's published values, and the vectors of
//! tests/fixtures/v2/vectors.json, computed independently of this crate by
//! tests/fixtures/v2/make_vectors.py (Python's hashlib, hmac and `cryptography`; the Node
//! SDK `wechatpay-axios-plugin` too when it was present, as `checked_by` records).

use base64::Engine as _;
use serde_json::Value;
use wechatpay::crypto::legacy::{aes_256_ecb_decrypt, aes_256_ecb_encrypt, hex_lower, md5};
use wechatpay::protocol::v2::{
    AnswerSignature, ApiV2Key, Fields, SignType, read_answer, read_refund_notification, sign, string_to_sign,
    verify_answer,
};

const VECTORS: &str = include_str!("fixtures/v2/vectors.json");

fn vectors() -> Value {
    serde_json::from_str(VECTORS).expect("vectors.json is JSON")
}

fn fields(object: &Value) -> Fields {
    object
        .as_object()
        .expect("an object of fields")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string values").to_owned()))
        .collect()
}

fn text<'a>(vector: &'a Value, name: &str) -> &'a str {
    vector[name].as_str().unwrap_or_else(|| panic!("{name} in {vector}"))
}

fn base64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

#[test]
fn the_published_sign_example() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let example: Fields = [
        ("appid", "wxd930ea5d5a258f4f"),
        ("mch_id", "10000100"),
        ("device_info", "1000"),
        ("body", "test"),
        ("nonce_str", "ibuaiVcKdpRxkhJA"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(sign(&example, &key, SignType::Md5), "9A0A8659F005D6984697E2CA0A9CF3B7");
    assert_eq!(
        sign(&example, &key, SignType::HmacSha256),
        "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
    );
    // The vectors file starts with the same example.
    let first = &vectors()["sign"][0];
    assert_eq!(fields(&first["fields"]), example);
    assert_eq!(text(first, "md5"), "9A0A8659F005D6984697E2CA0A9CF3B7");
}

#[test]
fn the_published_aes_256_ecb_example() {
    let key = b"0123456789abcdef0123456789abcdef";
    let sealed = aes_256_ecb_encrypt(key, b"hello").unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(&sealed),
        "pZwJZBLuy3mDACEQT4YTBw=="
    );
    assert_eq!(
        aes_256_ecb_decrypt(key, &base64("pZwJZBLuy3mDACEQT4YTBw==")).unwrap(),
        b"hello"
    );
}

#[test]
fn the_vectors_were_checked_by_python() {
    let vectors = vectors();
    let checked_by: Vec<&str> = vectors["checked_by"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        checked_by.iter().any(|c| c.starts_with("python hashlib")),
        "{checked_by:?}"
    );
    for (name, at_least) in [("sign", 30), ("aes_256_ecb", 8), ("answers", 10), ("refunds", 3)] {
        assert!(vectors[name].as_array().unwrap().len() >= at_least, "{name}");
    }
}

#[test]
fn signatures_match_the_independent_implementations() {
    for vector in vectors()["sign"].as_array().unwrap() {
        let key = ApiV2Key::new(text(vector, "key")).unwrap();
        let fields = fields(&vector["fields"]);
        assert_eq!(string_to_sign(&fields), text(vector, "string_to_sign"), "{vector}");
        assert_eq!(sign(&fields, &key, SignType::Md5), text(vector, "md5"), "{vector}");
        assert_eq!(
            sign(&fields, &key, SignType::HmacSha256),
            text(vector, "hmac_sha256"),
            "{vector}"
        );
    }
}

#[test]
fn aes_256_ecb_matches_the_independent_implementation() {
    for vector in vectors()["aes_256_ecb"].as_array().unwrap() {
        let key: [u8; 32] = text(vector, "key").as_bytes().try_into().unwrap();
        let plaintext: Vec<u8> = (0..text(vector, "plaintext_hex").len() / 2)
            .map(|i| u8::from_str_radix(&text(vector, "plaintext_hex")[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let sealed = base64(text(vector, "ciphertext_base64"));
        assert_eq!(aes_256_ecb_encrypt(&key, &plaintext).unwrap(), sealed, "{vector}");
        assert_eq!(aes_256_ecb_decrypt(&key, &sealed).unwrap(), plaintext, "{vector}");
    }
}

#[test]
fn answers_written_in_the_platforms_cdata_style_parse_and_verify() {
    for vector in vectors()["answers"].as_array().unwrap() {
        let key = ApiV2Key::new(text(vector, "key")).unwrap();
        let sign_type = SignType::from_field(Some(text(vector, "sign_type"))).unwrap();
        let xml = text(vector, "xml");
        let answer = read_answer(xml.as_bytes(), &key, AnswerSignature::Signed(sign_type)).unwrap();
        assert_eq!(answer, vector["fields"], "{xml}");
        // Without knowing the request's algorithm, the sign's length picks it.
        assert_eq!(
            verify_answer(&fields(&vector["fields"]), &key, None).unwrap(),
            sign_type
        );
        // The same answer under another key does not verify.
        let other = ApiV2Key::new(&"k".repeat(32)).unwrap();
        assert!(read_answer(xml.as_bytes(), &other, AnswerSignature::Signed(sign_type)).is_err());
    }
}

#[test]
fn refund_notifications_decrypt_as_the_independent_implementation_encrypted_them() {
    for vector in vectors()["refunds"].as_array().unwrap() {
        let key = ApiV2Key::new(text(vector, "key")).unwrap();
        let notification = read_refund_notification(text(vector, "xml").as_bytes(), &key).unwrap();
        assert_eq!(notification.refund, vector["refund"], "{vector}");
        assert_eq!(notification.outer["return_code"], "SUCCESS");
        // The AES key is the lower-case hex MD5 of the APIv2 key.
        assert_eq!(hex_lower(&md5(text(vector, "key").as_bytes())), text(vector, "aes_key"));
    }
}
