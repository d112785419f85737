//! The async client against the embedded mock on 127.0.0.1: signing verified by the mock,
//! every response check, API error mapping, path parameters.

use serde_json::{Value, json};
use wechatpay::Error;
use wechatpay::Method;
use wechatpay::clock::FixedClock;
use wechatpay::error::{ApiError, BodyError, RequestError, VerificationError};
use wechatpay::mock::{Fault, MockReply, MockServer, PLATFORM_CERTIFICATE_SERIAL, PLATFORM_PUBLIC_KEY_ID, SigningMode};

const NOW: i64 = 1_719_128_975;

fn seed_body() -> Value {
    json!({
        "out_trade_no": "TRADE202407041530001",
        "fee_items": [{ "fee_type": "EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY", "amount": 5000 }],
        "pay_time": 1719128975,
        "wx_parking_lot_id": "21232735744117624001123604298240",
        "wx_trade_no": "4200001999202407041234567890"
    })
}

/// A mock and a client sharing one fixed clock, so skew tests are exact.
fn fixed_time_pair() -> (MockServer, wechatpay::Client) {
    let mock = MockServer::builder().clock(FixedClock(NOW)).start();
    let client = mock.client_builder().clock(FixedClock(NOW)).build().unwrap();
    (mock, client)
}

#[tokio::test]
async fn seed_request_is_verified_by_the_mock_and_answers_204() {
    let mock = MockServer::start();
    mock.route(Method::POST, "/v3/parking/reminders/ext-payment", 204, Value::Null);
    let res = mock
        .client()
        .chain("v3/parking/reminders/ext-payment")
        .post(seed_body())
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(res.request_id().is_some());
    assert_eq!(res.verified_by(), Some(PLATFORM_PUBLIC_KEY_ID));
    assert_eq!(res.json::<Option<Value>>().unwrap(), None);

    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert!(req.verified);
    assert_eq!(req.target, "/v3/parking/reminders/ext-payment");
    assert_eq!(req.body_json(), seed_body());
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("accept"), Some("application/json"));
    assert_eq!(req.header("wechatpay-serial"), Some(PLATFORM_PUBLIC_KEY_ID));
    assert!(req.header("user-agent").unwrap().starts_with("wechatpay-rust/"));
}

#[tokio::test]
async fn segment_chain_reaches_the_same_endpoint() {
    let mock = MockServer::start();
    mock.route(Method::POST, "/v3/parking/reminders/ext-payment", 204, Value::Null);
    let res = mock
        .client()
        .chain("v3")
        .chain("parking")
        .chain("reminders")
        .chain("extPayment")
        .post(seed_body())
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(mock.requests()[0].target, "/v3/parking/reminders/ext-payment");
}

#[tokio::test]
async fn get_with_path_variable_and_query_signs_the_target_as_sent() {
    let mock = MockServer::start();
    mock.route(
        Method::GET,
        "/v3/pay/transactions/out-trade-no/{out_trade_no}",
        200,
        json!({"trade_state": "SUCCESS", "out_trade_no": "1217752501201407033233368018"}),
    );
    let res = mock
        .client()
        .chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
        .get()
        .param("out_trade_no", "1217752501201407033233368018")
        .query("mchid", "1230000109")
        .query("note", "a b&c=d")
        .query("mchid", "second")
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().unwrap()["trade_state"], "SUCCESS");
    let req = &mock.requests()[0];
    assert!(
        req.verified,
        "the mock checks the signature over the target it received"
    );
    assert_eq!(
        req.target,
        "/v3/pay/transactions/out-trade-no/1217752501201407033233368018?mchid=1230000109&note=a%20b%26c%3Dd&mchid=second"
    );
    assert!(req.body.is_empty());
    assert_eq!(req.header("content-type"), None);
}

#[tokio::test]
async fn path_parameter_with_reserved_characters_cannot_change_the_path() {
    let mock = MockServer::start();
    mock.route(
        Method::GET,
        "/v3/refund/domestic/refunds/{out_refund_no}",
        200,
        json!({"status": "SUCCESS"}),
    );
    let value = "a/b?c#d%..";
    mock.client()
        .chain("v3/refund/domestic/refunds/_out_refund_no_")
        .get()
        .param("out_refund_no", value)
        .await
        .unwrap();
    let req = &mock.requests()[0];
    assert_eq!(req.target, "/v3/refund/domestic/refunds/a%2Fb%3Fc%23d%25..");
    assert_eq!(req.params["out_refund_no"], value);
    assert!(req.verified);
}

#[tokio::test]
async fn identifiers_in_segments_are_normalised_so_they_belong_in_params() {
    let mock = MockServer::start();
    // Upper-case letters are case boundaries: an identifier written into the path would
    // change, which is why sending such a path is refused (see the next test).
    assert_eq!(
        mock.client().chain("v3/merchant/fund/balance/BASIC").template(),
        "v3/merchant/fund/balance/basic"
    );
}

#[tokio::test]
async fn missing_or_unused_params_fail_before_anything_is_sent() {
    let mock = MockServer::start();
    let client = mock.client();
    let missing = client
        .chain("v3/pay/transactions/id/{transaction_id}")
        .get()
        .query("mchid", "1")
        .await;
    assert!(matches!(missing, Err(Error::Request(RequestError::MissingParam { name })) if name == "transaction_id"));
    let unused = client.chain("v3/certificates").get().param("serial", "1").await;
    assert!(matches!(unused, Err(Error::Request(RequestError::UnusedParam { name })) if name == "serial"));
    let dots = client.chain("v3/x/{id}").get().param("id", "..").await;
    assert!(matches!(dots, Err(Error::Request(RequestError::InvalidParam { .. }))));
    let auth = client
        .chain("v3/certificates")
        .get()
        .header("Authorization", "forged")
        .await;
    assert!(matches!(auth, Err(Error::Request(RequestError::InvalidHeader { .. }))));
    assert!(
        mock.requests().is_empty(),
        "nothing may be sent for a malformed request"
    );
}

#[tokio::test]
async fn trailing_slash_is_part_of_the_signed_path() {
    let mock = MockServer::start();
    mock.route(
        Method::POST,
        "/v3/ecommerce/applyments/",
        200,
        json!({"applyment_id": 1}),
    );
    let res = mock
        .client()
        .chain("v3/ecommerce/applyments/")
        .post(json!({}))
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().unwrap()["applyment_id"], 1);
    assert_eq!(mock.requests()[0].target, "/v3/ecommerce/applyments/");
    assert!(mock.requests()[0].verified);
}

#[tokio::test]
async fn certificate_mode_answers_are_verified_by_the_certificate() {
    let mock = MockServer::builder().mode(SigningMode::Certificate).start();
    mock.route(
        Method::GET,
        "/v3/merchant/fund/balance/{account_type}",
        200,
        json!({"available_amount": 1}),
    );
    let res = mock
        .client()
        .chain("v3/merchant/fund/balance/{account_type}")
        .get()
        .param("account_type", "BASIC")
        .await
        .unwrap();
    assert_eq!(res.verified_by(), Some(PLATFORM_CERTIFICATE_SERIAL));
}

async fn get_with_fault(fault: Fault) -> wechatpay::Result<wechatpay::Response> {
    let (mock, client) = fixed_time_pair();
    mock.route(Method::GET, "/v3/certificates", 200, json!({"data": []}));
    mock.set_fault(Some(fault));
    client.chain("v3/certificates").get().await
}

#[tokio::test]
async fn rejects_a_response_missing_any_of_the_four_headers() {
    for header in [
        "Wechatpay-Timestamp",
        "Wechatpay-Nonce",
        "Wechatpay-Signature",
        "Wechatpay-Serial",
    ] {
        match get_with_fault(Fault::MissingHeader(header)).await {
            Err(Error::Verification(VerificationError::MissingHeader { header: missing })) => {
                assert_eq!(missing, header)
            }
            other => panic!("{header}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn rejects_response_signed_301_seconds_ago() {
    assert!(matches!(
        get_with_fault(Fault::SkewSeconds(-301)).await,
        Err(Error::Verification(VerificationError::ClockSkew {
            skew_seconds: 301,
            allowed_seconds: 300
        }))
    ));
    assert!(matches!(
        get_with_fault(Fault::SkewSeconds(301)).await,
        Err(Error::Verification(VerificationError::ClockSkew {
            skew_seconds: -301,
            ..
        }))
    ));
}

#[tokio::test]
async fn accepts_response_signed_300_seconds_ago_or_ahead() {
    assert!(get_with_fault(Fault::SkewSeconds(-300)).await.is_ok());
    assert!(get_with_fault(Fault::SkewSeconds(300)).await.is_ok());
}

#[tokio::test]
async fn rejects_a_response_signed_with_an_unknown_serial() {
    assert!(matches!(
        get_with_fault(Fault::UnknownSerial).await,
        Err(Error::Verification(VerificationError::UnknownPlatformKey { serial })) if serial == "7132D72A03E93CDDF8C03BBD1F37EEDF1A6F2B70"
    ));
}

#[tokio::test]
async fn rejects_a_body_tampered_by_one_byte() {
    assert!(matches!(
        get_with_fault(Fault::TamperBody).await,
        Err(Error::Verification(VerificationError::BadSignature { key_id })) if key_id == PLATFORM_PUBLIC_KEY_ID
    ));
}

#[tokio::test]
async fn rejects_a_tampered_answer_without_a_body() {
    let mock = MockServer::start();
    mock.route(Method::POST, "/v3/parking/reminders/ext-payment", 204, Value::Null);
    mock.set_fault(Some(Fault::TamperBody));
    let err = mock
        .client()
        .chain("v3/parking/reminders/ext-payment")
        .post(json!({"out_trade_no": "T1"}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Verification(VerificationError::BadSignature { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn rejects_a_signtest_probe() {
    let err = get_with_fault(Fault::SignTest).await.unwrap_err();
    assert!(
        matches!(err, Error::Verification(VerificationError::BadSignature { .. })),
        "{err:?}"
    );
    assert!(err.is_verification_failure());
}

#[tokio::test]
async fn maps_a_param_error_with_code_message_detail_and_request_id() {
    let mock = MockServer::start();
    mock.route_fn(Method::POST, "/v3/pay/transactions/native", |_| {
        MockReply::json(
            400,
            &json!({"code": "PARAM_ERROR", "message": "参数错误", "detail": {"field": "/amount/total", "location": "body", "issue": "must be > 0"}}),
        )
    });
    let err = mock
        .client()
        .chain("v3/pay/transactions/native")
        .post(json!({"amount": {"total": 0}}))
        .await
        .unwrap_err();
    match &err {
        Error::Api(api) => {
            let ApiError {
                status,
                code,
                message,
                detail,
                request_id,
                body,
                headers,
                ..
            } = api.as_ref();
            assert_eq!(*status, 400);
            assert_eq!(code.as_deref(), Some("PARAM_ERROR"));
            assert_eq!(message.as_deref(), Some("参数错误"));
            assert_eq!(detail.as_ref().unwrap()["field"], "/amount/total");
            assert!(request_id.is_some());
            assert_eq!(
                headers.get("request-id").and_then(|v| v.to_str().ok()),
                request_id.as_deref()
            );
            assert_eq!(headers["content-type"], "application/json");
            assert!(body.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("PARAM_ERROR"));
}

#[tokio::test]
async fn maps_a_sign_error_with_the_servers_sign_message() {
    let mock = MockServer::start();
    mock.route(Method::GET, "/v3/certificates", 200, json!({}));
    // A key that is not the merchant's: the mock answers 401 SIGN_ERROR. (Without the
    // merchant certificate, which would refuse the key before anything is sent.)
    let client = wechatpay::Client::builder()
        .mchid(wechatpay::mock::MCHID)
        .merchant_serial(wechatpay::mock::MERCHANT_SERIAL)
        .private_key_pem(wechatpay::mock::keys::PLATFORM_CERTIFICATE_PRIVATE)
        .unwrap()
        .platform_public_key(PLATFORM_PUBLIC_KEY_ID, wechatpay::mock::keys::PLATFORM_PUBLIC_KEY)
        .unwrap()
        .base_url(&mock.base_url())
        .unwrap()
        .build()
        .unwrap();
    match client.chain("v3/certificates").get().await {
        Err(Error::Api(api)) if api.status == 401 => {
            assert_eq!(api.code.as_deref(), Some("SIGN_ERROR"));
            let detail = api.detail.as_ref().unwrap();
            let message = detail["sign_information"]["truncated_sign_message"].as_str().unwrap();
            assert!(message.starts_with("GET\n/v3/certificates\n"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!mock.requests()[0].verified);
}

#[tokio::test]
async fn maps_not_found_rate_limit_and_a_non_json_server_error() {
    let mock = MockServer::start();
    mock.route_fn(Method::GET, "/v3/limited", |_| {
        MockReply::error(429, "FREQUENCY_LIMITED", "too fast")
    });
    mock.route_fn(Method::GET, "/v3/broken", |_| {
        MockReply::raw(500, "<html>Internal Server Error</html>")
    });
    let client = mock.client();

    match client.chain("v3/nowhere").get().await {
        Err(Error::Api(api)) if api.status == 404 => assert_eq!(api.code.as_deref(), Some("RESOURCE_NOT_EXISTS")),
        other => panic!("{other:?}"),
    }
    match client.chain("v3/limited").get().await {
        Err(Error::Api(api)) if api.status == 429 => assert_eq!(api.code.as_deref(), Some("FREQUENCY_LIMITED")),
        other => panic!("{other:?}"),
    }
    match client.chain("v3/broken").get().await {
        Err(Error::Api(api)) if api.status == 500 && api.code.is_none() && api.request_id.is_some() => {
            assert_eq!(api.body.as_deref(), Some("<html>Internal Server Error</html>"))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn refuses_a_body_over_the_limit() {
    let mock = MockServer::start();
    mock.route(Method::GET, "/v3/big", 200, json!({"blob": "x".repeat(10_000)}));
    let client = mock.client_builder().max_response_bytes(1024).build().unwrap();
    assert!(matches!(
        client.chain("v3/big").get().await,
        Err(Error::Body(BodyError::TooLarge { limit: 1024 }))
    ));
}

#[tokio::test]
async fn does_not_follow_redirects() {
    let mock = MockServer::start();
    mock.route_fn(Method::GET, "/v3/moved", |_| {
        MockReply::empty(302).with_header("Location", "http://127.0.0.1:9/v3/elsewhere")
    });
    match mock.client().chain("v3/moved").get().await {
        Err(Error::Api(api)) if api.status == 302 => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn unsigned_download_paths_are_not_verified() {
    let mock = MockServer::start();
    mock.route_fn(Method::GET, "/v3/billdownload/file", |_| {
        MockReply::raw(200, "交易时间,公众账号ID\n")
    });
    mock.set_fault(Some(Fault::MissingHeader("Wechatpay-Signature")));
    let res = mock
        .client()
        .chain("v3/billdownload/file")
        .get()
        .query("token", "abc")
        .await
        .unwrap();
    assert_eq!(res.verified_by(), None);
    assert_eq!(res.text().unwrap(), "交易时间,公众账号ID\n");
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let mock = MockServer::start();
    let client = mock
        .client_builder()
        .base_url("http://127.0.0.1:9/")
        .unwrap()
        .build()
        .unwrap();
    drop(mock);
    assert!(matches!(
        client.chain("v3/certificates").get().await,
        Err(Error::Transport(_))
    ));
}

#[tokio::test]
async fn a_request_timeout_is_reported_as_such() {
    let mock = MockServer::start();
    mock.route_fn(Method::GET, "/v3/slow", |_| {
        std::thread::sleep(std::time::Duration::from_millis(500));
        MockReply::json(200, &json!({}))
    });
    let err = mock
        .client()
        .chain("v3/slow")
        .get()
        .timeout(std::time::Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn each_request_gets_a_fresh_nonce() {
    let mock = MockServer::start();
    mock.route(Method::GET, "/v3/certificates", 200, json!({}));
    let client = mock.client();
    client.chain("v3/certificates").get().await.unwrap();
    client.chain("v3/certificates").get().await.unwrap();
    let nonce = |i: usize| {
        let auth = mock.requests()[i].header("authorization").unwrap().to_owned();
        wechatpay::auth::signing::parse_authorization(&auth).unwrap().nonce
    };
    assert_ne!(nonce(0), nonce(1));
    assert_eq!(nonce(0).len(), 32);
}

#[tokio::test]
async fn cheap_mode_reuses_valid_signatures() {
    let mock = MockServer::start();
    mock.route(Method::GET, "/v3/certificates", 200, json!({"data": []}));
    mock.reuse_signatures(true);
    let client = mock.client();
    let a = client.chain("v3/certificates").get().await.unwrap();
    let b = client.chain("v3/certificates").get().await.unwrap();
    assert_eq!(b.verified_by(), Some(PLATFORM_PUBLIC_KEY_ID));
    let same_second = a.headers()["Wechatpay-Timestamp"] == b.headers()["Wechatpay-Timestamp"];
    assert_eq!(
        same_second,
        a.headers()["Wechatpay-Nonce"] == b.headers()["Wechatpay-Nonce"]
    );
    mock.set_mode(SigningMode::Certificate);
    let c = client.chain("v3/certificates").get().await.unwrap();
    assert_eq!(c.verified_by(), Some(PLATFORM_CERTIFICATE_SERIAL));
}

#[tokio::test]
async fn on_signed_reports_each_attempt_exactly_as_sent() {
    use std::sync::{Arc, Mutex};
    let mock = MockServer::start();
    mock.route(
        Method::POST,
        "/v3/pay/transactions/native",
        200,
        json!({"code_url": "weixin://x"}),
    );
    // (Authorization header, signing message) of each attempt.
    type Attempts = Arc<Mutex<Vec<(String, Vec<u8>)>>>;
    let seen: Attempts = Arc::default();
    let log = seen.clone();
    mock.client()
        .chain("v3/pay/transactions/native")
        .post(json!({"out_trade_no": "T1"}))
        .query("x", "a b")
        .on_signed(move |sent| {
            let auth = sent.headers["authorization"].to_str().unwrap().to_owned();
            log.lock().unwrap().push((auth, sent.message()));
        })
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let received = &mock.requests()[0];
    assert_eq!(received.header("authorization"), Some(seen[0].0.as_str()));
    let fields = wechatpay::auth::signing::parse_authorization(&seen[0].0).unwrap();
    let expected = format!(
        "POST\n/v3/pay/transactions/native?x=a%20b\n{}\n{}\n{}\n",
        fields.timestamp,
        fields.nonce,
        String::from_utf8_lossy(&received.body)
    );
    assert_eq!(seen[0].1, expected.into_bytes());
}

#[tokio::test]
async fn an_api_errors_display_escapes_the_control_characters_of_the_unsigned_answer() {
    let mock = MockServer::start();
    mock.route_fn(Method::GET, "/v3/forged", |_| {
        MockReply::error(400, "PARAM\rERROR", "bad\r\n2024-01-01 INFO payment verified\u{1b}[2K")
            .with_header("Request-ID", "08F0A4BB\u{7f}")
    });
    let err = mock.client().chain("v3/forged").get().await.unwrap_err();
    let shown = err.to_string();
    assert!(!shown.contains(['\r', '\n', '\u{1b}']), "{shown:?}");
    assert!(shown.contains("bad\\r\\n2024-01-01"), "still readable: {shown}");
    // The fields keep what the platform sent.
    assert_eq!(
        err.api().unwrap().message.as_deref(),
        Some("bad\r\n2024-01-01 INFO payment verified\u{1b}[2K")
    );
}

#[tokio::test]
async fn a_segment_that_reads_as_an_identifier_is_refused_with_the_fix_and_nothing_is_sent() {
    let mock = MockServer::start();
    let client = mock.client();
    for (path, template) in [
        (
            "v3/pay/transactions/out-trade-no/TRADE2024ABC",
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
        ),
        (
            "v3/refund/domestic/refunds/R1",
            "v3/refund/domestic/refunds/{out_refund_no}",
        ),
        (
            "v3/merchant/fund/balance/BASIC",
            "v3/merchant/fund/balance/{account_type}",
        ),
    ] {
        let err = client.chain(path).get().await.unwrap_err();
        match &err {
            Error::Request(RequestError::IdentifierInPath { suggestion, .. }) => {
                // The catalogue names the variable; without it the suggestion is generic.
                let expected = if cfg!(feature = "catalog") {
                    template.to_owned()
                } else {
                    format!("{}/{{id}}", template.rsplit_once('/').unwrap().0)
                };
                assert_eq!(suggestion, &expected, "{path}")
            }
            other => panic!("{path}: {other:?}"),
        }
        let shown = err.to_string();
        assert!(shown.contains(".param()"), "{shown}");
        // The refused segment is an order number or an id: it stays out of the error.
        let refused = path.rsplit('/').next().unwrap();
        let everything = format!("{err} {err:?}");
        assert!(!everything.contains(refused), "{everything}");
    }
    // Segment by segment, too.
    let err = client
        .chain("v3")
        .chain("refund/domestic/refunds")
        .chain("R1")
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Request(RequestError::IdentifierInPath { .. })),
        "{err:?}"
    );
    assert!(mock.requests().is_empty(), "nothing was sent");
}

#[test]
fn camel_case_names_variables_and_the_protocol_marker_still_normalise() {
    let client = MockServer::start().client();
    for (given, template) in [
        ("v3/parking/reminders/extPayment", "v3/parking/reminders/ext-payment"),
        ("v3/parking/reminders/ExtPayment", "v3/parking/reminders/ext-payment"),
        ("v3/merchant-service/complaintsV2", "v3/merchant-service/complaints-v2"),
        ("v3/applyment4sub/applyment/", "v3/applyment4sub/applyment/"),
        ("v3/merchant/media/video_upload", "v3/merchant/media/video_upload"),
        (
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
        ),
        ("V2/pay/micropay", "v2/pay/micropay"),
    ] {
        let chain = client.chain(given);
        assert_eq!(chain.template(), template);
        let checked = chain.get().check_path();
        assert!(
            !matches!(
                checked,
                Err(wechatpay::Error::Request(
                    wechatpay::error::RequestError::IdentifierInPath { .. }
                ))
            ),
            "{given}: {checked:?}"
        );
    }
}

#[tokio::test]
async fn bodies_of_any_serialize_type_and_numeric_params_and_queries() {
    #[derive(serde::Serialize)]
    struct Close<'a> {
        mchid: &'a str,
    }
    let mock = MockServer::start();
    mock.route(
        Method::POST,
        "/v3/pay/transactions/out-trade-no/{out_trade_no}/close",
        204,
        Value::Null,
    );
    mock.route(
        Method::GET,
        "/v3/marketing/busifavor/stocks/{stock_id}",
        200,
        json!({"ok": true}),
    );
    let client = mock.client();
    client
        .chain("v3/pay/transactions/out-trade-no/{out_trade_no}/close")
        .post(Close { mchid: "1900000001" })
        .param("out_trade_no", 1217752501201407033u64)
        .await
        .unwrap();
    client
        .chain("v3/marketing/busifavor/stocks/{stock_id}")
        .get()
        .param("stock_id", 98065001)
        .query("limit", 10)
        .query("rate", 0.5)
        .await
        .unwrap();
    let requests = mock.requests();
    assert_eq!(requests[0].body_json(), json!({"mchid": "1900000001"}));
    assert_eq!(
        requests[0].path(),
        "/v3/pay/transactions/out-trade-no/1217752501201407033/close"
    );
    assert_eq!(
        requests[1].target,
        "/v3/marketing/busifavor/stocks/98065001?limit=10&rate=0.5"
    );

    // A body JSON cannot hold: refused, nothing sent.
    let not_json: std::collections::HashMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
    let err = client
        .chain("v3/pay/transactions/native")
        .post(not_json)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Request(RequestError::InvalidBody { .. })),
        "{err:?}"
    );
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn a_platform_public_key_loads_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pub_key.pem");
    std::fs::write(&path, wechatpay::mock::keys::PLATFORM_PUBLIC_KEY).unwrap();
    let mock = MockServer::start();
    let client = mock
        .merchant_builder()
        .platform_public_key_file(PLATFORM_PUBLIC_KEY_ID, &path)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(client.preferred_platform_key().as_deref(), Some(PLATFORM_PUBLIC_KEY_ID));
    assert!(
        mock.merchant_builder()
            .platform_public_key_file(PLATFORM_PUBLIC_KEY_ID, dir.path().join("missing.pem"))
            .is_err()
    );
}
