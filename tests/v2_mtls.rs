//! Mutual TLS end to end, with the crate's own client against the sandbox in TLS mode: the
//! APIv2 operations that need the merchant certificate send it and are answered; a client
//! without one is stopped before anything is sent; a certificate from another CA fails the
//! handshake; APIv3 calls work over the same HTTPS sandbox.

use serde_json::json;
use wechatpay::error::ConfigError;
use wechatpay::mock::{MCHID, MockServer, keys};
use wechatpay::{Error, Method};

/// The sandbox in TLS mode, with answers for the refund and the order query that hold with
/// or without the catalogue (a route runs only after the sandbox's APIv2 checks).
fn sandbox() -> MockServer {
    let mock = MockServer::builder().tls(true).start();
    mock.route(Method::POST, "/secapi/pay/refund", 200, json!({"out_refund_no": "R1"}));
    mock.route(Method::POST, "/pay/orderquery", 200, json!({"trade_state": "SUCCESS"}));
    mock
}

/// A client builder for the TLS sandbox with everything but the merchant certificate and
/// serial: the merchant id and key, the platform key, the APIv2 key, the sandbox CA.
fn without_certificate(mock: &MockServer) -> wechatpay::ClientBuilder {
    wechatpay::Client::builder()
        .mchid(MCHID)
        .private_key_pem(keys::MERCHANT_PRIVATE_KEY)
        .unwrap()
        .platform_public_key(wechatpay::mock::PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY)
        .unwrap()
        .apiv2_key(wechatpay::mock::APIV2_KEY)
        .add_root_certificate(keys::SANDBOX_CA)
        .unwrap()
        .base_url(&mock.base_url())
        .unwrap()
}

fn refund() -> serde_json::Value {
    json!({
        "appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "transaction_id": "4200001999202407041234567890",
        "out_refund_no": "R1", "total_fee": 100, "refund_fee": 100,
    })
}

#[tokio::test]
async fn an_operation_that_needs_the_client_certificate_sends_it_and_is_answered() {
    let mock = sandbox();
    assert!(mock.base_url().starts_with("https://127.0.0.1:"));
    let client = mock.client();

    let answer = client.chain("v2/secapi/pay/refund").post(refund()).await.unwrap();
    let fields: serde_json::Value = answer.json().unwrap();
    assert_eq!(fields["return_code"], "SUCCESS", "{fields}");
    assert_eq!(fields["result_code"], "SUCCESS", "{fields}");
    assert_eq!(fields["out_refund_no"], "R1", "{fields}");

    // An operation without the certificate flag goes on the connection without one.
    let query = json!({"appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "out_trade_no": "T1"});
    client.chain("v2/pay/orderquery").post(query).await.unwrap();

    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].client_certificate, "the refund carried the certificate");
    assert!(!requests[1].client_certificate, "the query did not need it");
}

#[tokio::test]
async fn the_sandbox_refuses_an_operation_that_needs_a_certificate_when_asked_to_skip_it() {
    let mock = sandbox();
    let err = mock
        .client()
        .chain("v2/secapi/pay/refund")
        .post(refund())
        .client_certificate(false)
        .await
        .unwrap_err();
    // The platform refuses such a call at the protocol level; so does the sandbox.
    assert!(matches!(err, Error::ApiV2(_)), "{err:?}");
    assert_eq!(mock.requests().len(), 1);
    assert!(!mock.requests()[0].client_certificate);
}

#[tokio::test]
async fn a_client_without_a_merchant_certificate_sends_nothing() {
    let mock = sandbox();
    let client = without_certificate(&mock)
        .merchant_serial(wechatpay::mock::MERCHANT_SERIAL)
        .build()
        .unwrap();
    let err = client.chain("v2/secapi/pay/refund").post(refund()).await.unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::MissingClientCertificate { .. })),
        "{err:?}"
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn a_certificate_from_another_ca_fails_the_handshake() {
    let mock = sandbox();
    let client = without_certificate(&mock)
        .merchant_certificate(keys::OTHER_CA_MERCHANT_CERTIFICATE)
        .unwrap()
        .build()
        .unwrap();
    let err = client.chain("v2/secapi/pay/refund").post(refund()).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn apiv3_works_over_the_https_sandbox_and_a_client_without_its_ca_cannot_connect() {
    let mock = sandbox();
    let response = mock.client().chain("v3/certificates").get().await.unwrap();
    assert_eq!(response.status(), 200);

    let untrusting = wechatpay::Client::builder()
        .mchid(MCHID)
        .merchant_serial(wechatpay::mock::MERCHANT_SERIAL)
        .private_key_pem(keys::MERCHANT_PRIVATE_KEY)
        .unwrap()
        .platform_public_key(wechatpay::mock::PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY)
        .unwrap()
        .base_url(&mock.base_url())
        .unwrap()
        .build()
        .unwrap();
    let err = untrusting.chain("v3/certificates").get().await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn a_caller_http_client_does_not_count_as_presenting_the_merchant_certificate() {
    // A client given with `http_client` is used as it is: it has no TLS identity, so the
    // operations that need the merchant certificate must stop before sending, as without one.
    let mock = sandbox();
    let own = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(keys::SANDBOX_CA.as_bytes()).unwrap()])
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client = without_certificate(&mock)
        .merchant_certificate(keys::MERCHANT_CERTIFICATE)
        .unwrap()
        .http_client(own)
        .build()
        .unwrap();
    let err = client.chain("v2/secapi/pay/refund").post(refund()).await.unwrap_err();
    assert!(
        matches!(err, Error::Config(ConfigError::MissingClientCertificate { .. })),
        "{err:?}"
    );
    assert!(mock.requests().is_empty(), "nothing may go out without the certificate");

    // Operations that need no certificate go out on the caller's client.
    let query = json!({"appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "out_trade_no": "T1"});
    client.chain("v2/pay/orderquery").post(query).await.unwrap();
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn a_v2_operation_with_a_capital_in_its_path_is_reached_with_its_certificate() {
    // `secapi/mch/addInstitutionsub` (and its modify and query siblings) are catalogued with a
    // capital letter: the chain must send the path as written, not as APIv3's kebab-case.
    let mock = sandbox();
    let client = mock.client();
    let chain = client.chain("v2/secapi/mch/addInstitutionsub");
    assert_eq!(chain.template(), "v2/secapi/mch/addInstitutionsub");
    #[cfg(feature = "catalog")]
    {
        let op = chain
            .post(json!({"mch_id": MCHID}))
            .describe()
            .expect("the chain names the catalogued operation");
        assert!(op.cert_required());
    }

    for chain in [
        client.chain("v2/secapi/mch/queryInstitutionsub"),
        client.chain("v2").chain("secapi/mch").chain("queryInstitutionsub"),
    ] {
        let _ = chain.post(json!({"mch_id": MCHID})).await;
    }
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    for request in requests {
        assert_eq!(request.path(), "/secapi/mch/queryInstitutionsub");
        assert!(request.client_certificate, "the operation needs the certificate");
    }
}
