//! Known answers for the payment parameters the front end takes (src/pay_params.rs): fixed
//! merchant key, time and nonce give exactly the signatures OpenSSL made
//! (`tests/fixtures/pay_params/make_vectors.sh`), and OpenSSL and Python's `cryptography`
//! verify what the crate signs with the merchant certificate's public key (each skipped with
//! a note when not installed).

mod support;

use support::{Verdict, assert_independently};
use wechatpay::clock::FixedClock;
use wechatpay::mock::{MCHID, MERCHANT_SERIAL, PLATFORM_PUBLIC_KEY_ID, keys};
use wechatpay::pay_params::{AppPayParams, JsapiPayParams};
use wechatpay::{Client, auth::signing::Signer};

const NONCE: &str = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
const JSAPI_APPID: &str = "wxd678efh567hg6787";
const JSAPI_PREPAY_ID: &str = "wx201410272009395522657a690389285100";
const JSAPI_TIMESTAMP: i64 = 1414561699;
const APP_APPID: &str = "wx8888888888888888";
const APP_PREPAY_ID: &str = "WX1217752501201407033233368018";
const APP_TIMESTAMP: i64 = 1412000000;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/pay_params/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn signer() -> Signer {
    Signer::new(MCHID, MERCHANT_SERIAL, keys::MERCHANT_PRIVATE_KEY).unwrap()
}

fn jsapi() -> JsapiPayParams {
    JsapiPayParams::sign_with(&signer(), JSAPI_APPID, JSAPI_PREPAY_ID, JSAPI_TIMESTAMP, NONCE).unwrap()
}

fn app() -> AppPayParams {
    AppPayParams::sign_with(&signer(), APP_APPID, APP_PREPAY_ID, APP_TIMESTAMP, NONCE).unwrap()
}

/// One byte of the message changed.
fn tampered(message: &str) -> Vec<u8> {
    let mut bytes = message.as_bytes().to_vec();
    bytes[0] ^= 1;
    bytes
}

#[test]
fn jsapi_params_are_the_openssl_known_answer() {
    let params = jsapi();
    assert_eq!(params.message(), fixture("jsapi_message.txt"));
    assert_eq!(params.pay_sign(), fixture("jsapi_signature.b64"));
    // The whole JSON, byte for byte, keys in the documented order.
    assert_eq!(
        serde_json::to_string(&params).unwrap(),
        fixture("jsapi.json").trim_end()
    );
}

#[test]
fn app_params_are_the_openssl_known_answer() {
    let params = app();
    assert_eq!(params.message(), fixture("app_message.txt"));
    assert_eq!(params.sign(), fixture("app_signature.b64"));
    assert_eq!(serde_json::to_string(&params).unwrap(), fixture("app.json").trim_end());
}

#[test]
fn openssl_and_python_verify_the_known_answers_and_refuse_a_changed_message() {
    let jsapi = jsapi();
    let app = app();
    for (message, signature) in [(jsapi.message(), jsapi.pay_sign()), (app.message(), app.sign())] {
        assert_independently(message.as_bytes(), signature, Verdict::Verified);
        assert_independently(&tampered(&message), signature, Verdict::Failed);
    }
    // Each signature covers its own message only.
    assert_independently(jsapi.message().as_bytes(), app.sign(), Verdict::Failed);
}

#[test]
fn the_client_signs_with_its_clock_and_a_fresh_nonce() {
    let client = Client::builder()
        .mchid(MCHID)
        .merchant_serial(MERCHANT_SERIAL)
        .private_key_pem(keys::MERCHANT_PRIVATE_KEY)
        .unwrap()
        .platform_public_key(PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY)
        .unwrap()
        .clock(FixedClock(JSAPI_TIMESTAMP))
        .build()
        .unwrap();

    let first = client.jsapi_pay_params(JSAPI_APPID, JSAPI_PREPAY_ID).unwrap();
    let second = client.jsapi_pay_params(JSAPI_APPID, JSAPI_PREPAY_ID).unwrap();
    assert_eq!(first.timestamp(), JSAPI_TIMESTAMP.to_string());
    assert_eq!(first.package(), format!("prepay_id={JSAPI_PREPAY_ID}"));
    assert_eq!(first.sign_type(), "RSA");
    assert_ne!(first.nonce(), second.nonce(), "each call draws a nonce");
    assert_ne!(first.pay_sign(), second.pay_sign());
    for params in [&first, &second] {
        assert_eq!(params.nonce().len(), 32);
        assert!(params.nonce().bytes().all(|b| b.is_ascii_alphanumeric()), "{params:?}");
        // The same time and nonce through the deterministic constructor: the same parameters.
        let again = JsapiPayParams::sign_with(
            client.signer(),
            JSAPI_APPID,
            JSAPI_PREPAY_ID,
            JSAPI_TIMESTAMP,
            params.nonce(),
        )
        .unwrap();
        assert_eq!(&again, params);
    }
    assert_independently(first.message().as_bytes(), first.pay_sign(), Verdict::Verified);

    let app = client.app_pay_params(APP_APPID, APP_PREPAY_ID).unwrap();
    assert_eq!(app.partner_id(), MCHID);
    assert_eq!(app.prepay_id(), APP_PREPAY_ID);
    assert_eq!(app.package(), "Sign=WXPay");
    assert_eq!(app.timestamp(), JSAPI_TIMESTAMP.to_string());
    assert_independently(app.message().as_bytes(), app.sign(), Verdict::Verified);

    // Refused before anything is signed, as a request error.
    let error = client.jsapi_pay_params(JSAPI_APPID, "").unwrap_err();
    assert!(
        matches!(
            error,
            wechatpay::Error::Request(wechatpay::error::RequestError::InvalidBody { .. })
        ),
        "{error:?}"
    );
}
