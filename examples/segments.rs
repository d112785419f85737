//! The three ways to name a path, a GET with a path variable and a query, and an API error
//! with its code and Request-ID. Runs against the embedded mock:
//!     cargo run --example segments

use serde_json::{Value, json};
use wechatpay::Method;
use wechatpay::mock::{MockReply, MockServer};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockServer::start();
    mock.route(
        Method::GET,
        "/v3/pay/transactions/out-trade-no/{out_trade_no}",
        200,
        json!({"trade_state": "SUCCESS"}),
    );
    mock.route_fn(Method::POST, "/v3/refund/domestic/refunds", |_| {
        MockReply::error(400, "PARAM_ERROR", "out_refund_no is required")
    });
    let client = mock.client();

    // 1. the whole path, 2. segment by segment (camelCase becomes kebab-case),
    // 3. a path variable written `_name_` or `{name}`.
    let whole = client.chain("v3/pay/transactions/out-trade-no/{out_trade_no}");
    let segments = client
        .chain("v3")
        .chain("pay")
        .chain("transactions")
        .chain("outTradeNo")
        .chain("_out_trade_no_");
    println!("whole:    {}", whole.template());
    println!("segments: {}", segments.template());

    // A GET with a path variable (percent-encoded) and a query string (signed as sent).
    let order: Value = segments
        .get()
        .param("out_trade_no", "1217752501201407033233368018")
        .query("mchid", "1900000001")
        .await?
        .json()?;
    println!("order:    {order}");
    println!("sent:     GET {}", mock.requests()[0].target);

    // An API error carries the platform's code, message and Request-ID.
    match client.chain("v3/refund/domestic/refunds").post(json!({})).await {
        Err(wechatpay::Error::Api(api)) => {
            println!(
                "error:    {} {:?} {:?} Request-ID {:?}",
                api.status, api.code, api.message, api.request_id
            );
        }
        other => println!("unexpected: {other:?}"),
    }
    Ok(())
}
