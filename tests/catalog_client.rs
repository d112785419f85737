//! The client and the catalogue: describing a request, checking it before it is signed,
//! and what each validation mode does on send. An operation missing from the catalogue is
//! never refused.
#![cfg(feature = "catalog")]

mod support;

use serde_json::{Value, json};
use support::recorder::Recorder;
use wechatpay::catalog::{Rule, Severity};
use wechatpay::error::RequestError;
use wechatpay::mock::MockServer;
use wechatpay::{Error, Method, ValidationMode};

/// A client of `mock` that refuses to send what breaks the catalogue.
fn refusing_client(mock: &MockServer) -> wechatpay::Client {
    mock.client_builder()
        .validate_requests(ValidationMode::Refuse)
        .build()
        .unwrap()
}

fn seed_body() -> Value {
    json!({
        "out_trade_no": "TRADE202407041530001",
        "fee_items": [{ "fee_type": "EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY", "amount": 5000 }],
        "pay_time": 1719128975,
        "wx_parking_lot_id": "21232735744117624001123604298240",
        "wx_trade_no": "4200001999202407041234567890"
    })
}

#[test]
fn validate_names_every_violation_without_sending() {
    let mock = MockServer::start();
    let client = mock.client();
    let mut body = seed_body();
    body.as_object_mut().unwrap().remove("pay_time");
    body["fee_items"][0]["amount"] = json!("5000");
    let violations = client.chain("v3/parking/reminders/ext-payment").post(body).validate();
    let found: Vec<(&str, Rule)> = violations.iter().map(|v| (v.pointer.as_str(), v.rule)).collect();
    assert!(found.contains(&("/pay_time", Rule::Required)), "{violations:?}");
    assert!(found.contains(&("/fee_items/0/amount", Rule::Type)), "{violations:?}");
    assert!(
        client
            .chain("v3/parking/reminders/ext-payment")
            .post(seed_body())
            .validate()
            .is_empty()
    );
    assert!(mock.requests().is_empty(), "validating sends nothing");
}

#[test]
fn path_variables_are_checked_under_the_callers_names() {
    let client = MockServer::start().client();
    let request = client
        .chain("v3/pay/transactions/out-trade-no/{order}")
        .get()
        .param("order", "T1")
        .query("mchid", "1900000001");
    assert_eq!(
        request.describe().unwrap().template(),
        "/v3/pay/transactions/out-trade-no/{out_trade_no}"
    );
    let errors: Vec<_> = request
        .validate()
        .into_iter()
        .filter(|v| v.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[tokio::test]
async fn refuse_mode_sends_nothing_that_breaks_a_rule_and_names_the_field() {
    let mock = MockServer::start();
    mock.route(Method::POST, "/v3/parking/reminders/ext-payment", 204, Value::Null);
    let client = refusing_client(&mock);
    let mut body = seed_body();
    body.as_object_mut().unwrap().remove("pay_time");
    let err = client
        .chain("v3/parking/reminders/ext-payment")
        .post(body)
        .await
        .unwrap_err();
    match &err {
        Error::Request(RequestError::Refused { violations, .. }) => {
            assert!(violations.iter().any(|v| v.pointer == "/pay_time"), "{violations:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("/pay_time"), "{err}");
    assert!(mock.requests().is_empty(), "nothing was sent");

    let res = client
        .chain("v3/parking/reminders/ext-payment")
        .post(seed_body())
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
}

#[tokio::test]
async fn refuse_mode_never_refuses_an_uncatalogued_operation_or_an_undocumented_field() {
    let mock = MockServer::start();
    mock.route(Method::POST, "/v3/tomorrow/new-operation", 200, json!({"ok": true}));
    mock.route(Method::POST, "/v3/parking/reminders/ext-payment", 204, Value::Null);
    let client = refusing_client(&mock);
    let res = client
        .chain("v3/tomorrow/new-operation")
        .post(json!({"anything": 1}))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mut body = seed_body();
    body["a_field_the_catalogue_does_not_document"] = json!("x");
    let res = client
        .chain("v3/parking/reminders/ext-payment")
        .post(body)
        .await
        .unwrap();
    assert_eq!(res.status(), 204, "an undocumented field is a warning, not a refusal");
}

#[tokio::test]
async fn off_and_warn_modes_send_what_was_built() {
    let mock = MockServer::start();
    mock.route(Method::POST, "/v3/parking/reminders/ext-payment", 204, Value::Null);
    for mode in [ValidationMode::Off, ValidationMode::Warn] {
        let client = mock.client_builder().validate_requests(mode).build().unwrap();
        let res = client
            .chain("v3/parking/reminders/ext-payment")
            .post(json!({}))
            .await
            .unwrap();
        assert_eq!(res.status(), 204, "{mode:?}");
    }
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn a_v2_request_need_not_carry_the_nonce_and_sign_the_client_fills_in() {
    let mock = MockServer::start();
    let client = refusing_client(&mock);
    // (The catalogue marks both order numbers of the query as required.)
    let query = json!({"appid": "wx2421b1c4370ec43b", "mch_id": wechatpay::mock::MCHID,
                       "transaction_id": "4200001999202407041234567890", "out_trade_no": "T1"});
    let request = client.chain("v2/pay/orderquery").post(query);
    assert_eq!(request.validate(), [], "nonce_str and sign are the client's");
    request.await.unwrap();

    // Any other required field is still required.
    let violations = client
        .chain("v2/pay/orderquery")
        .post(
            json!({"mch_id": wechatpay::mock::MCHID, "transaction_id": "4200001999202407041234567890",
                     "out_trade_no": "T1"}),
        )
        .validate();
    assert!(
        violations
            .iter()
            .any(|v| v.rule == Rule::Required && v.pointer == "/appid"),
        "{violations:?}"
    );
}

#[tokio::test]
async fn a_v2_request_naming_its_order_one_way_is_not_refused() {
    // The catalogue marks every way of naming an order as required; the platform (and the
    // sandbox) asks for one of them. Fields given with `.query()` are fields of the body.
    let mock = MockServer::start();
    let client = refusing_client(&mock);
    let base = json!({"appid": "wx2421b1c4370ec43b", "mch_id": wechatpay::mock::MCHID});
    for (name, value) in [
        ("out_trade_no", "T1"),
        ("transaction_id", "4200001999202407041234567890"),
    ] {
        let mut query = base.clone();
        query[name] = json!(value);
        let request = client.chain("v2/pay/orderquery").post(query);
        let errors: Vec<String> = request
            .validate()
            .iter()
            .filter(|v| v.severity == Severity::Error)
            .map(|v| v.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        request.await.unwrap();
    }
    let mut refund_query = base.clone();
    refund_query["refund_id"] = json!("50000000382019052709732678859");
    let violations = client.chain("v2/pay/refundquery").post(refund_query).validate();
    assert!(
        violations.iter().all(|v| v.severity == Severity::Warning),
        "{violations:?}"
    );

    let by_query = client
        .chain("v2/pay/orderquery")
        .post(base.clone())
        .query("out_trade_no", "T1");
    assert!(by_query.validate().is_empty(), "{:?}", by_query.validate());
    by_query.await.unwrap();

    // Naming the order no way at all is still refused.
    let none = client.chain("v2/pay/orderquery").post(base).await.unwrap_err();
    assert!(matches!(none, Error::Request(RequestError::Refused { .. })), "{none:?}");
}

#[test]
fn a_v2_get_keeps_its_query_parameters() {
    let mock = MockServer::start();
    let client = mock.client();
    let op = wechatpay::catalog::Catalog::get()
        .lookup("GET", "/v2/appauth/getaccesstoken")
        .unwrap();
    let mut request = client.chain("v2/appauth/getaccesstoken").get();
    for (name, value) in op.example_parameters(wechatpay::catalog::Location::Query) {
        request = request.query(name, value);
    }
    let errors: Vec<String> = request
        .validate()
        .iter()
        .filter(|v| v.severity == Severity::Error)
        .map(|v| v.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[tokio::test]
async fn a_download_url_is_checked_with_the_query_it_carries() {
    // `download_url` (and `bill`) send the URL's query as it is: it holds the token the
    // catalogue requires.
    let mock = MockServer::start();
    let client = refusing_client(&mock);
    let apply: Value = client
        .chain("v3/bill/tradebill")
        .get()
        .query("bill_date", "2024-07-04")
        .await
        .unwrap()
        .json()
        .unwrap();
    let bill = client.bill(&apply).unwrap();
    assert_eq!(bill.validate(), [], "the token is in the URL");
    assert_eq!(bill.await.unwrap().status(), 200);
}

/// The "did you mean" of an uncatalogued operation is looked for (a search costing about a
/// signature) and logged on its first send only, not on every one.
#[test]
fn a_near_miss_is_reported_once_not_on_every_send() {
    let mock = MockServer::start();
    let client = mock
        .client_builder()
        .validate_requests(ValidationMode::Warn)
        .build()
        .unwrap();
    let recorder = Recorder::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::subscriber::with_default(recorder.clone(), || {
        for _ in 0..3 {
            // Not catalogued (a slip of refund), so the sandbox answers 404; sent anyway.
            let sent = runtime.block_on(client.chain("v3/refund/domestic/refundz").post(json!({})).send());
            assert!(matches!(sent, Err(Error::Api(_))), "{sent:?}");
        }
    });
    let text = recorder.text();
    assert_eq!(text.matches("did you mean").count(), 1, "{text}");
    assert!(text.contains("/v3/refund/domestic/refunds"), "{text}");
    assert_eq!(mock.requests().len(), 3, "every request went out");
}

/// A field marked for encryption is checked as what goes out (ciphertext, base64), not as
/// its plaintext; and a refusal's `Debug` shows where and which rule, not the values found.
#[tokio::test]
async fn encrypted_fields_are_not_checked_as_plaintext_and_refusals_keep_values_out_of_debug() {
    const NAME: &str = "张三丰隐私";
    const TOKEN: &str = "SECRETTOKEN6XIv5TUPto7pByrT";
    let mock = MockServer::start();
    let client = refusing_client(&mock);
    let add = |body: Value| {
        client
            .chain("v3/profitsharing/receivers/add")
            .post(body)
            .encrypt("/name")
            .query("token", TOKEN)
    };
    let body = json!({"appid": "wx8888888888888888", "type": "PERSONAL_OPENID", "account": "o1", "name": NAME,
                      "relation_type": "STORE"});
    let violations = add(body.clone()).validate();
    assert!(violations.iter().all(|v| v.pointer != "/name"), "{violations:?}");
    // A misspelt pointer still gets its unknown-field warning.
    let mut misspelt = body.clone();
    let name = misspelt.as_object_mut().unwrap().remove("name").unwrap();
    misspelt.as_object_mut().unwrap().insert("nmae".into(), name);
    let violations = client
        .chain("v3/profitsharing/receivers/add")
        .post(misspelt)
        .encrypt("/nmae")
        .validate();
    assert!(
        violations
            .iter()
            .any(|v| v.pointer == "/nmae" && v.rule == Rule::UnknownField),
        "{violations:?}"
    );
    assert!(add(body.clone()).await.is_ok());

    let mut missing = body;
    missing.as_object_mut().unwrap().remove("relation_type");
    let err = add(missing).await.unwrap_err();
    assert!(matches!(&err, Error::Request(_)), "{err:?}");
    let shown = format!("{err:?}");
    assert!(shown.contains("relation_type"), "{shown}");
    assert!(!shown.contains(NAME) && !shown.contains(TOKEN), "{shown}");
}
