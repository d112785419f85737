//! Load through one client against the mock: 1,000 concurrent requests all verified; then
//! the same with 1% random faults and retries on, where every request ends in success or a
//! typed error and the mock's count of side effects matches what the client reports.

use std::collections::HashMap;
use std::time::Duration;
use wechatpay::Method;
use wechatpay::error::BodyError;

use serde_json::json;
use wechatpay::mock::{Fault, MockServer};
use wechatpay::{Error, RetryPolicy};

const REQUESTS: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_are_all_verified() {
    let mock = MockServer::start();
    mock.route(
        Method::GET,
        "/v3/pay/transactions/out-trade-no/{out_trade_no}",
        200,
        json!({"trade_state": "SUCCESS"}),
    );
    let client = mock.client();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..REQUESTS {
        let client = client.clone();
        tasks.spawn(async move {
            client
                .chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
                .get()
                .param("out_trade_no", format!("LOAD{i:06}"))
                .query("mchid", "1900000001")
                .await
        });
    }
    let mut verified = 0;
    while let Some(result) = tasks.join_next().await {
        let res = result.expect("no task panics").expect("no request fails");
        assert!(res.verified_by().is_some());
        verified += 1;
    }
    assert_eq!(verified, REQUESTS);
    assert_eq!(mock.requests().len(), REQUESTS);
    assert!(mock.requests().iter().all(|r| r.verified));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_one_percent_faults_nothing_is_lost_and_nothing_non_idempotent_is_doubled() {
    let mock = MockServer::start();
    mock.route(
        Method::POST,
        "/v3/pay/transactions/native",
        200,
        json!({"code_url": "weixin://wxpay/bizpayurl?pr=1"}),
    );
    mock.set_random_faults(
        0.01,
        &[
            Fault::DropBeforeHeaders,
            Fault::DropMidBody,
            Fault::ServerError,
            Fault::TruncatedJson,
        ],
    );
    let client = mock
        .client_builder()
        .retry(RetryPolicy::new(4).backoff(Duration::from_millis(5), Duration::from_millis(50)))
        .build()
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..REQUESTS {
        let client = client.clone();
        // Every other order is marked idempotent (the platform dedupes on out_trade_no).
        let idempotent = i % 2 == 0;
        let out_trade_no = format!("ORDER{i:06}");
        tasks.spawn(async move {
            let request = client
                .chain("v3/pay/transactions/native")
                .post(json!({"out_trade_no": out_trade_no, "amount": {"total": 1}}));
            let request = if idempotent { request.idempotent() } else { request };
            let result = request.await.map(|res| res.json::<serde_json::Value>());
            (out_trade_no, idempotent, result)
        });
    }
    let mut outcomes = Vec::with_capacity(REQUESTS);
    while let Some(joined) = tasks.join_next().await {
        outcomes.push(joined.expect("no task panics"));
    }

    // What the platform processed, per order.
    let mut processed: HashMap<String, usize> = HashMap::new();
    for req in mock.requests().iter().filter(|r| r.handled) {
        let order = req.body_json()["out_trade_no"].as_str().unwrap().to_owned();
        *processed.entry(order).or_default() += 1;
    }

    let (mut ok, mut failed) = (0, 0);
    for (order, idempotent, result) in &outcomes {
        let times = processed.get(order).copied().unwrap_or(0);
        match result {
            Ok(_) => {
                ok += 1;
                assert!(times >= 1, "{order} succeeded but was never processed");
            }
            Err(error) => {
                failed += 1;
                // A failure is always one of the typed, documented ones.
                assert!(
                    matches!(
                        error.last_cause(),
                        Error::Transport(_) | Error::Api(_) | Error::Body(BodyError::Decode(_))
                    ),
                    "{order}: {error:?}"
                );
            }
        }
        if !idempotent {
            assert!(times <= 1, "{order} is not idempotent but was processed {times} times");
        }
    }
    assert_eq!(ok + failed, REQUESTS);
    // Faults did happen (about 10 expected): a retried idempotent order adds a request, a
    // non-idempotent one fails. (Requiring a retry alone failed about once in 150 runs: all
    // the faults can fall on non-idempotent orders.)
    assert!(mock.requests().len() > REQUESTS || failed > 0, "no fault was injected");
    // With 1% faults and 4 attempts, an idempotent order virtually never fails; the
    // non-idempotent ones fail where a fault hit them (about 1%).
    let idempotent_failures = outcomes.iter().filter(|(_, i, r)| *i && r.is_err()).count();
    assert!(
        idempotent_failures <= 2,
        "{idempotent_failures} idempotent orders failed despite retries"
    );
    assert!(failed < 60, "{failed} failures for 1% faults");
}
