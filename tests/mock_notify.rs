//! Sample callbacks (`wechatpay::mock::sample_notification` and its APIv2 counterparts):
//! they verify with the library's own parsers in both signing modes, they are refused when
//! altered or stale, and an implementation apart from the crate (Python's `cryptography`,
//! `tests/fixtures/notify/cross_check.py`) verifies and decrypts them too.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use wechatpay::clock::FixedClock;
use wechatpay::mock::{
    self, APIV2_KEY, APIV3_KEY, MockServer, PLATFORM_CERTIFICATE_SERIAL, PLATFORM_PUBLIC_KEY_ID, SAMPLE_EVENTS,
    SampleNotification, SigningMode, keys,
};
use wechatpay::protocol::v2::SignType;

/// Sun Jun 23 07:49:35 UTC 2024.
const T: i64 = 1_719_128_975;

fn client_at(t: i64) -> wechatpay::Client {
    MockServer::start()
        .client_builder()
        .clock(FixedClock(t))
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_sample_event_verifies_in_both_modes() {
    let client = client_at(T + 60);
    for (mode, key) in [
        (SigningMode::PublicKey, PLATFORM_PUBLIC_KEY_ID),
        (SigningMode::Certificate, PLATFORM_CERTIFICATE_SERIAL),
    ] {
        for event in SAMPLE_EVENTS {
            let sample = mock::sample_notification_at(event, None, mode, T).unwrap();
            assert_eq!(sample.headers()["Wechatpay-Serial"], key);
            let n = client
                .notifications()
                .parse(sample.headers(), sample.body())
                .await
                .unwrap();
            assert_eq!(n.event_type(), *event);
            assert_eq!(n.verified_by(), key);
            assert_eq!(n.resource(), &mock::sample_resource(event).unwrap());
            assert_eq!(n.resource_type(), "encrypt-resource");
            assert_eq!(n.create_time(), "2024-06-23T15:49:35+08:00");
            let kind = if event.starts_with("REFUND") {
                "refund"
            } else {
                "transaction"
            };
            assert_eq!(n.original_type(), Some(kind));
            assert!(n.id().starts_with("EV-"), "{}", n.id());
        }
    }
}

#[tokio::test]
async fn a_given_resource_replaces_the_example() {
    let resource = json!({"out_trade_no": "T1", "trade_state": "SUCCESS", "amount": {"total": 1}});
    let sample = mock::sample_notification("TRANSACTION.SUCCESS", Some(&resource), SigningMode::PublicKey).unwrap();
    let n = MockServer::start()
        .client()
        .notifications()
        .parse(sample.headers(), sample.body())
        .await
        .unwrap();
    assert_eq!(n.resource(), &resource);
    // An event without an example takes a given resource.
    let coupon = json!({"stock_id": "9856000", "coupon_id": "98674556"});
    let sample = mock::sample_notification("COUPON.USE", Some(&coupon), SigningMode::Certificate).unwrap();
    let n = MockServer::start()
        .client()
        .notifications()
        .parse(sample.headers(), sample.body())
        .await
        .unwrap();
    assert_eq!((n.event_type(), n.resource()), ("COUPON.USE", &coupon));
    assert_eq!(n.summary(), "通知");
}

#[tokio::test]
async fn altered_or_stale_samples_are_refused() {
    let sample = mock::sample_notification_at("REFUND.SUCCESS", None, SigningMode::PublicKey, T).unwrap();
    let (headers, body) = sample.into_parts();
    let mut altered = body.to_vec();
    let at = altered.iter().position(|&b| b == b'E').unwrap();
    altered[at] = b'F';
    let client = client_at(T);
    let err = client.notifications().parse(&headers, &altered).await.unwrap_err();
    assert!(err.is_verification_failure(), "{err}");
    // Ten minutes later: outside the 5-minute window.
    let err = client_at(T + 600)
        .notifications()
        .parse(&headers, &body)
        .await
        .unwrap_err();
    assert!(err.is_verification_failure(), "{err}");
    // Another APIv3 key: the signature verifies, the resource does not decrypt.
    let other = MockServer::start()
        .client_builder()
        .apiv3_key("0123456789abcdef0123456789abcdef")
        .clock(FixedClock(T))
        .build()
        .unwrap();
    let err = other.notifications().parse(&headers, &body).await.unwrap_err();
    assert!(matches!(err, wechatpay::Error::Decryption { .. }), "{err:?}");
}

#[test]
fn the_headers_text_holds_every_header_once() {
    let sample = mock::sample_notification_at("TRANSACTION.SUCCESS", None, SigningMode::PublicKey, T).unwrap();
    let text = sample.headers_text();
    let names: Vec<&str> = text.lines().map(|line| line.split_once(": ").unwrap().0).collect();
    assert_eq!(
        names,
        [
            "Wechatpay-Timestamp",
            "Wechatpay-Nonce",
            "Wechatpay-Signature",
            "Wechatpay-Serial",
            "Wechatpay-Signature-Type",
            "Content-Type"
        ]
    );
    assert!(text.contains(&format!("Wechatpay-Timestamp: {T}\n")));
    let debug = format!("{sample:?}");
    assert!(
        !debug.contains(sample.headers()["Wechatpay-Signature"].to_str().unwrap()),
        "{debug}"
    );
}

#[cfg(feature = "catalog")]
#[test]
fn the_transaction_example_has_the_shape_of_the_catalogued_transaction() {
    // The catalogue has no callback schemas; the payment callback's resource is the same
    // transaction object the order query answers. Its schema there requires `description`
    // and `notify_url`, which a callback's resource does not carry: every other rule holds
    // (types, enums, formats, lengths).
    let catalog = wechatpay::catalog::Catalog::get();
    let query = catalog
        .lookup("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}")
        .expect("the order query is catalogued");
    let resource = mock::sample_resource("TRANSACTION.SUCCESS").unwrap();
    let errors: Vec<_> = query
        .validate_response(&resource)
        .into_iter()
        .filter(|v| v.severity == wechatpay::catalog::Severity::Error)
        .filter(|v| {
            !(v.rule == wechatpay::catalog::Rule::Required
                && ["/description", "/notify_url"].contains(&v.pointer.as_str()))
        })
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn v2_samples_verify_with_the_library() {
    let client = MockServer::start().client();
    for sign_type in [SignType::Md5, SignType::HmacSha256] {
        let sample = mock::sample_v2_notification(None, sign_type).unwrap();
        assert_eq!(sample.headers()["Content-Type"], "text/xml; charset=utf-8");
        let fields = client.notifications().parse_v2(sample.body()).unwrap();
        assert_eq!(fields["out_trade_no"], "TRADE202407041530001");
        assert_eq!(fields["result_code"], "SUCCESS");
        assert_eq!(fields["mch_id"], mock::MCHID);
    }
    let given = json!({"out_trade_no": "T9", "total_fee": 1, "result_code": "FAIL"});
    let sample = mock::sample_v2_notification(Some(&given), SignType::Md5).unwrap();
    let fields = client.notifications().parse_v2(sample.body()).unwrap();
    assert_eq!(
        (fields["out_trade_no"].as_str(), fields["total_fee"].as_str()),
        (Some("T9"), Some("1"))
    );
    assert_eq!(fields["return_code"], "SUCCESS");

    let refund = client
        .notifications()
        .parse_v2_refund(mock::sample_v2_refund_notification(None).unwrap().body())
        .unwrap();
    assert_eq!(refund.refund, mock::sample_v2_refund_fields());
    assert_eq!(refund.outer["mch_id"], mock::MCHID);
    assert!(refund.outer.get("sign").is_none(), "refund callbacks are unsigned");

    let nested = json!({"detail": {"a": 1}});
    assert!(mock::sample_v2_notification(Some(&nested), SignType::Md5).is_err());
    assert!(mock::sample_v2_refund_notification(Some(&json!([1]))).is_err());
}

/// Runs the Python cross-check; `None` (after a note) when python3 or `cryptography` is
/// missing.
fn python(args: &[&Path]) -> Option<(bool, String)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notify/cross_check.py");
    let Ok(out) = Command::new("python3").arg(script).args(args).output() else {
        eprintln!("note: python3 is not installed: the Python cross-check is skipped");
        return None;
    };
    if out.status.code() == Some(3) {
        eprintln!("note: the Python package cryptography is not installed: the Python cross-check is skipped");
        return None;
    }
    Some((out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned()))
}

fn save(dir: &Path, sample: &SampleNotification) -> (std::path::PathBuf, std::path::PathBuf) {
    let (headers, body) = (dir.join("callback.headers"), dir.join("callback.body"));
    std::fs::write(&headers, sample.headers_text()).unwrap();
    std::fs::write(&body, sample.body()).unwrap();
    (headers, body)
}

#[test]
fn python_cryptography_verifies_and_decrypts_the_samples() {
    let dir = tempfile::tempdir().unwrap();
    let apiv3 = dir.path().join("apiv3_key.txt");
    std::fs::write(&apiv3, APIV3_KEY).unwrap();
    let public_key = dir.path().join("pub_key.pem");
    std::fs::write(&public_key, keys::PLATFORM_PUBLIC_KEY).unwrap();
    let certificate = dir.path().join("platform_cert.pem");
    std::fs::write(&certificate, keys::PLATFORM_CERTIFICATE).unwrap();
    let v3 = Path::new("v3");
    for (mode, key, event) in [
        (SigningMode::PublicKey, &public_key, "TRANSACTION.SUCCESS"),
        (SigningMode::Certificate, &certificate, "REFUND.SUCCESS"),
    ] {
        let sample = mock::sample_notification(event, None, mode).unwrap();
        let (headers, body) = save(dir.path(), &sample);
        let Some((ok, stdout)) = python(&[v3, key, &apiv3, &headers, &body]) else {
            return;
        };
        assert!(ok, "{stdout}");
        let plaintext: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(plaintext, mock::sample_resource(event).unwrap());
        // The other key does not verify it.
        let other = if key == &public_key { &certificate } else { &public_key };
        let (ok, stdout) = python(&[v3, other, &apiv3, &headers, &body]).unwrap();
        assert!(!ok && stdout.contains("Verification Failure"), "{stdout}");
    }

    let apiv2 = dir.path().join("apiv2_key.txt");
    std::fs::write(&apiv2, APIV2_KEY).unwrap();
    let v2 = Path::new("v2");
    for sample in [
        mock::sample_v2_notification(None, SignType::Md5).unwrap(),
        mock::sample_v2_notification(None, SignType::HmacSha256).unwrap(),
    ] {
        let (_, body) = save(dir.path(), &sample);
        let (ok, stdout) = python(&[v2, &apiv2, &body]).unwrap();
        assert!(ok, "{stdout}");
        assert_eq!(
            serde_json::from_str::<Value>(&stdout).unwrap()["out_trade_no"],
            "TRADE202407041530001"
        );
    }
    let (_, body) = save(dir.path(), &mock::sample_v2_refund_notification(None).unwrap());
    let (ok, stdout) = python(&[v2, &apiv2, &body]).unwrap();
    assert!(ok, "{stdout}");
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).unwrap(),
        mock::sample_v2_refund_fields()
    );
}
