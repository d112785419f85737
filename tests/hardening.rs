//! Smaller defects an adversarial review found: header injection through the public signing
//! functions, intervals that make the refresh spin, bill files readable by others, and a
//! response's `Debug` showing its body.

use std::time::Duration;

use serde_json::json;
use wechatpay::Method;
use wechatpay::auth::signing::{Signer, authorization};
use wechatpay::mock::{MCHID, MERCHANT_SERIAL, MockFile, MockServer, keys};

#[test]
fn the_signing_functions_refuse_fields_that_would_inject_into_the_authorization_header() {
    for (mchid, serial) in [
        (r#"1900000001",serial_no="EVIL"#, MERCHANT_SERIAL),
        (MCHID, r#"ABC",mchid="1"#),
        ("1900000001 ", MERCHANT_SERIAL),
        (MCHID, "ABC\r\nX-Injected: 1"),
    ] {
        assert!(
            Signer::new(mchid, serial, keys::MERCHANT_PRIVATE_KEY).is_err(),
            "{mchid:?} {serial:?}"
        );
        assert!(
            authorization(mchid, serial, "nonce", 1, "c2ln").is_err(),
            "{mchid:?} {serial:?}"
        );
    }
    for (nonce, signature) in [("n\",x=\"", "c2ln"), ("nonce", "c2ln\",mchid=\"1")] {
        assert!(
            authorization(MCHID, "ABC", nonce, 1, signature).is_err(),
            "{nonce:?} {signature:?}"
        );
    }
    assert!(authorization(MCHID, "ABC", "n0nce", 1, "c2ln+/==").is_ok());
}

#[test]
fn zero_refresh_intervals_are_refused_at_build() {
    let mock = MockServer::start();
    for (refresh, on_demand) in [
        (Duration::ZERO, Duration::from_secs(60)),
        (Duration::from_secs(60), Duration::ZERO),
    ] {
        let built = mock
            .merchant_builder()
            .auto_certificates_with(refresh, on_demand)
            .build();
        assert!(built.is_err(), "{refresh:?} / {on_demand:?} was accepted");
    }
    assert!(
        mock.merchant_builder()
            .auto_certificates_with(Duration::from_secs(3600), Duration::from_secs(1))
            .build()
            .is_ok()
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_downloaded_bill_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let mock = MockServer::start();
    let apply = mock.serve_bill(MockFile::generated(4096));
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bill.csv");
    mock.client()
        .bill(&apply)
        .unwrap()
        .download_to_file(&target)
        .await
        .unwrap();
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "bill file mode {mode:o}");
}

#[tokio::test]
async fn a_responses_debug_shows_its_shape_not_its_body_or_headers() {
    let mock = MockServer::start();
    mock.route(
        Method::GET,
        "/v3/pay/transactions/out-trade-no/{out_trade_no}",
        200,
        json!({"out_trade_no": "SECRETORDER20241130", "payer": {"openid": "oSECRETOPENID"}}),
    );
    let res = mock
        .client()
        .chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
        .get()
        .param("out_trade_no", "SECRETORDER20241130")
        .await
        .unwrap();
    let shown = format!("{res:?}");
    for secret in [
        "SECRETORDER20241130",
        "oSECRETOPENID",
        "Wechatpay-Signature",
        "wechatpay-signature",
    ] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("200"), "{shown}");
    assert!(shown.contains(res.request_id().unwrap()), "{shown}");
}

/// What the platform says in an error (unsigned for APIv3, and for an APIv2 refusal) is
/// shown with the characters that act on a terminal or reorder text escaped: C0 and C1
/// controls, the bidirectional controls and the zero-width characters alike.
#[tokio::test]
async fn platform_text_in_errors_cannot_reorder_or_hide_text() {
    use wechatpay::mock::{MCHID, MockReply, MockServer};
    let hostile = "abc\u{202e}fed\u{200b}\u{9b}31m";
    let mock = MockServer::start();
    mock.route(
        wechatpay::Method::POST,
        "/pay/orderquery",
        200,
        serde_json::json!({"result_code": "FAIL", "err_code": "ORDERNOTEXIST", "err_code_des": hostile}),
    );
    mock.route_fn(wechatpay::Method::POST, "/v3/hostile-error", move |_| {
        MockReply::error(400, "PARAM_ERROR", hostile)
    });
    let client = mock.client();
    let v2 = client
        .chain("v2/pay/orderquery")
        .post(serde_json::json!({"mch_id": MCHID, "out_trade_no": "T1"}))
        .await
        .unwrap_err();
    let v3 = client
        .chain("v3/hostile-error")
        .post(serde_json::json!({}))
        .await
        .unwrap_err();
    for err in [v2, v3] {
        let shown = err.to_string();
        assert!(!shown.contains(['\u{202e}', '\u{200b}', '\u{9b}']), "{shown:?}");
        assert!(shown.contains("abc\\u{202e}fed"), "{shown:?}");
    }
}

/// An APIv2 request is flat XML fields: an upload or a field to encrypt cannot be part of
/// it and must not be dropped silently (the XML would go without the file); the caller's
/// headers go out as with APIv3.
#[tokio::test]
async fn an_apiv2_request_refuses_what_it_cannot_carry_and_keeps_the_callers_headers() {
    use wechatpay::Error;
    use wechatpay::error::RequestError;

    let mock = MockServer::start();
    mock.route(Method::POST, "/pay/orderquery", 200, json!({"trade_state": "SUCCESS"}));
    let client = mock.client();
    let query = json!({"appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "out_trade_no": "T1"});

    let upload = client
        .chain("v2/secapi/mch/uploadmedia")
        .upload("a.jpg", b"jpeg".to_vec())
        .await;
    assert!(
        matches!(upload, Err(Error::Request(RequestError::InvalidUpload { .. }))),
        "{upload:?}"
    );
    let encrypted = client.chain("v2/pay/orderquery").post(&query).encrypt("/appid").await;
    assert!(
        matches!(encrypted, Err(Error::Request(RequestError::SensitiveField { .. }))),
        "{encrypted:?}"
    );
    let content_type = client
        .chain("v2/pay/orderquery")
        .post(&query)
        .header("Content-Type", "application/json")
        .await;
    assert!(
        matches!(content_type, Err(Error::Request(RequestError::InvalidHeader { .. }))),
        "{content_type:?}"
    );
    assert!(mock.requests().is_empty(), "nothing was sent");

    client
        .chain("v2/pay/orderquery")
        .post(&query)
        .header("X-Trace", "abc")
        .await
        .unwrap();
    assert_eq!(mock.requests()[0].header("X-Trace"), Some("abc"));
}
