//! Helpers of the sandbox's APIv2 tests: requests prepared and posted by hand with reqwest,
//! and the answers' fields.

use bytes::Bytes;
use serde_json::{Value, json};
use wechatpay::mock::{APIV2_KEY, MCHID, MockServer, keys};
use wechatpay::protocol::v2::{ApiV2Key, PreparedRequest, V2Error, parse, prepare};

pub fn key() -> ApiV2Key {
    ApiV2Key::new(APIV2_KEY).unwrap()
}

pub fn prepared(body: Value) -> PreparedRequest {
    prepare(&body, MCHID, &key()).unwrap()
}

pub fn order_query() -> Value {
    json!({"appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "out_trade_no": "T20240704-1"})
}

/// POSTs an XML body to `path` on the sandbox; the status and the body.
pub async fn post(client: &reqwest::Client, mock: &MockServer, path: &str, xml: &str) -> (u16, Bytes) {
    let response = client
        .post(format!("{}{}", mock.base_url(), path.trim_start_matches('/')))
        .header("Content-Type", "text/xml; charset=utf-8")
        .body(xml.to_owned())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.bytes().await.unwrap())
}

pub async fn post_plain(mock: &MockServer, path: &str, xml: &str) -> (u16, Bytes) {
    post(&reqwest::Client::new(), mock, path, xml).await
}

/// The answer's fields, as received.
pub fn fields(body: &[u8]) -> wechatpay::protocol::v2::Fields {
    parse(body).unwrap().fields
}

pub fn refusal_message(result: Result<Value, V2Error>) -> String {
    match result {
        Err(V2Error::Return {
            return_code,
            return_msg,
        }) => {
            assert_eq!(return_code.as_deref(), Some("FAIL"));
            return_msg.unwrap_or_default()
        }
        other => panic!("expected return_code FAIL, got {other:?}"),
    }
}

pub fn tls_client(identity: Option<(&str, &str)>) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(keys::SANDBOX_CA.as_bytes()).unwrap()]);
    if let Some((certificate, private_key)) = identity {
        let pem = format!("{certificate}{private_key}");
        builder = builder.identity(reqwest::Identity::from_pem(pem.as_bytes()).unwrap());
    }
    builder.build().unwrap()
}

pub fn refund() -> PreparedRequest {
    prepared(json!({
        "appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "transaction_id": "4200001999202407041234567890",
        "out_refund_no": "R1", "total_fee": 100, "refund_fee": 100,
    }))
}
