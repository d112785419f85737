//! Sensitive fields: encrypted with the preferred platform key, and the request always names
//! exactly that key in `Wechatpay-Serial`.

use serde_json::json;
use wechatpay::Error;
use wechatpay::Method;
use wechatpay::error::RequestError;
use wechatpay::mock::{MockServer, PLATFORM_CERTIFICATE_SERIAL, PLATFORM_PUBLIC_KEY_ID, SigningMode, keys};

const RECEIVERS: &str = "/v3/profitsharing/receivers/add";

fn mock() -> MockServer {
    let mock = MockServer::start();
    mock.route(Method::POST, RECEIVERS, 200, json!({"type": "PERSONAL_OPENID"}));
    mock
}

#[tokio::test]
async fn request_encrypt_replaces_fields_and_names_the_key_used() {
    let mock = mock();
    mock.client()
        .chain(RECEIVERS)
        .post(json!({"type": "PERSONAL_OPENID", "name": "张三", "contact": {"phone": "13900000000"}}))
        .encrypt("/name")
        .encrypt("/contact/phone")
        .await
        .unwrap();
    let req = mock.requests().pop().unwrap();
    assert!(req.verified, "the signature covers the encrypted body as sent");
    let serial = req.header("wechatpay-serial").unwrap();
    assert_eq!(serial, PLATFORM_PUBLIC_KEY_ID);
    let body = req.body_json();
    assert_ne!(body["name"], "张三");
    assert_eq!(
        mock.decrypt_field(body["name"].as_str().unwrap(), serial).unwrap(),
        "张三"
    );
    assert_eq!(
        mock.decrypt_field(body["contact"]["phone"].as_str().unwrap(), serial)
            .unwrap(),
        "13900000000"
    );
}

#[tokio::test]
async fn a_certificate_only_client_encrypts_with_its_certificate() {
    let mock = MockServer::builder().mode(SigningMode::Certificate).start();
    mock.route(Method::POST, RECEIVERS, 200, json!({}));
    let client = mock
        .merchant_builder()
        .platform_certificate(keys::PLATFORM_CERTIFICATE)
        .unwrap()
        .build()
        .unwrap();
    let name = client.encrypt("李四").unwrap();
    assert_eq!(name.serial(), PLATFORM_CERTIFICATE_SERIAL);
    client
        .chain(RECEIVERS)
        .post(json!({"name": &name}))
        .with_encrypted(&name)
        .await
        .unwrap();
    let req = mock.requests().pop().unwrap();
    assert_eq!(req.header("wechatpay-serial"), Some(PLATFORM_CERTIFICATE_SERIAL));
    assert_eq!(
        mock.decrypt_field(req.body_json()["name"].as_str().unwrap(), PLATFORM_CERTIFICATE_SERIAL)
            .unwrap(),
        "李四"
    );
}

#[tokio::test]
async fn encryption_is_randomised() {
    let client = mock().client();
    assert_ne!(
        client.encrypt("张三").unwrap().ciphertext(),
        client.encrypt("张三").unwrap().ciphertext()
    );
}

#[tokio::test]
async fn a_conflicting_wechatpay_serial_header_is_refused_before_sending() {
    let mock = mock();
    let client = mock.client();
    let name = client.encrypt("张三").unwrap();
    let result = client
        .chain(RECEIVERS)
        .post(json!({"name": &name}))
        .with_encrypted(&name)
        .header("Wechatpay-Serial", PLATFORM_CERTIFICATE_SERIAL)
        .await;
    assert!(
        matches!(result, Err(Error::Request(RequestError::SensitiveField { .. }))),
        "{result:?}"
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn fields_encrypted_with_two_keys_are_refused_before_sending() {
    let mock = mock();
    let public_key_client = mock.client();
    let certificate_client = mock
        .merchant_builder()
        .platform_certificate(keys::PLATFORM_CERTIFICATE)
        .unwrap()
        .build()
        .unwrap();
    let a = public_key_client.encrypt("张三").unwrap();
    let b = certificate_client.encrypt("13900000000").unwrap();
    let result = public_key_client
        .chain(RECEIVERS)
        .post(json!({"name": &a, "phone": &b}))
        .with_encrypted(&a)
        .with_encrypted(&b)
        .await;
    assert!(
        matches!(result, Err(Error::Request(RequestError::SensitiveField { .. }))),
        "{result:?}"
    );
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn a_pointer_to_a_missing_or_non_string_field_is_refused() {
    let mock = mock();
    let client = mock.client();
    for pointer in ["/missing", "/amount", ""] {
        let result = client
            .chain(RECEIVERS)
            .post(json!({"amount": 1}))
            .encrypt(pointer)
            .await;
        assert!(
            matches!(result, Err(Error::Request(RequestError::SensitiveField { .. }))),
            "{pointer}: {result:?}"
        );
    }
    assert!(matches!(
        client.chain("v3/x").get().encrypt("/name").await,
        Err(Error::Request(RequestError::SensitiveField { .. }))
    ));
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn merchant_decrypts_fields_the_platform_encrypted_to_it() {
    let mock = mock();
    let ciphertext = mock.encrypt_for_merchant("王五").unwrap();
    assert_eq!(mock.client().decrypt(&ciphertext).unwrap(), "王五");
    assert!(matches!(
        mock.client().decrypt("not base64!"),
        Err(Error::Decryption { .. })
    ));
    let mut corrupted = ciphertext.into_bytes();
    corrupted[10] = if corrupted[10] == b'A' { b'B' } else { b'A' };
    assert!(matches!(
        mock.client().decrypt(std::str::from_utf8(&corrupted).unwrap()),
        Err(Error::Decryption { .. })
    ));
}
