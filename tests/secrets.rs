//! Secret hygiene: no key material in any `Debug` or `Display` output of the client, its
//! builder, or any error the crate produces.

use serde_json::json;
use wechatpay::Method;
use wechatpay::mock::{APIV3_KEY, Fault, MockServer, keys};

/// Pieces of the secrets that must never be printed: every 12-character window of the
/// private key's Base64 body, and the APIv3 key.
fn secret_fragments() -> Vec<String> {
    let body: String = keys::MERCHANT_PRIVATE_KEY
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let mut fragments: Vec<String> = body
        .as_bytes()
        .chunks(12)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    fragments.retain(|f| f.len() == 12);
    fragments.push(APIV3_KEY.to_owned());
    fragments.push(APIV3_KEY[..16].to_owned());
    fragments
}

fn assert_clean(what: &str, text: &str) {
    for fragment in secret_fragments() {
        assert!(!text.contains(&fragment), "{what} leaks key material: {text}");
    }
}

#[tokio::test]
async fn client_builder_and_errors_never_show_key_material() {
    let mock = MockServer::start();
    mock.route(Method::GET, "/v3/certificates", 200, json!({"data": []}));
    let builder = mock.client_builder();
    assert_clean("builder Debug", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_clean("client Debug", &format!("{client:?}"));
    assert_clean("blocking client Debug", &format!("{:?}", mock.blocking_client()));
    assert_clean("request Debug", &format!("{:?}", client.chain("v3/certificates").get()));
    let sensitive = client
        .chain("v3/profitsharing/receivers/add")
        .post(json!({"name": "张三", "id_card": "110101199003070000"}))
        .encrypt("/name")
        .query("token", "SECRET-TOKEN");
    let shown = format!("{sensitive:?}");
    for plain in ["张三", "110101199003070000", "SECRET-TOKEN"] {
        assert!(!shown.contains(plain), "request Debug shows {plain}: {shown}");
    }

    let mut errors = Vec::new();
    for fault in [
        Fault::TamperBody,
        Fault::UnknownSerial,
        Fault::SkewSeconds(-999),
        Fault::EmptySignature,
    ] {
        mock.set_fault(Some(fault));
        errors.push(client.chain("v3/certificates").get().await.unwrap_err());
    }
    mock.set_fault(None);
    errors.push(client.chain("v3/missing").get().await.unwrap_err());
    errors.push(client.chain("v3/x/{id}").get().await.unwrap_err());
    errors.push(client.decrypt("AAAA").unwrap_err());
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &json!({"a": 1}));
    let wrong_key = mock
        .client_builder()
        .apiv3_key("0123456789abcdef0123456789abcdef")
        .build()
        .unwrap();
    errors.push(wrong_key.notifications().parse(&headers, &body).await.unwrap_err());
    errors.push(mock.client_builder().apiv3_key("short").build().unwrap_err());
    errors.push(
        wechatpay::Client::builder()
            .private_key_pem(&keys::MERCHANT_PRIVATE_KEY[..900])
            .unwrap_err(),
    );
    errors.push(
        wechatpay::Client::builder()
            .platform_public_key("PUB_KEY_ID_1", keys::MERCHANT_PRIVATE_KEY)
            .unwrap_err(),
    );
    for error in &errors {
        assert_clean("error Display", &error.to_string());
        assert_clean("error Debug", &format!("{error:?}"));
    }
}

/// What a decrypted APIv2 refund callback and a declined APIv2 answer carry (refund and
/// order numbers, the transaction id) stays out of their `Debug`, as for `Notification`.
#[tokio::test]
async fn apiv2_callbacks_and_declined_answers_keep_order_numbers_out_of_debug() {
    use wechatpay::protocol::v2::{ApiV2Key, Fields, encrypt_req_info, render};
    const ORDER: &str = "ORDER-SECRET-20240704";
    const REFUND: &str = "REFUND-SECRET-20240704";
    let mock = MockServer::start();
    let client = mock.client();
    let key = ApiV2Key::new(wechatpay::mock::APIV2_KEY).unwrap();
    let refund: Fields = [("out_refund_no", REFUND), ("out_trade_no", ORDER)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let req_info = encrypt_req_info(&refund, &key).unwrap();
    let body = render("xml", [("return_code", "SUCCESS"), ("req_info", req_info.as_str())]).unwrap();
    let notification = client.notifications().parse_v2_refund(body.as_bytes()).unwrap();
    assert_eq!(notification.refund["out_refund_no"], REFUND);
    let shown = format!("{notification:?}");
    assert!(!shown.contains(ORDER) && !shown.contains(REFUND), "{shown}");

    mock.route(
        Method::POST,
        "/pay/orderquery",
        200,
        json!({"result_code": "FAIL", "err_code": "ORDERNOTEXIST", "out_trade_no": ORDER}),
    );
    let err = client
        .chain("v2/pay/orderquery")
        .post(json!({"mch_id": wechatpay::mock::MCHID, "out_trade_no": ORDER}))
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("ORDERNOTEXIST"), "{shown}");
    assert!(!shown.contains(ORDER), "{shown}");
}

/// A prepared APIv2 request shows its shape, not its values, like `RequestBuilder`.
#[test]
fn a_prepared_apiv2_request_keeps_order_numbers_out_of_debug() {
    use wechatpay::protocol::v2::{ApiV2Key, prepare};
    let key = ApiV2Key::new(wechatpay::mock::APIV2_KEY).unwrap();
    let request = prepare(
        &json!({"mch_id": wechatpay::mock::MCHID, "out_trade_no": "ORDER-SECRET-20240704"}),
        wechatpay::mock::MCHID,
        &key,
    )
    .unwrap();
    let shown = format!("{request:?}");
    assert!(shown.contains("out_trade_no"), "{shown}");
    assert!(!shown.contains("ORDER-SECRET"), "{shown}");
}

/// A v3 error answer's `detail` may echo the value refused (an openid, a phone number) and
/// its body the request: `ApiError`'s `Debug` shows their shape, not their values, as
/// `Response` does; what to quote in a ticket (status, code, message, Request-ID) stays.
#[tokio::test]
async fn an_api_errors_debug_keeps_echoed_values_out() {
    const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
    let mock = MockServer::start();
    mock.route(
        Method::POST,
        "/v3/pay/transactions/jsapi",
        400,
        json!({"code": "PARAM_ERROR", "message": "参数错误",
               "detail": {"field": "/payer/openid", "value": OPENID, "issue": "x", "location": "body"}}),
    );
    let err = mock
        .client()
        .chain("v3/pay/transactions/jsapi")
        .post(json!({"payer": {"openid": OPENID}}))
        .await
        .unwrap_err();
    let wechatpay::Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.detail.as_ref().unwrap()["value"], OPENID, "the field keeps it");
    let shown = format!("{err:?}");
    assert!(!shown.contains(OPENID), "{shown}");
    for kept in ["400", "PARAM_ERROR", "参数错误", "value", "request_id"] {
        assert!(shown.contains(kept), "{kept}: {shown}");
    }

    // A body that is not the usual JSON: its length, not its text.
    mock.route(
        Method::POST,
        "/v3/plain",
        502,
        json!(format!("upstream echoed {OPENID}")),
    );
    let err = mock.client().chain("v3/plain").post(json!({})).await.unwrap_err();
    let shown = format!("{err:?}");
    assert!(!shown.contains(OPENID), "{shown}");
}
