//! Encrypting sensitive fields (names, phone numbers, ID and bank account numbers) for a
//! request, against the mock:
//!     cargo run --example sensitive

use serde_json::json;
use wechatpay::Method;
use wechatpay::mock::MockServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockServer::start();
    mock.route(
        Method::POST,
        "/v3/profitsharing/receivers/add",
        200,
        json!({"type": "PERSONAL_OPENID"}),
    );
    let client = mock.client();

    // Name the fields; the client encrypts them with its preferred platform key just before
    // signing, and sends Wechatpay-Serial naming that key.
    client
        .chain("v3/profitsharing/receivers/add")
        .post(json!({
            "appid": "wx8888888888888888",
            "type": "PERSONAL_OPENID",
            "account": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
            "name": "张三",
            "relation_type": "PARTNER"
        }))
        .encrypt("/name")
        .await?;

    // Or encrypt by hand and declare it, when the value is built elsewhere.
    let name = client.encrypt("李四")?;
    client
        .chain("v3/profitsharing/receivers/add")
        .post(json!({"type": "PERSONAL_OPENID", "account": "o-MYE42l80oelYMDE34nYD456Xoy", "name": &name}))
        .with_encrypted(&name)
        .await?;

    for req in mock.requests() {
        let serial = req.header("wechatpay-serial").unwrap_or("-").to_owned();
        let sent = req.body_json()["name"].as_str().unwrap_or("").to_owned();
        println!("sent Wechatpay-Serial {serial}, name {}...", &sent[..24]);
        println!("  the platform decrypts it to {}", mock.decrypt_field(&sent, &serial)?);
    }
    Ok(())
}
