//! The sandbox speaks APIv2: requests built by hand with `protocol::v2::prepare` and sent
//! with reqwest, answers read with `protocol::v2::read_answer`. These tests need no
//! catalogue (an `<xml>` body without `Authorization` is an APIv2 request; routes answer):
//! the checks, routes, faults, the TLS handshake and the files written for APIv2. The
//! catalogue's answers are in `v2_mock_catalog.rs`.

use serde_json::{Value, json};
use wechatpay::Method;
use wechatpay::mock::{APIV2_KEY, Fault, MCHID, MockReply, MockServer, keys};
use wechatpay::protocol::v2::{AnswerSignature, ApiV2Key, SignType, SignatureFailure, V2Error, prepare, read_answer};

mod support;
use support::v2::*;

#[tokio::test]
async fn a_bad_sign_gets_the_platforms_unsigned_signature_failure() {
    let mock = MockServer::start();
    let other_key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let forged = prepare(&order_query(), MCHID, &other_key).unwrap();
    let tampered = prepared(order_query()).xml().replace("T20240704-1", "T20240704-2");
    let hmac_as_md5 = prepared(json!({"mch_id": MCHID, "out_trade_no": "T", "sign_type": "HMAC-SHA256"}))
        .xml()
        .replace("HMAC-SHA256", "MD5");
    for xml in [forged.xml(), tampered.as_str(), hmac_as_md5.as_str()] {
        let (status, answer) = post_plain(&mock, "/pay/orderquery", xml).await;
        assert_eq!(status, 200, "the platform answers failures with 200");
        let received = fields(&answer);
        assert!(!received.contains_key("sign"), "unsigned: {received:?}");
        assert_eq!(
            refusal_message(read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5))),
            "签名错误"
        );
    }
    assert!(mock.requests().iter().all(|r| !r.verified && !r.handled));
}

#[tokio::test]
async fn another_merchant_is_refused_whichever_field_names_it() {
    let mock = MockServer::start();
    for field in ["mch_id", "mchid", "combine_mch_id"] {
        let request = prepare(
            &json!({ field: "1900000002", "out_trade_no": "T" }),
            "1900000002",
            &key(),
        )
        .unwrap();
        let (_, answer) = post_plain(&mock, "/pay/orderquery", request.xml()).await;
        let message = refusal_message(read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5)));
        assert!(message.starts_with(field) && message.contains(MCHID), "{message}");
    }
    assert!(mock.requests().iter().all(|r| !r.verified));
}

/// The outcome of an order query under `fault`, through `read_answer`.
async fn under_fault(mock: &MockServer, fault: Fault) -> Result<Value, V2Error> {
    mock.route(
        Method::POST,
        "/pay/orderquery",
        200,
        json!({"mch_id": MCHID, "out_trade_no": "T20240704-1", "transaction_id": "4200001999202407041234567890"}),
    );
    mock.fail_next(1, fault);
    let request = prepared(order_query());
    let (_, answer) = post_plain(mock, "/pay/orderquery", request.xml()).await;
    read_answer(&answer, &key(), AnswerSignature::Signed(request.sign_type()))
}

#[tokio::test]
async fn each_v2_fault_gives_its_outcome() {
    let mock = MockServer::start();
    assert!(matches!(
        under_fault(&mock, Fault::V2BadSign).await,
        Err(V2Error::Signature(SignatureFailure::Mismatch))
    ));
    assert!(matches!(
        under_fault(&mock, Fault::V2Unsigned).await,
        Err(V2Error::Signature(SignatureFailure::Missing))
    ));
    match under_fault(&mock, Fault::V2Fail).await {
        Err(V2Error::Business { err_code, answer, .. }) => {
            assert_eq!(err_code.as_deref(), Some("SYSTEMERROR"));
            assert_eq!(answer["mch_id"], MCHID);
            assert!(answer.get("transaction_id").is_none());
        }
        other => panic!("{other:?}"),
    }
    assert!(!refusal_message(under_fault(&mock, Fault::V2ReturnFail).await).is_empty());
    let answer = under_fault(&mock, Fault::V2MissingFields).await.unwrap();
    assert!(
        answer.get("result_code").is_none(),
        "signed, but without result_code: {answer}"
    );
    assert_eq!(answer["return_code"], "SUCCESS");
    // Faults named for `mock serve --fault` are the same.
    assert!(matches!(
        under_fault(&mock, Fault::from_name("v2-bad-sign").unwrap()).await,
        Err(V2Error::Signature(_))
    ));
    // The next answer is normal again.
    assert!(
        under_fault(&mock, Fault::Delay(std::time::Duration::ZERO))
            .await
            .is_ok()
    );
    assert!(
        mock.requests().iter().all(|r| r.verified),
        "faults shape answers, not checks"
    );
}

#[tokio::test]
async fn body_and_connection_faults_reach_v2_answers_and_header_faults_do_not() {
    let mock = MockServer::start();
    assert!(matches!(
        under_fault(&mock, Fault::TruncatedJson).await,
        Err(V2Error::Xml(_))
    ));
    assert!(matches!(
        under_fault(&mock, Fault::InvalidUtf8).await,
        Err(V2Error::Xml(_))
    ));
    // A Wechatpay-* header fault has nothing to alter in an APIv2 answer.
    assert!(under_fault(&mock, Fault::TamperBody).await.is_ok());
    assert!(
        under_fault(&mock, Fault::MissingHeader("Wechatpay-Signature"))
            .await
            .is_ok()
    );

    mock.fail_next(1, Fault::ServerError);
    let (status, body) = post_plain(&mock, "/pay/orderquery", prepared(order_query()).xml()).await;
    assert_eq!(status, 500);
    assert!(body.starts_with(b"<html>"));
    assert!(!mock.requests().last().unwrap().handled);

    mock.fail_next(1, Fault::DropBeforeHeaders);
    let dropped = reqwest::Client::new()
        .post(format!("{}pay/orderquery", mock.base_url()))
        .body(prepared(order_query()).xml().to_owned())
        .send()
        .await;
    assert!(dropped.is_err());
}

/// A v3 Native order the catalogue accepts.

#[tokio::test]
async fn a_route_on_the_wire_path_gives_the_answers_fields() {
    let mock = MockServer::start();
    mock.route(
        Method::POST,
        "/pay/micropay",
        200,
        json!({"trade_state": "USERPAYING", "total_fee": 101}),
    );
    mock.route_fn(Method::POST, "/pay/closeorder", |request| {
        let fields = request.v2_fields().unwrap_or_default();
        MockReply::json(
            200,
            &json!({"out_trade_no": fields.get("out_trade_no"), "closed": true}),
        )
    });
    let request = prepared(json!({"mch_id": MCHID, "sign_type": "HMAC-SHA256"}));
    let (_, answer) = post_plain(&mock, "/pay/micropay", request.xml()).await;
    let answer = read_answer(&answer, &key(), AnswerSignature::Signed(SignType::HmacSha256)).unwrap();
    assert_eq!(answer["trade_state"], "USERPAYING");
    assert_eq!(answer["total_fee"], "101");
    assert_eq!(answer["result_code"], "SUCCESS");
    let (_, answer) = post_plain(&mock, "/pay/closeorder", prepared(json!({"out_trade_no": "C9"})).xml()).await;
    let answer = read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5)).unwrap();
    assert_eq!(
        (answer["out_trade_no"].as_str(), answer["closed"].as_str()),
        (Some("C9"), Some("true"))
    );

    // A route is reached only through the checks.
    let other_key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let forged = prepare(&json!({"mch_id": MCHID}), MCHID, &other_key).unwrap();
    let (_, answer) = post_plain(&mock, "/pay/micropay", forged.xml()).await;
    assert_eq!(fields(&answer)["return_msg"], "签名错误");
    assert!(!mock.requests().last().unwrap().handled);
}

#[tokio::test]
async fn xml_without_authorization_on_an_unknown_path_is_v2() {
    let mock = MockServer::start();
    let (status, answer) = post_plain(&mock, "/pay/nosuchthing", prepared(order_query()).xml()).await;
    assert_eq!(status, 404);
    assert_eq!(fields(&answer)["return_code"], "FAIL");
    mock.route(Method::POST, "/pay/nosuchthing", 200, json!({"ok": "yes"}));
    let (_, answer) = post_plain(&mock, "/pay/nosuchthing", prepared(order_query()).xml()).await;
    assert_eq!(
        read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5)).unwrap()["ok"],
        "yes"
    );
}

#[tokio::test]
async fn tls_mode_refuses_a_certificate_from_another_ca_and_plain_http() {
    let mock = MockServer::builder().tls(true).start();
    let client = tls_client(Some((
        keys::OTHER_CA_CLIENT_CERTIFICATE,
        keys::OTHER_CA_CLIENT_PRIVATE_KEY,
    )));
    let sent = client
        .post(format!("{}secapi/pay/refund", mock.base_url()))
        .body(refund().xml().to_owned())
        .send()
        .await;
    assert!(sent.is_err(), "the handshake fails: {sent:?}");
    let plain = reqwest::Client::new()
        .post(format!("http://{}/pay/orderquery", mock.addr()))
        .body(prepared(order_query()).xml().to_owned())
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
    // A client that does not trust the sandbox CA cannot connect either.
    assert!(
        reqwest::Client::new()
            .get(format!("{}v3/certificates", mock.base_url()))
            .send()
            .await
            .is_err()
    );
    assert!(mock.requests().is_empty());
}

#[cfg(unix)]
#[test]
fn write_keys_writes_the_apiv2_key_and_in_tls_mode_the_ca() {
    use std::os::unix::fs::MetadataExt as _;

    let dir = tempfile::tempdir().unwrap();
    let files = MockServer::start().write_keys(dir.path().join("plain")).unwrap();
    assert_eq!(std::fs::read_to_string(&files.apiv2_key).unwrap(), APIV2_KEY);
    assert_eq!(std::fs::metadata(&files.apiv2_key).unwrap().mode() & 0o777, 0o600);
    assert!(files.ca_certificate.is_none());
    assert!(!files.dir.join("sandbox_ca.pem").exists());
    let env = std::fs::read_to_string(&files.env_sh).unwrap();
    assert!(!env.contains("WECHATPAY_CA_CERTIFICATE"), "{env}");

    let tls = MockServer::builder().tls(true).start();
    let files = tls.write_keys(dir.path().join("tls")).unwrap();
    let ca = files.ca_certificate.clone().unwrap();
    assert_eq!(std::fs::read_to_string(&ca).unwrap(), keys::SANDBOX_CA);
    // What a shell sees after sourcing env.sh.
    let script = format!(
        ". '{}' && printf '%s\\n' \"$WECHATPAY_APIV2_KEY\" \"$WECHATPAY_MERCHANT_CERTIFICATE\" \
         \"$WECHATPAY_CA_CERTIFICATE\" \"$WECHATPAY_BASE_URL\"",
        files.env_sh.display()
    );
    let output = std::process::Command::new("sh").arg("-c").arg(script).output().unwrap();
    let lines: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        lines,
        [
            APIV2_KEY.to_owned(),
            files.merchant_certificate.display().to_string(),
            ca.display().to_string(),
            tls.base_url(),
        ]
    );
    assert_eq!(
        std::fs::read_to_string(&files.merchant_certificate).unwrap(),
        keys::MERCHANT_CERTIFICATE
    );
}

#[test]
fn the_merchant_certificate_kept_its_serial_and_key() {
    let certificate = wechatpay::Certificate::from_pem(keys::MERCHANT_CERTIFICATE).unwrap();
    assert_eq!(certificate.serial(), wechatpay::mock::MERCHANT_SERIAL);
    assert!(certificate.is_valid_at(1_735_689_600));
    // The client refuses a private key that does not belong to the merchant certificate.
    let mock = MockServer::start();
    let built = mock
        .client_builder()
        .merchant_certificate(keys::MERCHANT_CERTIFICATE)
        .and_then(|b| b.build());
    assert!(built.is_ok(), "{built:?}");
}

#[tokio::test]
async fn a_signed_endpoint_read_as_a_download_is_verified_too() {
    // Only the bill downloads answer a file; any other endpoint's answer must be signed XML,
    // however the caller reads it.
    let mock = MockServer::start();
    mock.route_fn(Method::POST, "/pay/orderquery", |_| {
        MockReply::raw(200, "trade_state=SUCCESS (not signed)")
    });
    let client = mock.client();
    let mut written = Vec::new();
    let result = client
        .chain("v2/pay/orderquery")
        .post(order_query())
        .download(&mut written)
        .await;
    assert!(result.is_err(), "an unsigned answer was accepted: {result:?}");
    assert!(written.is_empty(), "nothing unverified may reach the writer");

    // A signed answer is written once verified.
    mock.route(Method::POST, "/pay/orderquery", 200, json!({"trade_state": "SUCCESS"}));
    let mut written = Vec::new();
    client
        .chain("v2/pay/orderquery")
        .post(order_query())
        .download(&mut written)
        .await
        .unwrap();
    let fields = fields(&written);
    assert_eq!(fields["trade_state"], "SUCCESS");
    assert!(fields.contains_key("sign"));
}
