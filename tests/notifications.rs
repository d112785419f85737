//! Callbacks: verified over the raw bytes, decrypted with the APIv3 key; every failure has
//! its own error.

use serde_json::{Value, json};
use wechatpay::Error;
use wechatpay::clock::FixedClock;
use wechatpay::error::{BodyError, ConfigError, VerificationError};
use wechatpay::mock::{APIV3_KEY, Fault, MockServer, PLATFORM_PUBLIC_KEY_ID};

const NOW: i64 = 1_719_128_975;

fn transaction() -> Value {
    json!({
        "mchid": "1900000001",
        "out_trade_no": "1217752501201407033233368018",
        "transaction_id": "4200000000000000000000000000",
        "trade_state": "SUCCESS",
        "amount": {"total": 100, "currency": "CNY"}
    })
}

fn fixed() -> (MockServer, wechatpay::Client) {
    let mock = MockServer::builder().clock(FixedClock(NOW)).start();
    let client = mock.client_builder().clock(FixedClock(NOW)).build().unwrap();
    (mock, client)
}

#[tokio::test]
async fn a_valid_callback_parses_and_decrypts() {
    let (mock, client) = fixed();
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    let n = client.notifications().parse(&headers, &body).await.unwrap();
    assert_eq!(n.event_type(), "TRANSACTION.SUCCESS");
    assert_eq!(n.resource_type(), "encrypt-resource");
    assert_eq!(n.create_time(), "2015-05-20T13:29:35+08:00");
    assert!(n.id().starts_with("EV-"));
    assert_eq!(n.summary(), "支付成功");
    assert_eq!(n.original_type(), Some("transaction"));
    assert_eq!(n.resource(), &transaction());
    assert_eq!(n.verified_by(), PLATFORM_PUBLIC_KEY_ID);

    #[derive(serde::Deserialize)]
    struct Transaction {
        out_trade_no: String,
        amount: Amount,
    }
    #[derive(serde::Deserialize)]
    struct Amount {
        total: u64,
    }
    let typed: Transaction = n.resource_as().unwrap();
    assert_eq!(
        (typed.out_trade_no.as_str(), typed.amount.total),
        ("1217752501201407033233368018", 100)
    );
    assert!(
        !format!("{n:?}").contains("1217752501201407033233368018"),
        "Debug must not show the resource"
    );
}

#[tokio::test]
async fn header_names_are_matched_case_insensitively() {
    let (mock, client) = fixed();
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    let mut lower = http::HeaderMap::new();
    for (name, value) in &headers {
        let name = http::HeaderName::from_bytes(name.as_str().to_ascii_lowercase().as_bytes()).unwrap();
        lower.insert(name, value.clone());
    }
    assert!(client.notifications().parse(&lower, &body).await.is_ok());
}

#[tokio::test]
async fn a_body_altered_by_one_byte_is_rejected() {
    let (mock, client) = fixed();
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    let mut altered = body.to_vec();
    let i = altered.iter().position(|&b| b == b'S').unwrap();
    altered[i] = b'T';
    assert!(matches!(
        client.notifications().parse(&headers, &altered).await,
        Err(Error::Verification(VerificationError::BadSignature { .. }))
    ));
}

#[tokio::test]
async fn a_re_serialised_body_is_rejected() {
    let (mock, client) = fixed();
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    // What a framework does when it parses JSON and hands the handler a re-encoded copy.
    let reserialised = serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(&body).unwrap()).unwrap();
    assert_ne!(reserialised, body.to_vec());
    assert!(matches!(
        client.notifications().parse(&headers, &reserialised).await,
        Err(Error::Verification(VerificationError::BadSignature { .. }))
    ));
}

#[tokio::test]
async fn a_wrong_apiv3_key_fails_decryption() {
    let (mock, _) = fixed();
    let client = mock
        .client_builder()
        .clock(FixedClock(NOW))
        .apiv3_key("0123456789abcdef0123456789abcdef")
        .build()
        .unwrap();
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    assert!(matches!(
        client.notifications().parse(&headers, &body).await,
        Err(Error::Decryption { .. })
    ));
}

#[tokio::test]
async fn a_callback_signed_301_seconds_ago_is_rejected() {
    let (mock, client) = fixed();
    mock.set_fault(Some(Fault::SkewSeconds(-301)));
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    assert!(matches!(
        client.notifications().parse(&headers, &body).await,
        Err(Error::Verification(VerificationError::ClockSkew {
            skew_seconds: 301,
            ..
        }))
    ));
}

#[tokio::test]
async fn an_unknown_serial_is_rejected() {
    let (mock, client) = fixed();
    mock.set_fault(Some(Fault::UnknownSerial));
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    assert!(matches!(
        client.notifications().parse(&headers, &body).await,
        Err(Error::Verification(VerificationError::UnknownPlatformKey { .. }))
    ));
}

#[tokio::test]
async fn a_missing_header_is_rejected() {
    let (mock, client) = fixed();
    let (mut headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    headers.remove("Wechatpay-Nonce");
    assert!(matches!(
        client.notifications().parse(&headers, &body).await,
        Err(Error::Verification(VerificationError::MissingHeader {
            header: "Wechatpay-Nonce"
        }))
    ));
}

#[tokio::test]
async fn a_signtest_probe_is_rejected() {
    let (mock, client) = fixed();
    mock.set_fault(Some(Fault::SignTest));
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    assert!(
        headers["Wechatpay-Signature"]
            .to_str()
            .unwrap()
            .starts_with("WECHATPAY/SIGNTEST/")
    );
    assert!(matches!(
        client.notifications().parse(&headers, &body).await,
        Err(Error::Verification(VerificationError::BadSignature { .. }))
    ));
}

#[tokio::test]
async fn a_signed_body_that_is_not_a_notification_is_malformed() {
    let (mock, client) = fixed();
    let (headers, body) = mock.signed_body(br#"{"hello":"world"}"#);
    assert!(matches!(
        client.notifications().parse(&headers, &body).await,
        Err(Error::Body(BodyError::MalformedNotification { .. }))
    ));
    let other_algorithm =
        br#"{"id":"1","event_type":"X","resource":{"algorithm":"AEAD_SM4_GCM","ciphertext":"","nonce":""}}"#;
    let (headers, body) = mock.signed_body(other_algorithm);
    assert!(matches!(
        client.notifications().parse(&headers, &body).await,
        Err(Error::Body(BodyError::MalformedNotification { .. }))
    ));
}

#[tokio::test]
async fn an_old_callback_replays_with_an_injected_clock() {
    let mock = MockServer::builder().clock(FixedClock(NOW)).start();
    let (headers, body) = mock.signed_notification("REFUND.SUCCESS", &json!({"out_refund_no": "R1"}));
    let today = mock.client_builder().build().unwrap();
    assert!(matches!(
        today.notifications().parse(&headers, &body).await,
        Err(Error::Verification(VerificationError::ClockSkew { .. }))
    ));
    let then = mock.client_builder().clock(FixedClock(NOW + 120)).build().unwrap();
    let n = then.notifications().parse(&headers, &body).await.unwrap();
    assert_eq!(n.resource()["out_refund_no"], "R1");
}

#[tokio::test]
async fn a_client_without_apiv3_key_says_so() {
    let (mock, _) = fixed();
    let key = wechatpay::mock::keys::MERCHANT_PRIVATE_KEY;
    let client = wechatpay::Client::builder()
        .mchid(wechatpay::mock::MCHID)
        .merchant_serial(wechatpay::mock::MERCHANT_SERIAL)
        .private_key_pem(key)
        .unwrap()
        .platform_public_key(PLATFORM_PUBLIC_KEY_ID, wechatpay::mock::keys::PLATFORM_PUBLIC_KEY)
        .unwrap()
        .clock(FixedClock(NOW))
        .build()
        .unwrap();
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    assert!(matches!(
        client.notifications().parse(&headers, &body).await,
        Err(Error::Config(ConfigError::MissingApiV3Key))
    ));
}

#[test]
fn apiv3_key_must_be_exactly_32_bytes() {
    let mock = MockServer::start();
    for key in ["", "short", "0123456789abcdef0123456789abcdef0"] {
        assert!(matches!(
            mock.client_builder().apiv3_key(key).build(),
            Err(Error::Config(ConfigError::InvalidApiV3Key))
        ));
    }
    assert!(mock.client_builder().apiv3_key(APIV3_KEY).build().is_ok());
}

#[tokio::test]
async fn mock_notify_posts_a_callback_a_receiver_can_verify() {
    let (mock, client) = fixed();
    // The receiver here is another mock: it records the callback's headers and raw body
    // (and answers 401, since a callback carries no merchant Authorization).
    let receiver = MockServer::start();
    let status = mock
        .notify(
            &format!("{}notify", receiver.base_url()),
            "TRANSACTION.SUCCESS",
            &transaction(),
        )
        .await
        .unwrap();
    assert_eq!(status, 401);
    let received = receiver.requests().pop().unwrap();
    assert_eq!(received.header("content-type"), Some("application/json"));
    let n = client
        .notifications()
        .parse(&received.headers, &received.body)
        .await
        .unwrap();
    assert_eq!(n.resource(), &transaction());
}

#[tokio::test]
async fn a_callback_without_a_signature_header_is_not_called_a_response() {
    let (mock, client) = fixed();
    let (mut headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &transaction());
    headers.remove("Wechatpay-Signature");
    let err = client.notifications().parse(&headers, &body).await.unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("Wechatpay-Signature") && !shown.contains("response"),
        "{shown}"
    );
}
