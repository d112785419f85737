//! Uploading an image (a merchant logo, a complaint screenshot) and printing its media_id,
//! against the embedded mock:
//!     cargo run --example upload

use serde_json::json;
use wechatpay::Method;
use wechatpay::mock::{MockReply, MockServer};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockServer::start();
    // Like the platform, the mock checks the signature over the meta part and that the
    // sha256 in meta matches the file; this route then answers a media_id.
    mock.route_fn(Method::POST, "/v3/merchant/media/upload", |req| {
        let sha256 = req
            .upload
            .as_ref()
            .and_then(|u| u.meta["sha256"].as_str())
            .unwrap_or("");
        MockReply::json(200, &json!({"media_id": format!("V1_{}", &sha256[..24])}))
    });
    let client = mock.client();

    // A 1x1 PNG; read yours with std::fs::read, or stream a large file with .upload_file(path).
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";
    let res = client
        .chain("v3/merchant/media/upload")
        .upload("logo.png", png.to_vec())
        .await?;
    let media_id = res.json::<serde_json::Value>()?["media_id"].clone();
    println!("media_id: {}", media_id.as_str().unwrap_or("-"));

    let sent = &mock.requests()[0];
    let meta = sent
        .upload
        .as_ref()
        .map(|u| String::from_utf8_lossy(&u.meta_text).into_owned());
    println!("signed meta: {}", meta.unwrap_or_default());
    Ok(())
}
