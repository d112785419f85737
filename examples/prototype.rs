//! Prototyping one endpoint: wrap it in a function of your own, then exercise that function
//! against the embedded sandbox before any credentials exist.
//!
//!     cargo run --example prototype
//!
//! 1. The operation catalogue describes the endpoint and gives an example body.
//! 2. With no route registered, the sandbox answers the catalogued operation with the
//!    documented example, signed like the platform's answers.
//! 3. A route of your own replaces that answer (here: the code_url your code should pass on).
//! 4. A body that breaks the catalogue's rules is refused before anything is sent, and the
//!    sandbox answers 400 PARAM_ERROR naming the field, as the platform would.

use serde_json::{Value, json};
use wechatpay::mock::{MockReply, MockServer};
use wechatpay::{Client, Method, ValidationMode};

/// What your application would call: places a Native order and returns the QR code URL.
async fn create_native_order(client: &Client, out_trade_no: &str, cents: u64) -> wechatpay::Result<String> {
    let answer: Value = client
        .chain("v3/pay/transactions/native")
        .post(json!({
            "appid": "wxd678efh567hg6787",
            "mchid": wechatpay::mock::MCHID,
            "description": "Image形象店-深圳腾大-QQ公仔",
            "out_trade_no": out_trade_no,
            "notify_url": "https://www.example.com/notify",
            "amount": {"total": cents, "currency": "CNY"},
        }))
        .idempotent()
        .await?
        .json()?;
    Ok(answer["code_url"].as_str().unwrap_or_default().to_owned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockServer::start();
    let client = mock.client();

    // 1. What the platform documents for this operation.
    let order = client.chain("v3/pay/transactions/native").post(json!({}));
    if let Some(operation) = order.describe() {
        println!(
            "{} {}: {}",
            operation.method(),
            operation.template(),
            operation.summary()
        );
        println!("example body: {}", operation.example_request().unwrap_or_default());
    }

    // 2. No route registered: the sandbox answers from the catalogue.
    let code_url = create_native_order(&client, "PROTO-0001", 100).await?;
    println!("catalogue answer, code_url: {code_url}");

    // 3. Your own answer, computed from the request.
    mock.route_fn(Method::POST, "/v3/pay/transactions/native", |request| {
        let body = request.body_json();
        let code_url = format!(
            "weixin://wxpay/bizpayurl?pr={}",
            body["out_trade_no"].as_str().unwrap_or("?")
        );
        MockReply::json(200, &json!({ "code_url": code_url }))
    });
    let code_url = create_native_order(&client, "PROTO-0002", 100).await?;
    println!("route answer, code_url: {code_url}");
    assert_eq!(code_url, "weixin://wxpay/bizpayurl?pr=PROTO-0002");

    // 4. A body without `amount`: refused here, before signing, by a client that checks...
    let checking = mock
        .client_builder()
        .validate_requests(ValidationMode::Refuse)
        .build()?;
    let missing_amount = json!({
        "appid": "wxd678efh567hg6787", "mchid": wechatpay::mock::MCHID, "description": "x",
        "out_trade_no": "PROTO-0003", "notify_url": "https://www.example.com/notify",
    });
    let refused = checking
        .chain("v3/pay/transactions/native")
        .post(missing_amount.clone())
        .await;
    println!("refused before sending: {}", refused.unwrap_err());

    // ...and answered 400 PARAM_ERROR by the sandbox's catalogue when it is sent anyway
    // (a fresh sandbox: the route above would answer 200 to anything).
    let sandbox = MockServer::start();
    let err = sandbox
        .client()
        .chain("v3/pay/transactions/native")
        .post(missing_amount)
        .await
        .unwrap_err();
    let api = err.api().ok_or("expected an API error")?;
    println!(
        "sent anyway: HTTP {} {} {}",
        api.status,
        api.code.as_deref().unwrap_or("-"),
        api.message.as_deref().unwrap_or("-")
    );
    assert_eq!(api.code.as_deref(), Some("PARAM_ERROR"));
    println!(
        "requests the sandboxes saw: {} and {}",
        mock.requests().len(),
        sandbox.requests().len()
    );
    Ok(())
}
