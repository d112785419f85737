//! Identifiers and tokens (an order number in a path variable, a token in the query) never
//! reach an error's `Display` or `Debug`, nor any tracing event or span, even when the
//! request fails in transport and is retried.

use std::time::Duration;

mod support;

use support::recorder::Recorder;
use wechatpay::RetryPolicy;
use wechatpay::mock::MockServer;

const ORDER: &str = "SECRETORDER20241130";
const TOKEN: &str = "SECRETTOKEN6XIv5TUPto7pByrT";

fn assert_clean(what: &str, text: &str) {
    for secret in [ORDER, TOKEN] {
        assert!(!text.contains(secret), "{what} shows {secret}: {text}");
    }
}

/// A base URL on a port nothing listens on: every attempt is refused.
fn refusing_base_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}/")
}

/// Runs `work` on a fresh runtime with a recorder of every span and event; returns what it
/// gave and what was recorded.
fn recorded<T>(work: impl std::future::Future<Output = T>) -> (T, String) {
    let recorder = Recorder::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let result = tracing::subscriber::with_default(recorder.clone(), || runtime.block_on(work));
    (result, recorder.text())
}

#[test]
fn a_transport_failure_shows_the_host_and_template_but_no_identifier() {
    let mock = MockServer::start();
    let client = mock
        .client_builder()
        .base_url(&refusing_base_url())
        .unwrap()
        .retry(RetryPolicy::new(2).backoff(Duration::from_millis(1), Duration::from_millis(2)))
        .build()
        .unwrap();
    let (result, events) = recorded(
        client
            .chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
            .get()
            .param("out_trade_no", ORDER)
            .query("token", TOKEN)
            .send(),
    );
    let err = result.unwrap_err();
    assert_eq!(err.attempts(), 2, "{err:?}");
    let shown = err.to_string();
    assert_clean("Display", &shown);
    assert_clean("Debug", &format!("{err:?}"));
    assert_clean("the last cause", &err.last_cause().to_string());
    assert!(shown.contains("127.0.0.1"), "the host stays: {shown}");
    assert!(
        shown.contains("/v3/pay/transactions/out-trade-no/{out_trade_no}"),
        "the template stays: {shown}"
    );
    assert!(events.contains("request failed"), "the failures are logged: {events}");
    assert_clean("a tracing event", &events);
}

/// An identifier of digits written into the path itself (no capitals, so not refused: it is
/// sent as written) still stays out of the error and the logs, which show `{…}` in its place.
#[test]
fn a_numeric_identifier_written_into_the_path_is_masked_in_errors_and_logs() {
    const TRANSACTION: &str = "4200001999202407041234567890";
    let client = MockServer::start()
        .client_builder()
        .base_url(&refusing_base_url())
        .unwrap()
        .build()
        .unwrap();
    let path = format!("v3/pay/transactions/id/{TRANSACTION}");
    let (result, events) = recorded(client.chain(&path).get().send());
    let err = result.unwrap_err();
    let everything = format!("{err}\n{err:?}\n{events}");
    assert!(!everything.contains(TRANSACTION), "{everything}");
    assert!(err.to_string().contains("/v3/pay/transactions/id/{…}"), "{err}");
}

/// A download URL the platform handed out (a complaint's `media_url`) names its media id in
/// the path: errors, spans and events show `{…}` in its place, as for a path variable.
#[test]
fn a_media_id_in_a_download_url_is_masked_in_errors_and_logs() {
    const MEDIA_ID: &str = "ChsyMDAwMDAwMjAyMTAxMDgxMDM5NDU1NDU4MzgYACCl9vT_BSgBMAE4AQ";
    let base = refusing_base_url();
    let client = MockServer::start()
        .client_builder()
        .base_url(&base)
        .unwrap()
        .build()
        .unwrap();
    let url = format!("{base}v3/merchant-service/images/{MEDIA_ID}");
    let (result, events) = recorded(async { client.download_url(&url)?.download(&mut Vec::new()).await });
    let err = result.unwrap_err();
    let everything = format!("{err}\n{err:?}\n{events}");
    assert!(!everything.contains(MEDIA_ID), "{everything}");
    assert!(err.to_string().contains("/v3/merchant-service/images/{…}"), "{err}");
}

/// A failed certificate download is logged (a wrong APIv3 key, or a certificates endpoint
/// that keeps failing, showed nowhere until payments failed), and its event carries no
/// secret: the error, escaped, not the key.
#[test]
fn a_failed_certificate_download_is_logged() {
    let mock = MockServer::builder()
        .mode(wechatpay::mock::SigningMode::Certificate)
        .start();
    let client = mock
        .merchant_builder()
        .apiv3_key("0123456789abcdef0123456789abcdef")
        .build()
        .unwrap();
    let (result, events) = recorded(client.refresh_certificates());
    let err = result.unwrap_err();
    assert!(events.contains("platform certificate download failed"), "{events}");
    assert!(events.contains(&err.to_string()), "the error is in the event: {events}");
    assert!(!events.contains("0123456789abcdef"), "{events}");
}

/// A request's `Debug`, and an invalid path's error, mask identifiers written into the path
/// as errors and logs do.
#[test]
fn debug_and_path_errors_mask_identifiers_in_the_path() {
    const TRANSACTION: &str = "4200001999202407041234567890";
    let client = MockServer::start().client();
    let chain = client.chain(&format!("v3/pay/transactions/id/{TRANSACTION}"));
    let request = chain.clone().get();
    for shown in [format!("{chain:?}"), format!("{request:?}")] {
        assert!(!shown.contains(TRANSACTION), "{shown}");
        assert!(shown.contains("{…}"), "{shown}");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bad = format!("v3/pay/transactions/id/{TRANSACTION} ");
    let err = runtime.block_on(client.chain(&bad).get().send()).unwrap_err();
    let shown = format!("{err}\n{err:?}");
    assert!(!shown.contains(TRANSACTION), "{shown}");
}
