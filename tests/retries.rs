//! Retries and failover: bounded, re-signed, never repeating what may not be repeated.

use std::time::Duration;
use wechatpay::Method;
use wechatpay::error::VerificationError;

use serde_json::{Value, json};
use wechatpay::mock::{Fault, MockReply, MockServer};
use wechatpay::{Error, RetryPolicy};

const ORDER: &str = "/v3/pay/transactions/out-trade-no/{out_trade_no}";
const NATIVE: &str = "/v3/pay/transactions/native";

fn mock() -> MockServer {
    let mock = MockServer::start();
    mock.route(Method::GET, ORDER, 200, json!({"trade_state": "SUCCESS"}));
    mock.route(
        Method::POST,
        NATIVE,
        200,
        json!({"code_url": "weixin://wxpay/bizpayurl?pr=1"}),
    );
    mock
}

fn retrying(mock: &MockServer, attempts: u32) -> wechatpay::Client {
    let policy = RetryPolicy::new(attempts).backoff(Duration::from_millis(5), Duration::from_millis(20));
    mock.client_builder().retry(policy).build().unwrap()
}

async fn query(client: &wechatpay::Client) -> wechatpay::Result<wechatpay::Response> {
    client
        .chain(ORDER)
        .get()
        .param("out_trade_no", "T1")
        .query("mchid", "1900000001")
        .await
}

fn nonces(mock: &MockServer) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| {
            wechatpay::auth::signing::parse_authorization(r.header("authorization").unwrap())
                .unwrap()
                .nonce
        })
        .collect()
}

#[tokio::test]
async fn a_get_is_retried_after_5xx_and_each_attempt_is_signed_anew() {
    let mock = mock();
    mock.fail_next(2, Fault::ServerError);
    let res = query(&retrying(&mock, 3)).await.unwrap();
    assert_eq!(res.status(), 200);
    let nonces = nonces(&mock);
    assert_eq!(nonces.len(), 3);
    assert!(nonces[0] != nonces[1] && nonces[1] != nonces[2]);
    assert!(mock.requests().iter().all(|r| r.verified));
}

#[tokio::test]
async fn retries_stop_at_the_limit_and_report_the_count_and_last_cause() {
    let mock = mock();
    mock.fail_next(10, Fault::ServerError);
    let err = query(&retrying(&mock, 3)).await.unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert!(matches!(err.last_cause(), Error::Api(e) if e.status == 500), "{err:?}");
    assert!(err.to_string().starts_with("gave up after 3 attempts"));
    assert!(err.request_id().is_some(), "the last attempt's Request-ID is kept");
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn without_a_policy_nothing_is_retried() {
    let mock = mock();
    mock.fail_next(1, Fault::ServerError);
    assert!(matches!(
        query(&mock.client()).await,
        Err(Error::Api(e)) if e.status == 500
    ));
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn rate_limits_and_retryable_codes_are_retried() {
    let mock = MockServer::start();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = calls.clone();
    mock.route_fn(Method::GET, "/v3/limited", move |_| {
        match seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            0 => MockReply::error(429, "FREQUENCY_LIMITED", "slow down"),
            1 => MockReply::error(403, "BANK_ERROR", "bank busy"),
            _ => MockReply::json(200, &json!({"ok": true})),
        }
    });
    let res = retrying(&mock, 5).chain("v3/limited").get().await.unwrap();
    assert_eq!(res.json::<Value>().unwrap()["ok"], true);
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn business_errors_are_never_retried() {
    let mock = MockServer::start();
    mock.route_fn(Method::GET, "/v3/order", |_| {
        MockReply::error(404, "ORDER_NOT_EXIST", "no such order")
    });
    let err = retrying(&mock, 5).chain("v3/order").get().await.unwrap_err();
    assert!(matches!(&err, Error::Api(e) if e.status == 404), "{err:?}");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn verification_failures_are_never_retried() {
    let mock = mock();
    mock.set_fault(Some(Fault::TamperBody));
    assert!(matches!(
        query(&retrying(&mock, 5)).await,
        Err(Error::Verification(VerificationError::BadSignature { .. }))
    ));
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn a_non_idempotent_post_is_sent_exactly_once_when_the_connection_drops_after_it_was_written() {
    let mock = mock();
    mock.fail_next(1, Fault::DropBeforeHeaders);
    let err = retrying(&mock, 5)
        .chain(NATIVE)
        .post(json!({"out_trade_no": "T-ONCE", "amount": {"total": 1}}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    let requests = mock.requests();
    assert_eq!(requests.len(), 1, "a POST not marked idempotent is never repeated");
    assert!(requests[0].handled);
}

#[tokio::test]
async fn an_idempotent_post_is_retried_after_a_drop() {
    let mock = mock();
    mock.fail_next(1, Fault::DropBeforeHeaders);
    let res = retrying(&mock, 3)
        .chain(NATIVE)
        .post(json!({"out_trade_no": "T-IDEM", "amount": {"total": 1}}))
        .idempotent()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body, requests[1].body, "the same body is sent again");
}

#[tokio::test]
async fn timeouts_are_retried() {
    let mock = mock();
    mock.fail_next(1, Fault::Delay(Duration::from_secs(10)));
    let client = mock
        .client_builder()
        .timeout(Duration::from_secs(1))
        .retry(RetryPolicy::new(2).backoff(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap();
    assert!(query(&client).await.is_ok());
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn the_deadline_bounds_all_attempts() {
    let mock = mock();
    mock.set_fault(Some(Fault::ServerError));
    let client = mock
        .client_builder()
        .retry(RetryPolicy::new(100).backoff(Duration::from_millis(100), Duration::from_millis(100)))
        .deadline(Duration::from_millis(350))
        .build()
        .unwrap();
    let err = query(&client).await.unwrap_err();
    assert!(matches!(err, Error::DeadlineExceeded { .. }), "{err:?}");
    assert!(err.is_timeout());
    // 100 attempts with waits averaging 50 ms would take seconds: the deadline cut them short.
    let made = mock.requests().len();
    assert!((1..50).contains(&made), "{made} attempts");
}

fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// A client whose API host refuses connections and whose backup host is `mock`.
fn failing_over_to(mock: &MockServer) -> wechatpay::ClientBuilder {
    mock.client_builder()
        .base_url(&closed_port())
        .unwrap()
        .failover_to(&mock.base_url())
        .unwrap()
}

#[tokio::test]
async fn a_connection_failure_fails_over_to_the_backup_host() {
    let mock = mock();
    let client = failing_over_to(&mock).build().unwrap();
    let res = query(&client).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(mock.requests().len(), 1);
    assert!(
        mock.requests()[0].verified,
        "the request is signed anew for the backup host"
    );
}

#[tokio::test]
async fn failover_keeps_the_idempotency_rule() {
    let mock = mock();
    let client = failing_over_to(&mock).build().unwrap();
    let post = client.chain(NATIVE).post(json!({"out_trade_no": "T2"})).await;
    assert!(matches!(post, Err(Error::Transport(_))), "{post:?}");
    assert!(mock.requests().is_empty());
    let idempotent = client
        .chain(NATIVE)
        .post(json!({"out_trade_no": "T2"}))
        .idempotent()
        .await;
    assert!(idempotent.is_ok());
}

#[tokio::test]
async fn with_repeat_unsent_a_post_fails_over_when_the_api_host_refuses_connections() {
    let mock = mock();
    let client = failing_over_to(&mock).repeat_unsent().build().unwrap();
    let res = client
        .chain(NATIVE)
        .post(json!({"out_trade_no": "T-UNSENT"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let requests = mock.requests();
    assert_eq!(requests.len(), 1, "sent once, to the backup host");
    assert!(requests[0].handled && requests[0].verified);
}

#[tokio::test]
async fn with_repeat_unsent_a_refused_post_is_retried_and_without_it_is_not() {
    let policy = RetryPolicy::new(3).backoff(Duration::from_millis(1), Duration::from_millis(2));
    let mock = mock();
    let port = closed_port();
    let post = |client: wechatpay::Client| async move { client.chain(NATIVE).post(json!({"out_trade_no": "T"})).await };
    let builder = || mock.client_builder().base_url(&port).unwrap().retry(policy);

    let err = post(builder().repeat_unsent().build().unwrap()).await.unwrap_err();
    match &err {
        Error::Retried { attempts: 3, last } => assert!(matches!(**last, Error::Transport(_)), "{last:?}"),
        other => panic!("{other:?}"),
    }
    let err = post(builder().build().unwrap()).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "one attempt only: {err:?}");
}

#[tokio::test]
async fn with_repeat_unsent_a_post_that_was_sent_is_still_never_repeated() {
    let mock = mock();
    mock.fail_next(1, Fault::DropBeforeHeaders);
    let client = mock
        .client_builder()
        .retry(RetryPolicy::new(5).backoff(Duration::from_millis(1), Duration::from_millis(2)))
        .repeat_unsent()
        .build()
        .unwrap();
    let err = client
        .chain(NATIVE)
        .post(json!({"out_trade_no": "T-SENT"}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn no_failover_after_an_answer() {
    let primary = mock();
    primary.set_fault(Some(Fault::ServerError));
    let backup = mock();
    let client = primary
        .client_builder()
        .failover_to(&backup.base_url())
        .unwrap()
        .build()
        .unwrap();
    assert!(matches!(query(&client).await, Err(Error::Api(e)) if e.status == 500));
    assert!(backup.requests().is_empty());
}

#[test]
fn a_backup_with_another_path_is_refused_at_build() {
    let mock = mock();
    let result = mock
        .client_builder()
        .failover_to("https://api2.wechatpay.cn/prefix/")
        .unwrap()
        .build();
    assert!(matches!(result, Err(Error::Config(_))));
}

#[tokio::test]
async fn a_verification_failure_is_recognised_behind_retries() {
    let mock = mock();
    mock.fail_next(1, Fault::ServerError);
    mock.fail_next(1, Fault::TamperBody);
    let err = query(&retrying(&mock, 3)).await.unwrap_err();
    assert_eq!(err.attempts(), 2);
    assert!(err.is_verification_failure(), "{err:?}");
}

/// Automatic certificates on a client that fails over: while the API host refuses
/// connections, the certificates come from the backup host too (they were fetched from the
/// API host only, so the client could send nothing).
#[tokio::test]
async fn certificates_are_downloaded_from_the_backup_host_when_the_api_host_is_down() {
    let mock = MockServer::builder()
        .mode(wechatpay::mock::SigningMode::Certificate)
        .start();
    mock.route(Method::GET, ORDER, 200, json!({"trade_state": "SUCCESS"}));
    let client = mock
        .merchant_builder()
        .base_url(&closed_port())
        .unwrap()
        .failover_to(&mock.base_url())
        .unwrap()
        .auto_certificates()
        .build()
        .unwrap();
    let res = query(&client).await.unwrap();
    assert!(res.verified_by().is_some());
    let paths: Vec<String> = mock.requests().iter().map(|r| r.path().to_owned()).collect();
    assert_eq!(paths[0], "/v3/certificates", "{paths:?}");
    assert_eq!(client.certificate_downloads(), 1);
}
