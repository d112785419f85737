//! The seed request: POST v3/parking/reminders/ext-payment.
//!
//! Runs against the embedded mock server by default:
//!     cargo run --example quickstart
//! With real credentials in the environment (WECHATPAY_MCHID, WECHATPAY_MERCHANT_SERIAL,
//! WECHATPAY_PRIVATE_KEY, WECHATPAY_PUBLIC_KEY_ID, WECHATPAY_PUBLIC_KEY, optional
//! WECHATPAY_BASE_URL) it sends the same request there instead.

use serde_json::json;
use wechatpay::Method;
use wechatpay::mock::MockServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the mock alive while the client uses it.
    let mut _mock = None;
    let client = if std::env::var_os("WECHATPAY_MCHID").is_some() {
        wechatpay::Client::from_env()?
    } else {
        let mock = MockServer::start();
        mock.route(
            Method::POST,
            "/v3/parking/reminders/ext-payment",
            204,
            serde_json::Value::Null,
        );
        println!(
            "no WECHATPAY_MCHID in the environment: using the embedded mock at {}",
            mock.base_url()
        );
        let client = mock.client();
        _mock = Some(mock);
        client
    };

    let res = client
        .chain("v3/parking/reminders/ext-payment")
        .post(json!({
            "out_trade_no": "TRADE202407041530001",
            "fee_items": [{ "fee_type": "EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY", "amount": 5000 }],
            "pay_time": 1719128975,
            "wx_parking_lot_id": "21232735744117624001123604298240",
            "wx_trade_no": "4200001999202407041234567890"
        }))
        .await?;

    println!("status: {}", res.status().as_u16());
    println!("Request-ID: {}", res.request_id().unwrap_or("-"));
    println!("verified by: {}", res.verified_by().unwrap_or("-"));
    Ok(())
}
