//! A webhook receiver for WeChat Pay callbacks with axum, driven end to end by the mock:
//!     cargo run --example notify_axum
//!
//! The handler takes the raw body bytes (never a parsed and re-serialised copy), verifies and
//! decrypts the callback, and answers 204, or 4xx `{"code":"FAIL","message":...}` so that the
//! platform sends it again later.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;
use wechatpay::mock::{Fault, MockServer};

async fn notify(State(client): State<wechatpay::Client>, headers: HeaderMap, body: Bytes) -> Response {
    match client.notifications().parse(&headers, &body).await {
        Ok(notification) => {
            // Handle the event idempotently: the same callback can arrive more than once.
            println!(
                "receiver: {} {} verified by {}: {}",
                notification.id(),
                notification.event_type(),
                notification.verified_by(),
                notification.resource()["out_trade_no"]
            );
            StatusCode::NO_CONTENT.into_response()
        }
        Err(err) => {
            println!("receiver: refused: {err}");
            let body = axum::Json(json!({"code": "FAIL", "message": err.to_string()}));
            (StatusCode::BAD_REQUEST, body).into_response()
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The mock plays the platform; its client holds the matching keys and APIv3 key.
    let mock = MockServer::start();
    let app = Router::new().route("/notify", post(notify)).with_state(mock.client());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/notify", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let transaction = json!({"out_trade_no": "1217752501201407033233368018", "trade_state": "SUCCESS"});
    let status = mock.notify(&url, "TRANSACTION.SUCCESS", &transaction).await?;
    println!("platform: genuine callback answered {status}");

    mock.set_fault(Some(Fault::TamperBody));
    let status = mock.notify(&url, "TRANSACTION.SUCCESS", &transaction).await?;
    println!("platform: tampered callback answered {status}");
    Ok(())
}
