//! The sandbox answers the catalogued APIv2 operations (feature `catalog`): signed
//! answers echoing the request, required fields, unsigned endpoints, bills, GET operations,
//! and, in TLS mode, the operations that need the merchant's client certificate.
#![cfg(feature = "catalog")]

use std::io::Read as _;

use serde_json::{Value, json};
use wechatpay::mock::{Fault, MCHID, MockServer, keys};
use wechatpay::protocol::v2::{AnswerSignature, DownloadKind, SignType, classify_download, read_answer};

mod support;
use support::v2::*;

#[tokio::test]
async fn md5_and_hmac_sha256_requests_are_verified_and_answered_signed_the_same_way() {
    let mock = MockServer::start();
    for (sign_type, length) in [(None, 32), (Some("MD5"), 32), (Some("HMAC-SHA256"), 64)] {
        let mut body = order_query();
        if let Some(sign_type) = sign_type {
            body["sign_type"] = json!(sign_type);
        }
        let request = prepared(body);
        let (status, answer) = post_plain(&mock, "/pay/orderquery", request.xml()).await;
        assert_eq!(status, 200);
        assert_eq!(fields(&answer)["sign"].len(), length, "{sign_type:?}");
        let answer = read_answer(&answer, &key(), AnswerSignature::Signed(request.sign_type())).unwrap();
        assert_eq!(answer["return_code"], "SUCCESS");
        assert_eq!(answer["result_code"], "SUCCESS");
        assert_eq!(answer["out_trade_no"], "T20240704-1", "echoed");
        assert_eq!(answer["appid"], "wx2421b1c4370ec43b", "echoed");
        assert_eq!(answer["mch_id"], MCHID);
        let nonce = answer["nonce_str"].as_str().unwrap();
        assert_ne!(nonce, request.fields()["nonce_str"], "a fresh nonce_str");
        let recorded = mock.requests().pop().unwrap();
        assert!(recorded.verified && recorded.handled && !recorded.client_certificate);
        assert_eq!(recorded.path(), "/pay/orderquery");
        assert_eq!(recorded.v2_fields().unwrap(), *request.fields());
    }
}

#[tokio::test]
async fn a_missing_required_field_is_refused_by_name() {
    let mock = MockServer::start();
    let mut micropay = json!({
        "appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "body": "sandbox", "out_trade_no": "T1",
        "total_fee": 1, "spbill_create_ip": "127.0.0.1", "auth_code": "134567890123456789",
    });
    let (_, answer) = post_plain(&mock, "/pay/micropay", prepared(micropay.clone()).xml()).await;
    let answer = read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5)).unwrap();
    assert_eq!(answer["out_trade_no"], "T1");

    micropay.as_object_mut().unwrap().remove("auth_code");
    let (status, answer) = post_plain(&mock, "/pay/micropay", prepared(micropay).xml()).await;
    assert_eq!(status, 200);
    let message = refusal_message(read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5)));
    assert_eq!(message, "缺少参数：auth_code");

    // An order is named by either of its ids.
    let (_, answer) = post_plain(
        &mock,
        "/pay/orderquery",
        prepared(json!({"appid": "wx1", "mch_id": MCHID})).xml(),
    )
    .await;
    let message = refusal_message(read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5)));
    assert!(
        message.contains("transaction_id") && message.contains("out_trade_no"),
        "{message}"
    );
    assert!(
        mock.requests().iter().all(|r| r.verified),
        "the checks passed; the fields did not"
    );
}

#[tokio::test]
async fn an_unsigned_endpoint_answers_without_sign() {
    let mock = MockServer::start();
    let request = prepared(json!({
        "mch_billno": "B1", "mch_id": MCHID, "wxappid": "wx1", "send_name": "sandbox", "re_openid": "o1",
        "total_amount": 100, "total_num": 1, "wishing": "w", "client_ip": "127.0.0.1", "act_name": "a", "remark": "r",
    }));
    let (_, answer) = post_plain(&mock, "/mmpaymkttransfers/sendredpack", request.xml()).await;
    assert!(!fields(&answer).contains_key("sign"));
    let signature = AnswerSignature::for_endpoint("v2/mmpaymkttransfers/sendredpack", request.sign_type());
    let answer = read_answer(&answer, &key(), signature).unwrap();
    assert_eq!(
        (answer["result_code"].as_str(), answer["mch_billno"].as_str()),
        (Some("SUCCESS"), Some("B1"))
    );
}

fn native_order() -> Value {
    json!({"appid": "wxd678efh567hg6787", "mchid": MCHID, "description": "d", "out_trade_no": "T1",
           "notify_url": "https://example.com/notify", "amount": {"total": 1}})
}

#[tokio::test]
async fn v3_keeps_working_beside_v2_and_v2_faults_leave_it_alone() {
    let mock = MockServer::start();
    mock.set_fault(Some(Fault::V2Fail));
    let res = mock
        .client()
        .chain("v3/pay/transactions/native")
        .post(native_order())
        .await
        .unwrap();
    assert!(res.json::<Value>().unwrap()["code_url"].is_string());
    // And a v3 fault still breaks v3 answers.
    mock.set_fault(Some(Fault::TamperBody));
    let tampered = mock
        .client()
        .chain("v3/pay/transactions/native")
        .post(native_order())
        .await;
    assert!(
        matches!(
            tampered,
            Err(wechatpay::Error::Verification(
                wechatpay::error::VerificationError::BadSignature { .. }
            ))
        ),
        "{tampered:?}"
    );
    // An unsigned request to a v3 path is still refused the v3 way.
    mock.set_fault(None);
    let (status, _) = post_plain(&mock, "/v3/pay/transactions/native", "<xml><a>1</a></xml>").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn downloadbill_answers_csv_or_gzip_and_xml_on_error() {
    let mock = MockServer::start();
    let bill = json!({"appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "bill_date": "20240704", "bill_type": "ALL"});
    let (status, csv) = post_plain(&mock, "/pay/downloadbill", prepared(bill.clone()).xml()).await;
    assert_eq!(status, 200);
    assert_eq!(classify_download(&csv), DownloadKind::Csv);
    let text = std::str::from_utf8(&csv).unwrap();
    assert!(text.starts_with("交易时间,公众账号ID,商户号"), "{text}");
    assert!(
        text.contains("`2024-07-04 15:30:00,`wx2421b1c4370ec43b,`1900000001,"),
        "{text}"
    );

    let mut gzip = bill.clone();
    gzip["tar_type"] = json!("GZIP");
    let (_, gz) = post_plain(&mock, "/pay/downloadbill", prepared(gzip).xml()).await;
    assert_eq!(classify_download(&gz), DownloadKind::Gzip);
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, text);

    let fund = json!({"appid": "wx1", "mch_id": MCHID, "bill_date": "20240704", "account_type": "Basic",
                      "sign_type": "HMAC-SHA256"});
    let (_, flow) = post_plain(&mock, "/pay/downloadfundflow", prepared(fund).xml()).await;
    assert!(std::str::from_utf8(&flow).unwrap().starts_with("记账时间,"));

    // Errors are XML: a missing field, and no bill (the v2-fail fault).
    let mut no_date = bill.clone();
    no_date.as_object_mut().unwrap().remove("bill_date");
    let (_, error) = post_plain(&mock, "/pay/downloadbill", prepared(no_date).xml()).await;
    assert_eq!(classify_download(&error), DownloadKind::Xml);
    let signature = AnswerSignature::for_endpoint("v2/pay/downloadbill", SignType::Md5);
    assert_eq!(
        refusal_message(read_answer(&error, &key(), signature)),
        "缺少参数：bill_date"
    );
    mock.fail_next(1, Fault::V2Fail);
    let (_, error) = post_plain(&mock, "/pay/downloadbill", prepared(bill).xml()).await;
    assert_eq!(refusal_message(read_answer(&error, &key(), signature)), "No Bill Exist");
}

#[tokio::test]
async fn a_get_operation_reads_its_fields_from_the_query() {
    let mock = MockServer::start();
    let request = prepared(json!({
        "mch_id": MCHID, "appid": "wx1", "openid": "o1", "code": "c1", "grant_type": "authorization_code",
        "scope": "pay", "sign_type": "HMAC-SHA256",
    }));
    let response = reqwest::get(format!("{}appauth/getaccesstoken?{}", mock.base_url(), request.query()))
        .await
        .unwrap();
    let answer = response.bytes().await.unwrap();
    let signature = AnswerSignature::for_endpoint("v2/appauth/getaccesstoken", request.sign_type());
    let answer = read_answer(&answer, &key(), signature).unwrap();
    assert!(answer["access_token"].is_string(), "{answer}");
    let recorded = mock.requests().pop().unwrap();
    assert!(recorded.verified);
    assert_eq!(recorded.v2_fields().unwrap(), *request.fields());

    // The wrong method for a POST operation is refused.
    let response = reqwest::get(format!(
        "{}pay/orderquery?{}",
        mock.base_url(),
        prepared(order_query()).query()
    ))
    .await
    .unwrap();
    let answer = response.bytes().await.unwrap();
    assert!(refusal_message(read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5))).contains("post"));
}

#[tokio::test]
async fn tls_mode_accepts_the_merchant_certificate_for_a_cert_required_operation() {
    let mock = MockServer::builder().tls(true).start();
    assert!(mock.is_tls());
    assert!(mock.base_url().starts_with("https://127.0.0.1:"));
    let client = tls_client(Some((keys::MERCHANT_CERTIFICATE, keys::MERCHANT_PRIVATE_KEY)));
    let request = refund();
    let (status, answer) = post(&client, &mock, "/secapi/pay/refund", request.xml()).await;
    assert_eq!(status, 200);
    let answer = read_answer(&answer, &key(), AnswerSignature::Signed(request.sign_type())).unwrap();
    assert_eq!(answer["out_refund_no"], "R1");
    let recorded = mock.requests().pop().unwrap();
    assert!(recorded.client_certificate && recorded.verified && recorded.handled);
}

#[tokio::test]
async fn tls_mode_without_a_client_certificate_refuses_only_what_needs_one() {
    let mock = MockServer::builder().tls(true).start();
    let client = tls_client(None);
    let (status, answer) = post(&client, &mock, "/secapi/pay/refund", refund().xml()).await;
    assert_eq!(status, 200);
    let received = fields(&answer);
    assert_eq!(received["err_code"], "CA_ERROR");
    assert!(!received.contains_key("sign"));
    let message = refusal_message(read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5)));
    assert!(message.contains("证书"), "{message}");
    let recorded = mock.requests().pop().unwrap();
    assert!(!recorded.client_certificate && !recorded.verified && !recorded.handled);

    // An operation that needs no certificate is served.
    let (_, answer) = post(&client, &mock, "/pay/orderquery", prepared(order_query()).xml()).await;
    assert!(read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5)).is_ok());
    // So is APIv3, through a client whose HTTP client trusts the sandbox CA.
    let v3 = mock.client_builder().http_client(client).build().unwrap();
    let res = v3
        .chain("v3/pay/transactions/native")
        .post(native_order())
        .await
        .unwrap();
    assert!(res.json::<Value>().unwrap()["code_url"].is_string());
    assert!(mock.requests().pop().unwrap().verified);
}

#[tokio::test]
async fn hostile_xml_is_refused_and_the_sandbox_keeps_serving() {
    let mock = MockServer::start();
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><xml><mch_id>&b;</mch_id></xml>"#;
    for hostile in [bomb, "<xml><mch_id>1</mch_id>", "<xml><a><b>1</b></a></xml>", ""] {
        let (status, answer) = post_plain(&mock, "/pay/micropay", hostile).await;
        assert_eq!(status, 200, "{hostile}");
        let message = refusal_message(read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5)));
        assert!(message == "XML格式错误" || message == "post数据为空", "{message}");
    }
    // Still serving.
    let (_, answer) = post_plain(&mock, "/pay/orderquery", prepared(order_query()).xml()).await;
    assert!(read_answer(&answer, &key(), AnswerSignature::Signed(SignType::Md5)).is_ok());
}
