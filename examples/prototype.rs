//! Prototyping with the catalogue, step by step, before any credentials exist:
//!
//!     cargo run --example prototype
//!
//! 1. find the operation by what it does;
//! 2. show what it takes;
//! 3. build a body from its documented example;
//! 4. validate it, see what is wrong, fix it;
//! 5. send it to the embedded sandbox and read the answer;
//! 6. wrap it in a function of your own and test that function with a route of your own;
//! 7. see the sandbox answer a broken body the way the platform does.

use serde_json::{Value, json};
use wechatpay::catalog::{Catalog, Operation};
use wechatpay::mock::{MCHID, MockReply, MockServer};
use wechatpay::{Client, Method};

/// What your application would call: places a Native order and returns the QR code URL.
async fn create_native_order(client: &Client, out_trade_no: &str, cents: u64) -> wechatpay::Result<String> {
    let answer: Value = client
        .chain("v3/pay/transactions/native")
        .post(json!({
            "appid": "wxd678efh567hg6787",
            "mchid": client.mchid(),
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

/// Step 2: the operation's summary and the top-level fields its body requires.
fn show(operation: &Operation<'_>) {
    println!(
        "\n2. {} {}: {}",
        operation.method(),
        operation.template(),
        operation.summary()
    );
    if let Some(schema) = operation.request_schema() {
        for (name, field) in schema.properties() {
            if schema.is_required(name) {
                let kind = field.schema_type().map_or("any", |t| t.as_str());
                println!("   {name}: {kind}, required");
            }
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Search the catalogue (in Chinese, as the platform names its operations, or by path).
    let found = Catalog::get().search("Native下单");
    println!("1. search \"Native下单\": {} operation(s)", found.len());
    let operation = found
        .into_iter()
        .find(|op| op.template() == "/v3/pay/transactions/native")
        .ok_or("the catalogue lacks the Native order")?;
    show(&operation);

    // 3. A body from the documented example.
    let mut body = operation.example_request().ok_or("no example body")?;
    println!("\n3. example body: {body}");

    // 4. Validate before sending: here, a body that lost its amount.
    let sandbox = MockServer::start();
    let client = sandbox.client();
    body.as_object_mut()
        .ok_or("the example is not an object")?
        .remove("amount");
    let request = client.chain("v3/pay/transactions/native").post(&body);
    println!("\n4. without `amount`:");
    for violation in request.validate() {
        println!("   {violation}");
    }
    // Fix it, and make it this merchant's order.
    body["amount"] = json!({"total": 100, "currency": "CNY"});
    body["mchid"] = json!(MCHID);
    let request = client.chain("v3/pay/transactions/native").post(&body);
    println!("   fixed: {} violation(s)", request.validate().len());

    // 5. Send it: the sandbox answers from the catalogue, signed; the client verified it.
    let response = request.await?;
    println!(
        "\n5. HTTP {}, verified by {}: {}",
        response.status(),
        response.verified_by().unwrap_or("-"),
        response.text()?
    );

    // 6. Your own function, against your own answer.
    sandbox.route_fn(Method::POST, "/v3/pay/transactions/native", |request| {
        let body = request.body_json();
        let pr = body["out_trade_no"].as_str().unwrap_or_default();
        MockReply::json(200, &json!({ "code_url": format!("weixin://wxpay/bizpayurl?pr={pr}") }))
    });
    let code_url = create_native_order(&client, "PROTO-0002", 100).await?;
    println!("\n6. create_native_order -> {code_url}");
    assert_eq!(code_url, "weixin://wxpay/bizpayurl?pr=PROTO-0002");

    // 7. A broken body sent anyway (a fresh sandbox: the route above answers anything).
    let fresh = MockServer::start();
    let err = fresh
        .client()
        .chain("v3/pay/transactions/native")
        .post(json!({"appid": "wxd678efh567hg6787", "mchid": MCHID}))
        .await
        .unwrap_err();
    let api = err.api().ok_or("expected an API error")?;
    println!(
        "\n7. HTTP {} {}: {}",
        api.status,
        api.code.as_deref().unwrap_or("-"),
        api.message.as_deref().unwrap_or("-")
    );
    assert_eq!(api.code.as_deref(), Some("PARAM_ERROR"));
    Ok(())
}
