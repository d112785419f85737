//! A 200 MiB bill streamed to a file in constant memory: this test binary reads its own
//! peak resident set size (VmHWM) before and after, so nothing else shares its process.

use wechatpay::mock::{MockFile, MockServer};

const SIZE: u64 = 200 * 1024 * 1024;
const MAX_GROWTH_KIB: u64 = 32 * 1024;

/// Peak resident set size of this process, in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_mib_bill_downloads_with_its_digest_checked_in_constant_memory() {
    let mock = MockServer::start();
    let apply = mock.serve_bill(MockFile::generated(SIZE));
    let client = mock.client();
    let dir = std::env::temp_dir().join(format!("wechatpay-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("tradebill.csv");

    // Warm up the connection pool, the runtime and the mock with a small download (not the
    // big one: the peak it reached would hide the growth being measured).
    mock.serve_file("/v3/transferdownload/signfile", MockFile::generated(1 << 20));
    client
        .chain("v3/transferdownload/signfile")
        .get()
        .download(&mut tokio::io::sink())
        .await
        .unwrap();
    let Some(before) = peak_rss_kib() else {
        eprintln!("no /proc/self/status here: memory not measured");
        return;
    };
    let download = client.bill(&apply).unwrap().download_to_file(&target).await.unwrap();
    let after = peak_rss_kib().unwrap();

    assert_eq!(download.bytes(), SIZE);
    assert_eq!(std::fs::metadata(&target).unwrap().len(), SIZE);
    std::fs::remove_dir_all(&dir).unwrap();
    let growth = after.saturating_sub(before);
    eprintln!(
        "peak RSS {before} KiB -> {after} KiB (+{growth} KiB) for a {} MiB download",
        SIZE >> 20
    );
    assert!(growth < MAX_GROWTH_KIB, "peak RSS grew by {growth} KiB");
}
