//! `--transport raw`: the same workload without an HTTP library, to measure the floor.
//!
//! Each task owns one keep-alive TCP connection and writes HTTP/1.1 by hand: it signs with
//! `Signer::authorize_with`, sends the request in one write, reads the answer (status line,
//! headers, `Content-Length` body), verifies it with `auth::verify::verify` and, for `get`,
//! parses the JSON order. That is the least work any APIv3 client has to do per request,
//! so the CPU it takes bounds what a real client (retries, timeouts, TLS, proxies, pooling,
//! chunked bodies) can reach. It speaks only to the mock: plain HTTP, `Content-Length`
//! answers, no pipelining.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wechatpay::auth::PlatformKeys;
use wechatpay::auth::signing::Signer;

use super::{TaskResults, gather};

/// What every raw request of one run shares.
pub struct Raw {
    pub address: String,
    pub host: String,
    pub method: &'static str,
    pub target: String,
    /// `None` for a GET; the JSON value is serialised for every request, as the client does.
    pub body: Option<Value>,
    pub signer: Signer,
    pub keys: PlatformKeys,
    pub serial: String,
    /// The `out_trade_no` the `get` answer must carry; `None` for `seed` (a 204).
    pub expect_order: Option<&'static str>,
}

/// Runs `n` requests over `c` connections. A task stops at its first error (its
/// connection's state is unknown); the requests it left are taken by the others, and those
/// no task could send count as one more error.
pub async fn run(raw: Arc<Raw>, n: usize, c: usize) -> TaskResults {
    let next = Arc::new(AtomicUsize::new(0));
    let tasks = (0..c.min(n))
        .map(|_| {
            let (raw, next) = (raw.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = Vec::new();
                let mut stream = match TcpStream::connect(&raw.address).await {
                    Ok(stream) => stream,
                    Err(e) => return (latencies, vec![format!("connect: {e}")]),
                };
                let _ = stream.set_nodelay(true);
                let mut buffer = Vec::with_capacity(4096);
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    let start = Instant::now();
                    match one(&raw, &mut stream, &mut buffer).await {
                        Ok(()) => latencies.push(start.elapsed().as_micros() as u64),
                        Err(e) => {
                            errors.push(e);
                            break; // the connection's state is unknown
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let (latencies, mut errors) = gather(tasks, n).await;
    let done = latencies.len() + errors.len();
    if done < n {
        errors.push(format!("{} requests not sent: every connection failed", n - done));
    }
    (latencies, errors)
}

async fn one(raw: &Raw, stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<(), String> {
    let body = match &raw.body {
        Some(value) => serde_json::to_vec(value).map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs() as i64;
    let nonce = wechatpay::auth::signing::nonce().map_err(|e| e.to_string())?;
    let authorization = raw
        .signer
        .authorize_with(raw.method, &raw.target, &body, timestamp, &nonce)
        .map_err(|e| e.to_string())?;
    let mut request = Vec::with_capacity(512 + body.len());
    request.extend_from_slice(
        format!(
            "{} {} HTTP/1.1\r\nhost: {}\r\naccept: application/json\r\nuser-agent: loadgen-raw\r\nwechatpay-serial: {}\r\nauthorization: {authorization}\r\n",
            raw.method, raw.target, raw.host, raw.serial
        )
        .as_bytes(),
    );
    if raw.body.is_some() {
        request.extend_from_slice(
            format!("content-type: application/json\r\ncontent-length: {}\r\n", body.len()).as_bytes(),
        );
    }
    request.extend_from_slice(b"\r\n");
    request.extend_from_slice(&body);
    stream.write_all(&request).await.map_err(|e| e.to_string())?;

    let (status, headers, body) = read_answer(stream, buffer).await?;
    wechatpay::auth::verify::verify(&headers, &body, timestamp, &raw.keys).map_err(|e| e.to_string())?;
    match raw.expect_order {
        None if status == 204 => Ok(()),
        Some(out_trade_no) if status == 200 => {
            let order: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
            if order["out_trade_no"] == out_trade_no {
                Ok(())
            } else {
                Err(format!("unexpected order {order}"))
            }
        }
        _ => Err(format!("status {status}")),
    }
}

/// Reads one answer: the head up to the blank line, then `Content-Length` bytes of body.
async fn read_answer(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<(u16, HeaderMap, Vec<u8>), String> {
    buffer.clear();
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        read_more(stream, buffer).await?;
    };
    let head = std::str::from_utf8(&buffer[..head_end]).map_err(|_| "a head that is not UTF-8".to_owned())?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| "a malformed status line".to_owned())?;
    let mut headers = HeaderMap::new();
    let mut length = 0usize;
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("a malformed header {line:?}"))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().map_err(|_| "a malformed Content-Length".to_owned())?;
        }
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        let value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
        headers.append(name, value);
    }
    let body_start = head_end + 4;
    if length > 16 << 20 {
        return Err(format!("a Content-Length of {length} bytes"));
    }
    while buffer.len() < body_start + length {
        read_more(stream, buffer).await?;
    }
    Ok((status, headers, buffer[body_start..body_start + length].to_vec()))
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<(), String> {
    buffer.reserve(4096);
    let read = stream.read_buf(buffer).await.map_err(|e| e.to_string())?;
    if read == 0 {
        return Err("the mock closed the connection".into());
    }
    Ok(())
}
