//! The mock server cannot be held open or made to hoard memory: half-sent headers time out,
//! connections are capped, the request log is bounded, and multipart bodies are scanned in
//! linear time, only once the request's Authorization header checks out.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;
use wechatpay::Method;
use wechatpay::mock::{MCHID, MERCHANT_SERIAL, MockServer, keys};

/// Reads until the server closes the connection or `limit` passes; returns how long it took
/// to close, or `None` if it stayed open.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut buffer = [0u8; 1024];
    while started.elapsed() < limit {
        match stream.read(&mut buffer) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return Some(started.elapsed()),
        }
    }
    None
}

/// Sends an unsigned `GET /v3/certificates` on `stream` and reads the whole answer (the
/// mock answers 401: what matters is that it answers).
fn unsigned_get(mut stream: TcpStream) -> String {
    stream
        .write_all(b"GET /v3/certificates HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn a_half_sent_header_does_not_hold_a_connection_open() {
    let mock = MockServer::builder().header_timeout(Duration::from_millis(500)).start();
    let mut stream = TcpStream::connect(mock.addr()).unwrap();
    stream
        .write_all(b"GET /v3/certificates HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    let closed = closed_within(&mut stream, Duration::from_secs(15));
    assert!(closed.is_some(), "the connection was still open after 15 s");
}

/// A client that connects and then is slow to write (one busy signing a thousand other
/// requests, on a loaded machine) is still answered: the default header timeout is
/// generous. It was 5 s, and a thousand concurrent requests on a 2-core CI machine lost one.
#[test]
fn a_client_slow_to_send_its_first_request_is_still_answered() {
    let mock = MockServer::start();
    let stream = TcpStream::connect(mock.addr()).unwrap();
    std::thread::sleep(Duration::from_secs(6));
    let answer = unsigned_get(stream);
    assert!(answer.starts_with("HTTP/1.1 401"), "answer: {answer:?}");
}

/// A mock that stopped leaves its port free for the next one at once, even with its
/// connections in TIME_WAIT (as `wechatpay mock serve --port N` restarted would).
#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_mocks_port_can_be_bound_again_at_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let first = MockServer::builder().port(port).start();
    first.route(Method::GET, "/v3/ping", 200, Value::Null);
    let client = first.client();
    client.chain("v3/ping").get().await.unwrap();
    // The mock closes the connection the client keeps: TIME_WAIT is on the mock's side.
    drop(first);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = MockServer::builder().port(port).try_start();
    assert!(second.is_ok(), "{:?}", second.err());
}

/// A port in use is an error from `try_start`, in async code too (not a panic).
#[tokio::test]
async fn a_taken_port_is_an_error_inside_a_runtime() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let result = MockServer::builder()
        .port(taken.local_addr().unwrap().port())
        .try_start();
    assert_eq!(result.err().map(|e| e.kind()), Some(std::io::ErrorKind::AddrInUse));
}

/// A header timeout too long for the clock to add (`Duration::MAX`) is taken as a day, not
/// a panic in every connection.
#[test]
fn a_header_timeout_of_duration_max_still_serves() {
    let mock = MockServer::builder().header_timeout(Duration::MAX).start();
    let answer = unsigned_get(TcpStream::connect(mock.addr()).unwrap());
    assert!(answer.starts_with("HTTP/1.1 401"), "answer: {answer:?}");
}

#[test]
fn connections_beyond_the_cap_are_closed_at_once() {
    const CAP: usize = 32;
    let mock = MockServer::builder().max_connections(CAP).start();
    // Idle connections up to the cap, held open...
    let _held: Vec<TcpStream> = (0..CAP).map(|_| TcpStream::connect(mock.addr()).unwrap()).collect();
    // ...then those beyond it are closed at once.
    for i in 0..10 {
        let mut extra = TcpStream::connect(mock.addr()).unwrap();
        let closed = closed_within(&mut extra, Duration::from_secs(2));
        assert!(closed.is_some(), "connection {} beyond the cap stayed open", i + 1);
    }
}

#[tokio::test]
async fn the_request_log_keeps_the_latest_requests_and_counts_the_others() {
    let mock = MockServer::builder().log_limits(1000, 1 << 20).start();
    mock.route(Method::GET, "/v3/ping", 200, Value::Null);
    let client = mock.client();
    for _ in 0..1100 {
        client.chain("v3/ping").get().await.unwrap();
    }
    let kept = mock.requests();
    assert!(kept.len() <= 1000, "{} requests kept", kept.len());
    assert_eq!(kept.len() as u64 + mock.dropped_requests(), 1100);
    assert_eq!(mock.requests_since(1099).len(), 1, "the newest is still there");

    // Bodies count too: 3 uploads of 512 KiB against a 1 MiB limit keep the last 2 (or fewer).
    let mock = MockServer::builder().log_limits(1000, 1 << 20).start();
    mock.route(
        Method::POST,
        "/v3/merchant/media/upload",
        200,
        serde_json::json!({"media_id": "m"}),
    );
    let client = mock.client();
    for _ in 0..3 {
        client
            .chain("v3/merchant/media/upload")
            .upload("a.png", vec![0u8; 512 << 10])
            .await
            .unwrap();
    }
    let held: usize = mock.requests().iter().map(|r| r.body.len()).sum();
    assert!(held <= 1 << 20, "{held} body bytes held");
    assert!(mock.dropped_requests() >= 1);
}

/// A multipart request with a huge boundary that never appears in its body: a quadratic
/// search would take minutes.
fn pathological_upload(authorization: &str) -> reqwest::RequestBuilder {
    let boundary = "b".repeat(60_000);
    let body = vec![b'a'; 4 << 20];
    reqwest::Client::new()
        .post("http://PLACEHOLDER/v3/merchant/media/upload")
        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
        .header("Authorization", authorization)
        .timeout(Duration::from_secs(10))
        .body(body)
}

async fn send(mock: &MockServer, request: reqwest::RequestBuilder) -> (u16, Duration) {
    let mut request = request.build().unwrap();
    let url = format!("{}v3/merchant/media/upload", mock.base_url());
    *request.url_mut() = url.parse().unwrap();
    let started = Instant::now();
    let response = reqwest::Client::new().execute(request).await.expect("answered in time");
    (response.status().as_u16(), started.elapsed())
}

#[tokio::test]
async fn a_pathological_multipart_body_is_refused_quickly_with_or_without_a_plausible_signature() {
    let mock = MockServer::start();
    // Without a plausible Authorization the body is never scanned.
    let (status, took) = send(&mock, pathological_upload("nonsense")).await;
    assert_eq!(status, 401);
    assert!(took < Duration::from_secs(5), "{took:?}");
    // With one (right merchant, serial and time, wrong signature) it is scanned, linearly.
    let signer = wechatpay::auth::signing::Signer::new(MCHID, MERCHANT_SERIAL, keys::MERCHANT_PRIVATE_KEY).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let authorization = signer
        .authorize_with(
            "POST",
            "/v3/merchant/media/upload",
            b"{}",
            now,
            "NONCE0000000000000000000000000000",
        )
        .unwrap();
    let (status, took) = send(&mock, pathological_upload(&authorization)).await;
    assert_eq!(status, 400);
    assert!(took < Duration::from_secs(5), "{took:?}");
}
