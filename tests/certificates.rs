//! Platform certificates against the mock: download and use, expiry, tampering, rotation in
//! automatic mode, a storm of unknown serials, and the migration to a platform public key.

use std::time::Duration;
use wechatpay::Method;
use wechatpay::error::{BodyError, ConfigError, VerificationError};

use serde_json::json;
use wechatpay::Error;
use wechatpay::mock::{
    Fault, MockCertificate, MockServer, PLATFORM_CERTIFICATE_SERIAL, PLATFORM_PUBLIC_KEY_ID, SigningMode,
};

fn certificate_mode_mock() -> MockServer {
    let mock = MockServer::builder().mode(SigningMode::Certificate).start();
    mock.route(
        Method::GET,
        "/v3/pay/transactions/id/{transaction_id}",
        200,
        json!({"trade_state": "SUCCESS"}),
    );
    mock
}

fn certificate_downloads(mock: &MockServer) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.path() == "/v3/certificates")
        .count()
}

async fn query(client: &wechatpay::Client) -> wechatpay::Result<wechatpay::Response> {
    client
        .chain("v3/pay/transactions/id/{transaction_id}")
        .get()
        .param("transaction_id", "4200000000000000000000000000")
        .query("mchid", "1900000001")
        .await
}

#[tokio::test]
async fn a_client_with_only_merchant_credentials_downloads_and_then_uses_the_certificates() {
    let mock = certificate_mode_mock();
    let client = mock.merchant_builder().build().unwrap();
    assert!(client.platform_key_ids().is_empty());
    // Without a platform key, answers cannot be trusted yet.
    assert!(matches!(
        query(&client).await,
        Err(Error::Verification(VerificationError::UnknownPlatformKey { .. }))
    ));

    let download = client.download_certificates().await.unwrap();
    assert_eq!(download.certificates().len(), 1);
    let cert = download.certificates()[0].certificate();
    assert_eq!(cert.serial(), PLATFORM_CERTIFICATE_SERIAL);
    assert_eq!(download.certificates()[0].pem(), MockCertificate::Original.pem());
    assert_eq!(download.verified_by(), PLATFORM_CERTIFICATE_SERIAL);
    assert!(download.expired().is_empty());
    assert!(
        client.platform_key_ids().is_empty(),
        "download alone does not change the trusted keys"
    );

    client.refresh_certificates().await.unwrap();
    assert_eq!(client.platform_key_ids(), vec![PLATFORM_CERTIFICATE_SERIAL.to_owned()]);
    let res = query(&client).await.unwrap();
    assert_eq!(res.verified_by(), Some(PLATFORM_CERTIFICATE_SERIAL));
    // The client now asks for answers signed with that certificate.
    assert_eq!(
        mock.requests().last().unwrap().header("wechatpay-serial"),
        Some(PLATFORM_CERTIFICATE_SERIAL)
    );
}

#[tokio::test]
async fn expired_certificates_are_skipped_and_reported() {
    let mock = certificate_mode_mock();
    mock.list_certificates(&[MockCertificate::Expired, MockCertificate::Original]);
    let download = mock
        .merchant_builder()
        .build()
        .unwrap()
        .download_certificates()
        .await
        .unwrap();
    assert_eq!(download.certificates().len(), 1);
    assert_eq!(
        download.expired(),
        ["1E2D3C4B5A69788796A5B4C3D2E1F00FEDCBA987".to_owned()]
    );
}

#[tokio::test]
async fn a_download_with_no_valid_certificate_fails() {
    let mock = certificate_mode_mock();
    mock.list_certificates(&[MockCertificate::Expired]);
    let result = mock.merchant_builder().build().unwrap().download_certificates().await;
    assert!(
        matches!(result, Err(Error::Body(BodyError::CertificateDownload { .. }))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_certificate_listed_under_another_serial_fails_the_download() {
    let mock = certificate_mode_mock();
    mock.set_fault(Some(Fault::CertificateSerialMismatch));
    let result = mock.merchant_builder().build().unwrap().download_certificates().await;
    match result {
        Err(Error::Body(BodyError::CertificateDownload { reason })) => {
            assert!(reason.contains("holds a certificate with serial"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_tampered_or_unsigned_download_fails() {
    for fault in [
        Fault::TamperBody,
        Fault::MissingHeader("Wechatpay-Signature"),
        Fault::SignTest,
    ] {
        let mock = certificate_mode_mock();
        mock.set_fault(Some(fault.clone()));
        let result = mock.merchant_builder().build().unwrap().download_certificates().await;
        assert!(result.is_err(), "{fault:?} was accepted");
    }
}

#[tokio::test]
async fn a_download_signed_by_a_certificate_it_does_not_carry_fails() {
    let mock = certificate_mode_mock();
    mock.sign_with_certificate(MockCertificate::Rotated);
    let result = mock.merchant_builder().build().unwrap().download_certificates().await;
    assert!(
        matches!(
            result,
            Err(Error::Verification(VerificationError::UnknownPlatformKey { .. }))
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn automatic_mode_loads_at_first_use_and_follows_a_rotation_without_a_failed_request() {
    let mock = certificate_mode_mock();
    let client = mock.merchant_builder().auto_certificates().build().unwrap();
    for _ in 0..3 {
        assert_eq!(
            query(&client).await.unwrap().verified_by(),
            Some(PLATFORM_CERTIFICATE_SERIAL)
        );
    }
    assert_eq!(client.certificate_downloads(), 1);

    // Rotation: the new certificate is listed and signs from now on.
    mock.list_certificates(&[MockCertificate::Original, MockCertificate::Rotated]);
    mock.sign_with_certificate(MockCertificate::Rotated);
    let rotated = "A1B2C3D4E5F60718293A4B5C6D7E8F901234567";
    for _ in 0..3 {
        assert_eq!(query(&client).await.unwrap().verified_by(), Some(rotated));
    }
    assert_eq!(client.certificate_downloads(), 2);

    // The old certificate is withdrawn: nothing changes for the client.
    mock.list_certificates(&[MockCertificate::Rotated]);
    assert_eq!(query(&client).await.unwrap().verified_by(), Some(rotated));
    assert_eq!(certificate_downloads(&mock), 2);
}

#[tokio::test]
async fn a_storm_of_unknown_serials_causes_a_bounded_number_of_downloads() {
    let mock = certificate_mode_mock();
    let client = mock.merchant_builder().auto_certificates().build().unwrap();
    query(&client).await.unwrap();
    mock.set_fault(Some(Fault::UnknownSerial));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        let client = client.clone();
        tasks.spawn(async move { query(&client).await });
    }
    let mut unknown = 0;
    while let Some(result) = tasks.join_next().await {
        if matches!(
            result.unwrap(),
            Err(Error::Verification(VerificationError::UnknownPlatformKey { .. }))
        ) {
            unknown += 1;
        }
    }
    assert_eq!(unknown, 1000, "every forged answer is refused");
    let downloads = certificate_downloads(&mock);
    assert!(downloads <= 3, "{downloads} downloads for 1000 forged serials");
}

#[tokio::test]
async fn background_refresh_runs_on_schedule() {
    let mock = certificate_mode_mock();
    let client = mock
        .merchant_builder()
        .auto_certificates_with(Duration::from_millis(100), Duration::from_secs(60))
        .build()
        .unwrap();
    query(&client).await.unwrap();
    // Wait (at most 20 s) for two background refreshes after the first load.
    for _ in 0..400 {
        if client.certificate_downloads() >= 3 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("only {} downloads", client.certificate_downloads());
}

#[tokio::test]
async fn migration_from_certificate_to_public_key_fails_no_request() {
    let mock = certificate_mode_mock();
    let client = mock.client(); // holds the certificate and the public key
    let mut verified_by = Vec::new();
    for i in 0..20 {
        if i == 10 {
            mock.set_mode(SigningMode::PublicKey);
        }
        let res = query(&client).await.unwrap();
        verified_by.push(res.verified_by().unwrap().to_owned());
    }
    assert!(verified_by[..10].iter().all(|k| k == PLATFORM_CERTIFICATE_SERIAL));
    assert!(verified_by[10..].iter().all(|k| k == PLATFORM_PUBLIC_KEY_ID));

    // Callbacks switch the same way.
    for (mode, expected) in [
        (SigningMode::PublicKey, PLATFORM_PUBLIC_KEY_ID),
        (SigningMode::Certificate, PLATFORM_CERTIFICATE_SERIAL),
    ] {
        mock.set_mode(mode);
        let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &json!({"out_trade_no": "1"}));
        let notification = client.notifications().parse(&headers, &body).await.unwrap();
        assert_eq!(notification.verified_by(), expected);
    }
}

#[tokio::test]
async fn callbacks_with_a_rotated_serial_trigger_a_download_in_automatic_mode() {
    let mock = certificate_mode_mock();
    let client = mock.merchant_builder().auto_certificates().build().unwrap();
    query(&client).await.unwrap();
    mock.list_certificates(&[MockCertificate::Original, MockCertificate::Rotated]);
    mock.sign_with_certificate(MockCertificate::Rotated);
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &json!({"out_trade_no": "1"}));
    let n = client.notifications().parse(&headers, &body).await.unwrap();
    assert_eq!(n.verified_by(), "A1B2C3D4E5F60718293A4B5C6D7E8F901234567");
}

#[test]
fn an_expired_platform_certificate_is_refused_at_build() {
    let mock = MockServer::start();
    let result = mock
        .merchant_builder()
        .platform_certificate(MockCertificate::Expired.pem())
        .unwrap()
        .build();
    assert!(matches!(result, Err(Error::Config(ConfigError::Key { .. }))));
}

#[test]
fn automatic_mode_needs_the_apiv3_key() {
    let mock = MockServer::start();
    let builder = wechatpay::Client::builder()
        .mchid(wechatpay::mock::MCHID)
        .merchant_serial(wechatpay::mock::MERCHANT_SERIAL)
        .private_key_pem(wechatpay::mock::keys::MERCHANT_PRIVATE_KEY)
        .unwrap()
        .base_url(&mock.base_url())
        .unwrap();
    assert!(matches!(builder.auto_certificates().build(), Err(Error::Config(_))));
}

#[tokio::test]
async fn forged_callbacks_cannot_spend_the_budget_a_rotation_needs() {
    let mock = certificate_mode_mock();
    let client = mock.merchant_builder().auto_certificates().build().unwrap();
    query(&client).await.unwrap();
    // A flood of callbacks naming serials nobody has.
    mock.set_fault(Some(Fault::UnknownSerial));
    for _ in 0..20 {
        let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &json!({"out_trade_no": "X"}));
        assert!(client.notifications().parse(&headers, &body).await.is_err());
    }
    mock.set_fault(None);
    // Then a genuine rotation: the answers' own budget is intact.
    mock.list_certificates(&[MockCertificate::Original, MockCertificate::Rotated]);
    mock.sign_with_certificate(MockCertificate::Rotated);
    assert_eq!(
        query(&client).await.unwrap().verified_by(),
        Some("A1B2C3D4E5F60718293A4B5C6D7E8F901234567")
    );
}

#[tokio::test]
async fn automatic_mode_sends_nothing_it_could_not_verify() {
    let mock = certificate_mode_mock();
    // Every certificate download fails verification: nothing can ever be loaded.
    mock.set_fault(Some(Fault::UnknownSerial));
    let client = mock.merchant_builder().auto_certificates().build().unwrap();
    for _ in 0..6 {
        assert!(query(&client).await.is_err());
    }
    let payments = mock
        .requests()
        .iter()
        .filter(|r| r.path() != "/v3/certificates")
        .count();
    assert_eq!(payments, 0, "no request went out without a key to verify its answer");
    assert!(certificate_downloads(&mock) <= 3);
}

/// A clock shared by the mock and the client, moved by the test.
#[derive(Debug, Clone)]
struct SharedClock(std::sync::Arc<std::sync::atomic::AtomicI64>);

impl wechatpay::clock::Clock for SharedClock {
    fn now(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_certificate_stops_verifying_when_it_expires() {
    let clock = SharedClock(std::sync::Arc::new(std::sync::atomic::AtomicI64::new(1_640_995_200))); // 2022-01-01
    let mock = MockServer::builder()
        .mode(SigningMode::Certificate)
        .clock(clock.clone())
        .start();
    mock.route(Method::GET, "/v3/certificates/x", 200, json!({}));
    mock.sign_with_certificate(MockCertificate::Expired);
    let client = mock
        .merchant_builder()
        .platform_certificate(MockCertificate::Expired.pem())
        .unwrap()
        .clock(clock.clone())
        .build()
        .unwrap();
    assert!(client.chain("v3/certificates/x").get().await.is_ok(), "valid in 2022");
    clock.0.store(1_704_067_200, std::sync::atomic::Ordering::SeqCst); // 2024-01-01
    let err = client.chain("v3/certificates/x").get().await.unwrap_err();
    assert!(
        matches!(err, Error::Verification(VerificationError::UnknownPlatformKey { .. })),
        "{err:?}"
    );
    assert_eq!(
        client.preferred_platform_key(),
        None,
        "an expired certificate is not asked for either"
    );
}

/// In automatic mode, a client whose loaded certificates have all expired (a refresh
/// failed, say) sends nothing, as one with no certificate at all: the answer could not be
/// verified, and a POST would be executed and then reported as unverifiable.
#[tokio::test]
async fn automatic_mode_sends_nothing_when_every_loaded_certificate_has_expired() {
    const NATIVE: &str = "/v3/pay/transactions/native";
    let clock = SharedClock(std::sync::Arc::new(std::sync::atomic::AtomicI64::new(1_640_995_200))); // 2022-01-01
    let mock = MockServer::builder()
        .mode(SigningMode::Certificate)
        .clock(clock.clone())
        .start();
    mock.route(Method::POST, NATIVE, 200, json!({"code_url": "weixin://x"}));
    mock.list_certificates(&[MockCertificate::Expired]);
    mock.sign_with_certificate(MockCertificate::Expired);
    let client = mock
        .merchant_builder()
        .auto_certificates()
        .clock(clock.clone())
        .build()
        .unwrap();
    let post = |no: &'static str| client.chain(NATIVE).post(json!({"out_trade_no": no}));
    post("A").await.expect("valid in 2022");
    clock.0.store(1_704_067_200, std::sync::atomic::Ordering::SeqCst); // 2024-01-01: expired
    let posts = || mock.requests().iter().filter(|r| r.path() == NATIVE).count();
    let before = posts();
    let err = post("B").await.unwrap_err();
    assert_eq!(
        posts() - before,
        0,
        "a POST went out that no loaded key could verify: {err:?}"
    );
    assert!(
        matches!(err, Error::Body(BodyError::CertificateDownload { .. })),
        "{err:?}"
    );
}

/// The client's deadline bounds a certificate download too, asked for or automatic (it
/// was bounded only by the HTTP timeout, or not at all with a caller's HTTP client).
#[tokio::test]
async fn the_deadline_bounds_a_certificate_download() {
    let mock = certificate_mode_mock();
    mock.set_fault(Some(Fault::Delay(Duration::from_secs(3))));
    let client = mock
        .merchant_builder()
        .deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client.refresh_certificates().await.unwrap_err();
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err:?}");
    let err = client.download_certificates().await.unwrap_err();
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err:?}");
}

/// A request's own deadline, longer than the client's, covers the automatic certificate
/// download it waits for: the client's does not cut it short.
#[tokio::test]
async fn a_requests_own_deadline_covers_the_certificate_download_it_waits_for() {
    let mock = certificate_mode_mock();
    mock.set_fault(Some(Fault::Delay(Duration::from_secs(1))));
    let client = mock
        .merchant_builder()
        .auto_certificates()
        .deadline(Duration::from_millis(500))
        .build()
        .unwrap();
    let res = client
        .chain("v3/pay/transactions/id/{transaction_id}")
        .get()
        .param("transaction_id", "4200001")
        .deadline(Duration::from_secs(10))
        .await;
    assert!(res.is_ok(), "{res:?}");
}
