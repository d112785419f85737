//! The merchant certificate and key from a PKCS#12 file (feature `pkcs12`), as the merchant
//! portal hands it out: files written by the openssl command line
//! (`tests/fixtures/p12/make.sh`: the portal's legacy RC2/3DES encryption, and OpenSSL 3's
//! PBES2/AES default) give a client that signs as the merchant (the sandbox verifies its
//! requests) and presents the certificate on mutual TLS.
#![cfg(feature = "pkcs12")]

use serde_json::json;
use wechatpay::error::ConfigError;
use wechatpay::mock::{APIV2_KEY, MCHID, MERCHANT_SERIAL, MockServer, PLATFORM_PUBLIC_KEY_ID, keys};
use wechatpay::{Client, Error};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/p12");

fn client(mock: &MockServer, file: &str, password: &str) -> wechatpay::Result<Client> {
    Client::builder()
        .mchid(MCHID)
        .merchant_pkcs12_file(format!("{FIXTURES}/{file}"), password)?
        .platform_public_key(PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY)?
        .apiv2_key(APIV2_KEY)
        .add_root_certificate(keys::SANDBOX_CA)?
        .base_url(&mock.base_url())?
        .build()
}

#[tokio::test]
async fn both_encryptions_give_the_merchants_key_and_client_certificate() {
    let mock = MockServer::builder().tls(true).start();
    for file in ["legacy.p12", "modern.p12"] {
        let client = client(&mock, file, MCHID).unwrap();
        assert_eq!(
            client.signer().serial(),
            MERCHANT_SERIAL,
            "{file}: the serial comes from the certificate"
        );
        let res = client.chain("v3/certificates").get().await.unwrap();
        assert_eq!(res.status(), 200, "{file}");

        let refund = json!({
            "appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "transaction_id": "4200001999202407041234567890",
            "out_refund_no": "R1", "total_fee": 100, "refund_fee": 100,
        });
        let answer: serde_json::Value = client
            .chain("v2/secapi/pay/refund")
            .post(refund)
            .await
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(answer["result_code"], "SUCCESS", "{file}: {answer}");
    }
    let requests = mock.requests();
    assert_eq!(requests.len(), 4);
    assert!(
        requests.iter().all(|r| r.verified),
        "the sandbox verified every signature"
    );
    assert!(requests[1].client_certificate && requests[3].client_certificate);
}

#[test]
fn a_wrong_password_a_missing_file_and_garbage_are_key_errors() {
    let mock = MockServer::start();
    let err = client(&mock, "legacy.p12", "1900000002").unwrap_err();
    assert!(matches!(err, Error::Config(ConfigError::Key { .. })), "{err:?}");
    assert!(err.to_string().contains("wrong password"), "{err}");
    assert!(!err.to_string().contains("1900000002"), "{err}");

    let err = client(&mock, "missing.p12", MCHID).unwrap_err();
    assert!(matches!(err, Error::Config(ConfigError::Key { .. })), "{err:?}");

    let err = client(&mock, "make.sh", MCHID).unwrap_err();
    assert!(err.to_string().contains("not a readable PKCS#12 file"), "{err}");
}
