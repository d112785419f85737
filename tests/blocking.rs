//! The blocking facade: same calls from plain `fn main`, and a clear error (not a hang or a
//! panic) when called from inside an async runtime.

use serde_json::{Value, json};
use wechatpay::Error;
use wechatpay::Method;
use wechatpay::mock::MockServer;

#[test]
fn blocking_client_sends_the_seed_request() {
    let mock = MockServer::start();
    mock.route(Method::POST, "/v3/parking/reminders/ext-payment", 204, Value::Null);
    let client = mock.blocking_client();
    let res = client
        .chain("v3")
        .chain("parking")
        .chain("reminders")
        .chain("extPayment")
        .post(json!({"out_trade_no": "TRADE202407041530001"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(mock.requests()[0].verified);
}

#[test]
fn blocking_client_gets_with_params_and_maps_errors() {
    let mock = MockServer::start();
    mock.route(
        Method::GET,
        "/v3/pay/transactions/id/{transaction_id}",
        200,
        json!({"trade_state": "SUCCESS"}),
    );
    let client = mock.blocking_client();
    let res = client
        .chain("v3/pay/transactions/id/{transaction_id}")
        .get()
        .param("transaction_id", "4200001999202407041234567890")
        .query("mchid", "1900000001")
        .send()
        .unwrap();
    assert_eq!(res.json::<Value>().unwrap()["trade_state"], "SUCCESS");
    assert_eq!(
        mock.requests()[0].target,
        "/v3/pay/transactions/id/4200001999202407041234567890?mchid=1900000001"
    );
    assert!(matches!(
        client.chain("v3/unknown").get().send(),
        Err(Error::Api(e)) if e.status == 404
    ));
}

#[test]
fn blocking_client_is_usable_from_many_threads() {
    let mock = MockServer::start();
    mock.route(Method::GET, "/v3/certificates", 200, json!({"data": []}));
    let client = mock.blocking_client();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || client.chain("v3/certificates").get().send().map(|r| r.status()))
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().unwrap(), 200);
    }
    assert_eq!(mock.requests().len(), 4);
}

#[tokio::test]
async fn blocking_call_inside_a_runtime_is_an_error_not_a_hang() {
    let mock = MockServer::start();
    mock.route(Method::GET, "/v3/certificates", 200, json!({}));
    let client = mock.blocking_client();
    let result = client.chain("v3/certificates").get().send();
    assert!(matches!(result, Err(Error::BlockingInAsyncContext)));
    assert!(mock.requests().is_empty());
    // Dropping the blocking client (and its runtime) inside an async context must not panic.
    drop(client);
}

#[test]
fn blocking_client_uploads_and_downloads() {
    use wechatpay::mock::{MockFile, MockReply};
    let mock = MockServer::start();
    mock.route_fn(Method::POST, "/v3/merchant/media/upload", |req| {
        MockReply::json(
            200,
            &json!({"media_id": req.upload.as_ref().map(|u| u.filename.clone())}),
        )
    });
    let apply = mock.serve_bill(MockFile::generated(100_000));
    let client = mock.blocking_client();
    let res = client
        .chain("v3/merchant/media/upload")
        .upload("a.jpg", vec![1u8, 2, 3])
        .send()
        .unwrap();
    assert_eq!(res.json::<Value>().unwrap()["media_id"], "a.jpg");
    let mut out = Vec::new();
    let download = client.bill(&apply).unwrap().download(&mut out).unwrap();
    assert_eq!((download.bytes(), out.len()), (100_000, 100_000));
    let (headers, body) = mock.signed_notification("TRANSACTION.SUCCESS", &json!({"out_trade_no": "B1"}));
    assert_eq!(
        client.parse_notification(&headers, &body).unwrap().resource()["out_trade_no"],
        "B1"
    );
}
