//! A gzip bill that inflates far beyond its size (a "gzip bomb"): inflated in bounded
//! pieces, stopped at the inflation cap with its own error, and never filling the disk before
//! the digest is known. This test binary reads its own peak resident set size, so nothing
//! else shares its process.

use std::io::Write as _;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wechatpay::Error;
use wechatpay::error::BodyError;
use wechatpay::mock::{MockFile, MockServer};

/// What the bomb inflates to.
const INFLATED: u64 = 256 * 1024 * 1024;

/// `INFLATED` zero bytes, gzip-compressed (about 250 KiB).
fn bomb() -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..INFLATED >> 20 {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

/// A writer that keeps nothing: it counts the bytes and remembers the largest write.
#[derive(Default)]
struct Recording {
    written: u64,
    largest: usize,
}

impl AsyncWrite for Recording {
    fn poll_write(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.written += buf.len() as u64;
        self.largest = self.largest.max(buf.len());
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Peak resident set size of this process, in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

const MIB: u64 = 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb_inflates_in_bounded_writes_and_stops_at_the_cap() {
    let bomb = bomb();
    let mock = MockServer::start();
    let apply = mock.serve_bill(MockFile::bytes(bomb.clone()));
    let client = mock.client();
    let before = peak_rss_kib();

    // By default the inflated size is capped: the bomb stops there, with its own error.
    let mut writer = Recording::default();
    let err = client
        .bill(&apply)
        .unwrap()
        .gunzip()
        .download(&mut writer)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Body(BodyError::InflatedTooLarge { .. })),
        "{err:?}"
    );
    assert!(
        writer.written < INFLATED / 2,
        "{} bytes reached the writer",
        writer.written
    );
    assert!(
        writer.largest <= 2 * MIB as usize,
        "one write of {} bytes",
        writer.largest
    );

    // With a wrong digest the transfer still stops at the cap, not after everything was written.
    let mut wrong = apply.clone();
    wrong["hash_value"] = "0000000000000000000000000000000000000000".into();
    let mut writer = Recording::default();
    let err = client
        .bill(&wrong)
        .unwrap()
        .gunzip()
        .download(&mut writer)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Body(BodyError::InflatedTooLarge { .. })),
        "{err:?}"
    );
    assert!(writer.written < INFLATED / 2);

    // Allowed explicitly, the whole file inflates, still in bounded writes and memory.
    let mut writer = Recording::default();
    let download = client
        .bill(&apply)
        .unwrap()
        .gunzip()
        .max_inflated_bytes(INFLATED)
        .download(&mut writer)
        .await
        .unwrap();
    assert_eq!((download.bytes(), writer.written), (bomb.len() as u64, INFLATED));
    assert!(
        writer.largest <= 2 * MIB as usize,
        "one write of {} bytes",
        writer.largest
    );
    // One byte less than the file inflates to is refused.
    let err = client
        .bill(&apply)
        .unwrap()
        .gunzip()
        .max_inflated_bytes(INFLATED - 1)
        .download(&mut Recording::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Body(BodyError::InflatedTooLarge { limit }) if limit == INFLATED - 1),
        "{err:?}"
    );

    if let (Some(before), Some(after)) = (before, peak_rss_kib()) {
        let growth = after.saturating_sub(before);
        eprintln!(
            "peak RSS {before} KiB -> {after} KiB (+{growth} KiB) inflating {} MiB",
            INFLATED / MIB
        );
        assert!(growth < 16 * 1024, "peak RSS grew by {growth} KiB");
    }
}

#[tokio::test]
async fn a_gzip_bomb_to_a_file_leaves_no_file_and_stops_at_the_cap() {
    let mock = MockServer::start();
    let apply = mock.serve_bill(MockFile::bytes(bomb()));
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bill.csv");
    let err = mock
        .client()
        .bill(&apply)
        .unwrap()
        .gunzip()
        .download_to_file(&target)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Body(BodyError::InflatedTooLarge { .. })),
        "{err:?}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file, whole or partial"
    );
}
