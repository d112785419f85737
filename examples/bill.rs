//! A trade bill: apply, download, verify the digest, write it to a file; against the mock:
//!     cargo run --example bill

use wechatpay::mock::{MockFile, MockServer};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = MockServer::start();
    mock.serve_bill(MockFile::generated(8 * 1024 * 1024));
    let client = mock.client();

    // Step 1: apply. The answer names the download URL and the file's digest.
    let apply: serde_json::Value = client
        .chain("v3/bill/tradebill")
        .get()
        .query("bill_date", "2026-11-25")
        .await?
        .json()?;
    println!(
        "apply: hash_type {} hash_value {}",
        apply["hash_type"], apply["hash_value"]
    );

    // Step 2: a signed GET of that URL (only ever on the API host), streamed to a file under
    // a temporary name and renamed into place once the digest matched.
    let target = std::env::temp_dir().join("tradebill-2026-11-25.csv");
    let download = client.bill(&apply)?.download_to_file(&target).await?;
    println!(
        "downloaded {} bytes to {}, SHA-1 {} verified",
        download.bytes(),
        target.display(),
        download.sha1()
    );
    std::fs::remove_file(&target)?;

    // A corrupted transfer fails the digest check and leaves nothing under the target name.
    let corrupted = MockServer::start();
    let apply = corrupted.serve_bill(MockFile::generated(1024 * 1024).corrupt_byte(4242));
    let err = corrupted
        .client()
        .bill(&apply)?
        .download_to_file(&target)
        .await
        .unwrap_err();
    println!("corrupted transfer: {err}; file left behind: {}", target.exists());
    Ok(())
}
