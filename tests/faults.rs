//! Fault injection: every way the mock can misbehave gives its own typed error, never a
//! panic and never an answer taken for verified.

use std::time::Duration;
use wechatpay::Method;
use wechatpay::error::{BodyError, VerificationError};

use serde_json::{Value, json};
use wechatpay::Error;
use wechatpay::mock::{Fault, MockServer};

const PATH: &str = "/v3/pay/transactions/out-trade-no/{out_trade_no}";

fn mock_with(fault: Fault) -> MockServer {
    let mock = MockServer::start();
    mock.route(
        Method::GET,
        PATH,
        200,
        json!({"trade_state": "SUCCESS", "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}}),
    );
    mock.set_fault(Some(fault));
    mock
}

async fn query(client: &wechatpay::Client) -> wechatpay::Result<wechatpay::Response> {
    client
        .chain(PATH)
        .get()
        .param("out_trade_no", "T1")
        .query("mchid", "1900000001")
        .await
}

#[tokio::test]
async fn connection_dropped_before_headers_is_a_transport_error() {
    let mock = mock_with(Fault::DropBeforeHeaders);
    let err = query(&mock.client()).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(!err.is_timeout());
    assert!(
        mock.requests()[0].handled,
        "the platform did process it: the outcome is unknown to the client"
    );
}

#[tokio::test]
async fn connection_dropped_mid_body_is_a_transport_error() {
    let mock = mock_with(Fault::DropMidBody);
    assert!(matches!(query(&mock.client()).await, Err(Error::Transport(_))));
}

#[tokio::test]
async fn response_slower_than_the_timeout_is_a_timeout() {
    let mock = mock_with(Fault::Delay(Duration::from_secs(2)));
    let client = mock
        .client_builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = query(&client).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn server_error_with_an_html_body_keeps_the_text() {
    let mock = mock_with(Fault::ServerError);
    match query(&mock.client()).await {
        Err(Error::Api(api)) if api.status == 500 && api.code.is_none() => {
            assert!(api.body.as_deref().unwrap().contains("500 Internal"))
        }
        other => panic!("{other:?}"),
    }
    assert!(!mock.requests()[0].handled);
}

#[tokio::test]
async fn truncated_json_is_verified_but_does_not_decode() {
    let mock = mock_with(Fault::TruncatedJson);
    let res = query(&mock.client()).await.unwrap();
    assert!(matches!(res.json::<Value>(), Err(Error::Body(BodyError::Decode(_)))));
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused() {
    let mock = mock_with(Fault::OversizedBody(64 * 1024));
    let client = mock.client_builder().max_response_bytes(16 * 1024).build().unwrap();
    assert!(matches!(
        query(&client).await,
        Err(Error::Body(BodyError::TooLarge { limit: 16384 }))
    ));
    // Within the limit the same answer verifies.
    assert!(query(&mock.client()).await.is_ok());
}

#[tokio::test]
async fn invalid_utf8_is_reported_by_text_and_json() {
    let mock = mock_with(Fault::InvalidUtf8);
    let res = query(&mock.client()).await.unwrap();
    assert!(matches!(res.text(), Err(Error::Body(BodyError::NotUtf8))));
    assert!(matches!(res.json::<Value>(), Err(Error::Body(BodyError::Decode(_)))));
}

#[tokio::test]
async fn duplicated_wechatpay_headers_are_malformed() {
    let mock = mock_with(Fault::DuplicatedHeaders);
    assert!(matches!(
        query(&mock.client()).await,
        Err(Error::Verification(VerificationError::MalformedHeader { .. }))
    ));
}

#[tokio::test]
async fn a_non_numeric_timestamp_is_malformed() {
    let mock = mock_with(Fault::Timestamp("17191289xx"));
    assert!(matches!(
        query(&mock.client()).await,
        Err(Error::Verification(VerificationError::MalformedHeader {
            header: "Wechatpay-Timestamp",
            ..
        }))
    ));
}

#[tokio::test]
async fn a_huge_timestamp_is_malformed_not_an_overflow() {
    for huge in ["99999999999999999999999999", "9223372036854775807"] {
        let mock = mock_with(Fault::Timestamp(huge));
        let err = query(&mock.client()).await.unwrap_err();
        assert!(
            matches!(
                err,
                Error::Verification(VerificationError::MalformedHeader {
                    header: "Wechatpay-Timestamp",
                    ..
                }) | Error::Verification(VerificationError::ClockSkew { .. })
            ),
            "{huge}: {err:?}"
        );
    }
}

#[tokio::test]
async fn an_empty_signature_is_malformed() {
    let mock = mock_with(Fault::EmptySignature);
    assert!(matches!(
        query(&mock.client()).await,
        Err(Error::Verification(VerificationError::MalformedHeader {
            header: "Wechatpay-Signature",
            ..
        }))
    ));
}

#[tokio::test]
async fn a_serial_with_odd_characters_is_unknown_and_shown_sanitised() {
    let mock = mock_with(Fault::OddSerial);
    match query(&mock.client()).await {
        Err(Error::Verification(VerificationError::UnknownPlatformKey { serial })) => {
            assert!(serial.chars().all(|c| c.is_ascii_graphic()), "{serial}");
            assert!(serial.starts_with("PUB_KEY_ID_<script>"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_fault_name_parses() {
    for (name, _) in Fault::NAMES {
        assert!(Fault::from_name(name).is_some(), "{name}");
    }
}
