//! `wechatpay mock notify`: sample callbacks round-trip through `wechatpay notify parse`,
//! print in the headers-file format, and reach a server the test starts (a tiny HTTP/1.1
//! server on 127.0.0.1 that answers one request). Also what `notify parse` says when a
//! callback does not decrypt or does not verify.

#![cfg(feature = "cli")]

mod support;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use support::{WECHATPAY_VARS, sandbox_env};
use wechatpay::mock::{self, MockServer};

const BIN: &str = env!("CARGO_BIN_EXE_wechatpay");
const FAILURE: i32 = 1;
const USAGE: i32 = 2;
const VERIFICATION_FAILURE: i32 = 5;

/// A folder with the sandbox's keys (as `mock serve --keys-dir` writes them) and its
/// settings.
struct Keys {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Keys {
    fn new() -> Keys {
        let dir = tempfile::tempdir().unwrap();
        let files = MockServer::start().write_keys(dir.path().join("keys")).unwrap();
        Keys {
            env: sandbox_env(&files.env_sh),
            dir,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary with the sandbox's settings and no others.
    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(BIN);
        for name in WECHATPAY_VARS {
            cmd.env_remove(name);
        }
        cmd.env("XDG_CONFIG_HOME", self.dir.path())
            .envs(self.env.iter().cloned())
            .timeout(Duration::from_secs(60));
        cmd
    }

    /// `notify parse` of two files.
    fn parse(&self, headers: &Path, body: &Path) -> assert_cmd::Command {
        let mut cmd = self.cmd();
        cmd.args(["notify", "parse", "--headers"])
            .arg(headers)
            .arg("--body")
            .arg(body);
        cmd
    }

    /// `mock notify ARGS --out-headers H --out-body B`; returns the two files.
    fn write(&self, args: &[&str]) -> (PathBuf, PathBuf) {
        let (headers, body) = (self.path("cb.headers"), self.path("cb.body"));
        self.cmd()
            .args(["mock", "notify"])
            .args(args)
            .arg("--out-headers")
            .arg(&headers)
            .arg("--out-body")
            .arg(&body)
            .assert()
            .success();
        (headers, body)
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn samples_round_trip_through_notify_parse_in_both_modes() {
    let keys = Keys::new();
    for (args, event, key) in [
        (
            vec!["--event", "TRANSACTION.SUCCESS"],
            "TRANSACTION.SUCCESS",
            mock::PLATFORM_PUBLIC_KEY_ID,
        ),
        (
            vec!["--event", "REFUND.SUCCESS", "--mode", "certificate"],
            "REFUND.SUCCESS",
            mock::PLATFORM_CERTIFICATE_SERIAL,
        ),
    ] {
        let (headers, body) = keys.write(&args);
        let out = keys.parse(&headers, &body).assert().success().get_output().clone();
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(printed, mock::sample_resource(event).unwrap());
        let stderr = text(&out.stderr);
        assert!(stderr.contains(&format!("event: {event}")), "{stderr}");
        assert!(stderr.contains(&format!("verified by: {key}")), "{stderr}");
    }
}

#[test]
fn a_given_resource_and_time_round_trip_too() {
    let keys = Keys::new();
    let resource = json!({"out_trade_no": "T1", "trade_state": "SUCCESS", "amount": {"total": 1}});
    let file = keys.path("resource.json");
    std::fs::write(&file, resource.to_string()).unwrap();
    let from_file = format!("@{}", file.display());
    let (headers, body) = keys.write(&["--resource", &from_file, "--at", "1719128975"]);
    keys.parse(&headers, &body).assert().code(VERIFICATION_FAILURE);
    let out = keys
        .parse(&headers, &body)
        .args(["--at", "1719129000"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap(), resource);

    let inline = r#"{"stock_id": "9856000"}"#;
    let (headers, body) = keys.write(&["--event", "coupon.use", "--resource", inline]);
    let out = keys.parse(&headers, &body).assert().success().get_output().clone();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        json!({"stock_id": "9856000"})
    );
    assert!(text(&out.stderr).contains("event: COUPON.USE"));
}

#[test]
fn stdout_holds_the_headers_a_blank_line_and_the_body() {
    let keys = Keys::new();
    let out = keys
        .cmd()
        .args(["mock", "notify", "--event", "REFUND.SUCCESS"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = text(&out.stdout);
    let (headers, body) = stdout.split_once("\n\n").expect("a blank line after the headers");
    for name in [
        "Wechatpay-Timestamp",
        "Wechatpay-Nonce",
        "Wechatpay-Signature",
        "Wechatpay-Serial",
        "Wechatpay-Signature-Type",
        "Content-Type",
    ] {
        assert!(
            headers.lines().any(|l| l.starts_with(&format!("{name}: "))),
            "{headers}"
        );
    }
    let envelope: Value = serde_json::from_str(body).unwrap();
    assert_eq!(envelope["event_type"], "REFUND.SUCCESS");
    assert_eq!(envelope["resource"]["algorithm"], "AEAD_AES_256_GCM");
    assert!(
        !body.contains("REFUND202407041600001"),
        "the resource travels encrypted"
    );
    // Both parts, saved as they are, verify.
    std::fs::write(keys.path("h"), headers).unwrap();
    std::fs::write(keys.path("b"), body).unwrap();
    keys.parse(&keys.path("h"), &keys.path("b")).assert().success();
}

#[test]
fn bad_input_is_a_usage_error() {
    let keys = Keys::new();
    for (args, said) in [
        (vec!["--event", "NO SUCH EVENT"], "is not an event type"),
        (vec!["--event", "COUPON.USE"], "no sample resource for COUPON.USE"),
        (vec!["--resource", "[1]"], "must be a JSON object"),
        (vec!["--resource", "{oops"], "is not JSON"),
        (vec!["--v2", "--event", "COUPON.USE"], "with --v2, --event is"),
        (
            vec!["--v2", "--resource", r#"{"detail": {"a": 1}}"#],
            "object or array value",
        ),
        (vec!["--url", "ftp://127.0.0.1/notify"], "http:// or https://"),
        (vec!["--v2", "--mode", "certificate"], "cannot be used with"),
        (vec!["--out-headers", "h"], "--out-body"),
    ] {
        let out = keys
            .cmd()
            .args(["mock", "notify"])
            .args(&args)
            .assert()
            .code(USAGE)
            .get_output()
            .clone();
        let stderr = text(&out.stderr);
        assert!(stderr.contains(said), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// What the tiny server received.
struct Received {
    request_line: String,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// Serves one request on 127.0.0.1 with `status` and `answer`; returns the URL and the
/// thread that hands back what it received.
fn serve_once(status: &'static str, answer: &'static [u8]) -> (String, std::thread::JoinHandle<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/wechatpay/notify", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut headers = http::HeaderMap::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.append(
                http::HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
                http::HeaderValue::from_str(value.trim()).unwrap(),
            );
        }
        let length: usize = headers["content-length"].to_str().unwrap().parse().unwrap();
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let mut stream = stream;
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            answer.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(answer).unwrap();
        Received {
            request_line,
            headers,
            body,
        }
    });
    (url, handle)
}

#[tokio::test(flavor = "multi_thread")]
async fn url_posts_the_callback_and_prints_the_answer_escaped() {
    let keys = Keys::new();
    let (url, server) = serve_once(
        "500 Internal Server Error",
        b"{\"code\":\"FAIL\",\"message\":\"\x1b[31mno\"}",
    );
    let out = keys
        .cmd()
        .args(["mock", "notify", "--event", "TRANSACTION.SUCCESS", "--url", &url])
        .assert()
        .code(FAILURE)
        .get_output()
        .clone();
    let received = server.join().unwrap();
    assert!(
        received.request_line.starts_with("POST /wechatpay/notify HTTP/1.1"),
        "{}",
        received.request_line
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("status: 500 Internal Server Error"), "{stdout}");
    assert!(
        stdout.contains(r#"{"code":"FAIL","message":"\u{1b}[31mno"}"#),
        "{stdout}"
    );
    assert!(!stdout.contains('\u{1b}'), "escaped: {stdout:?}");
    assert!(text(&out.stderr).contains("would send it again"));
    // What the server received is a callback the library verifies.
    let client = MockServer::start().client();
    let notification = client
        .notifications()
        .parse(&received.headers, &received.body)
        .await
        .unwrap();
    assert_eq!(
        notification.resource(),
        &mock::sample_resource("TRANSACTION.SUCCESS").unwrap()
    );

    let (url, server) = serve_once("204 No Content", b"");
    let out = keys
        .cmd()
        .args(["mock", "notify", "--url", &url])
        .assert()
        .success()
        .get_output()
        .clone();
    server.join().unwrap();
    assert!(text(&out.stdout).contains("status: 204 No Content"));
    assert!(text(&out.stderr).contains("accepted"));
}

/// A receiver on 127.0.0.1 that reads the start of one request and writes what `answer`
/// writes, raw; returns its URL and its thread.
fn answer_raw(answer: impl FnOnce(&mut std::net::TcpStream) + Send + 'static) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 65536];
        let _ = stream.read(&mut request);
        answer(&mut stream);
    });
    (url, server)
}

/// A receiver that answers without end is read only so far: 64 KiB of its answer, of which
/// the start is shown, and the command ends (it read until its 30 s timeout, then showed nothing).
#[test]
fn url_reads_an_endless_answer_only_so_far() {
    let keys = Keys::new();
    let (url, server) = answer_raw(|stream| {
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n")
            .unwrap();
        let chunk = [b'x'; 16384];
        // Until the client hangs up.
        while stream.write_all(&chunk).is_ok() {}
    });
    let out = keys
        .cmd()
        .args(["mock", "notify", "--url", &url])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    server.join().unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.contains("status: 200 OK"), "{}", text(&out.stderr));
    let shown = stdout.lines().nth(1).unwrap_or_default();
    let limit = wechatpay::protocol::v2::MAX_DISPLAY_CHARS;
    let expected = format!("{}... ({} more characters)", "x".repeat(limit), 64 * 1024 - limit);
    assert_eq!(shown, expected, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("only its first 65536 bytes were read"),
        "{}",
        text(&out.stderr)
    );
}

/// An answer that breaks off is shown as far as it came, said to have broken off, and not
/// taken as accepted (exit 1).
#[test]
fn url_says_when_the_answer_broke_off() {
    let keys = Keys::new();
    let (url, server) = answer_raw(|stream| {
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            .unwrap();
        // Closed with 90 bytes missing.
    });
    let out = keys.cmd().args(["mock", "notify", "--url", &url]).output().unwrap();
    server.join().unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.contains("status: 200 OK\n0123456789"), "{stdout}");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("the answer broke off after 10 bytes"), "{stderr}");
    assert!(
        stderr.contains("not accepted") && !stderr.contains("\naccepted"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(FAILURE), "{stderr}");
}

#[test]
fn url_reports_a_receiver_that_is_not_there() {
    let keys = Keys::new();
    // A port that was free a moment ago.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/notify");
    let out = keys
        .cmd()
        .args(["mock", "notify", "--url", &url])
        .assert()
        .code(6)
        .get_output()
        .clone();
    assert!(text(&out.stderr).contains("cannot POST to"), "{}", text(&out.stderr));
}

#[test]
fn v2_callbacks_verify_and_reach_a_server() {
    let keys = Keys::new();
    let client = MockServer::start().client();
    for args in [vec!["--v2"], vec!["--v2", "--sign-type", "HMAC-SHA256"]] {
        let (_, body) = keys.write(&args);
        let fields = client.notifications().parse_v2(&std::fs::read(&body).unwrap()).unwrap();
        assert_eq!(fields["result_code"], "SUCCESS");
    }
    let (url, server) = serve_once("200 OK", wechatpay::notify::V2_SUCCESS_REPLY.as_bytes());
    keys.cmd()
        .args(["mock", "notify", "--v2", "--event", "REFUND", "--url", &url])
        .assert()
        .success();
    let received = server.join().unwrap();
    assert_eq!(received.headers["content-type"], "text/xml; charset=utf-8");
    let refund = client.notifications().parse_v2_refund(&received.body).unwrap();
    assert_eq!(refund.refund, mock::sample_v2_refund_fields());
}

/// `notify parse` reads the APIv2 callbacks `mock notify --v2` writes: a payment result
/// verified with the APIv2 key (MD5 or HMAC-SHA256), a refund result decrypted; `--headers`
/// is not needed for them.
#[test]
fn notify_parse_reads_v2_callbacks() {
    let keys = Keys::new();
    for (args, algorithm) in [
        (vec!["--v2"], "MD5"),
        (vec!["--v2", "--sign-type", "HMAC-SHA256"], "HMAC-SHA256"),
    ] {
        let (_, body) = keys.write(&args);
        let out = keys
            .cmd()
            .args(["notify", "parse", "--body"])
            .arg(&body)
            .assert()
            .success()
            .get_output()
            .clone();
        let fields: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(fields["result_code"], "SUCCESS");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(&format!("sign verified ({algorithm})")), "{stderr}");
    }
    // An empty req_info, outside the signature, added to a payment result changes nothing.
    let (_, body) = keys.write(&["--v2"]);
    let signed = std::fs::read_to_string(&body).unwrap();
    std::fs::write(&body, signed.replace("</xml>", "<req_info></req_info></xml>")).unwrap();
    keys.cmd()
        .args(["notify", "parse", "--body"])
        .arg(&body)
        .assert()
        .success();

    let (headers, body) = keys.write(&["--v2", "--event", "REFUND"]);
    let out = keys.parse(&headers, &body).assert().success().get_output().clone();
    let refund: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(refund, mock::sample_v2_refund_fields());
    assert!(
        text(&out.stderr).contains("confirm the refund with a query"),
        "{}",
        text(&out.stderr)
    );
}

/// A v2 callback altered after signing, or read with another APIv2 key, is refused with
/// exit 5 and nothing on standard output.
#[test]
fn notify_parse_refuses_an_altered_v2_callback() {
    let keys = Keys::new();
    let (_, body) = keys.write(&["--v2"]);
    let signed = std::fs::read_to_string(&body).unwrap();
    std::fs::write(&body, signed.replacen("<total_fee>", "<total_fee>1", 1)).unwrap();
    assert_ne!(
        std::fs::read_to_string(&body).unwrap(),
        signed,
        "the sample has a total_fee"
    );
    let out = keys
        .cmd()
        .args(["notify", "parse", "--body"])
        .arg(&body)
        .assert()
        .code(VERIFICATION_FAILURE)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("do not act on it"), "{}", text(&out.stderr));

    let (_, body) = keys.write(&["--v2", "--event", "REFUND"]);
    let out = keys
        .cmd()
        .args(["notify", "parse", "--body"])
        .arg(&body)
        .env("WECHATPAY_APIV2_KEY", "0123456789abcdef0123456789abcdef")
        .assert()
        .code(VERIFICATION_FAILURE)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("APIv2 key"), "{}", text(&out.stderr));
}

/// An APIv2 callback saved with a byte order mark is still read as one.
#[test]
fn notify_parse_reads_a_v2_callback_with_a_byte_order_mark() {
    let keys = Keys::new();
    let (_, body) = keys.write(&["--v2"]);
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(std::fs::read(&body).unwrap());
    std::fs::write(&body, bytes).unwrap();
    keys.cmd()
        .args(["notify", "parse", "--body"])
        .arg(&body)
        .assert()
        .success();
}

/// An APIv3 callback still needs its headers.
#[test]
fn notify_parse_of_a_v3_callback_needs_the_headers() {
    let keys = Keys::new();
    let (_, body) = keys.write(&["--event", "TRANSACTION.SUCCESS"]);
    let out = keys
        .cmd()
        .args(["notify", "parse", "--body"])
        .arg(&body)
        .assert()
        .code(USAGE)
        .get_output()
        .clone();
    assert!(text(&out.stderr).contains("--headers"), "{}", text(&out.stderr));
}

#[test]
fn notify_parse_says_the_apiv3_key_when_the_resource_does_not_decrypt() {
    let keys = Keys::new();
    let (headers, body) = keys.write(&["--event", "TRANSACTION.SUCCESS"]);
    let out = keys
        .parse(&headers, &body)
        .env("WECHATPAY_APIV3_KEY", "0123456789abcdef0123456789abcdef")
        .assert()
        .code(VERIFICATION_FAILURE)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("signature verified, but its resource could not be decrypted"),
        "{stderr}"
    );
    assert!(stderr.contains("APIv3 key configured does not match"), "{stderr}");
    assert!(stderr.contains("or the body was changed"), "{stderr}");
    assert!(stderr.contains("hint: check the 32-character APIv3 key"), "{stderr}");
    assert!(!stderr.contains("clock"), "no clock problem here: {stderr}");
}

#[test]
fn notify_parse_says_the_body_must_be_the_bytes_received() {
    let keys = Keys::new();
    let (headers, body) = keys.write(&["--event", "REFUND.SUCCESS"]);
    // A framework that parsed the JSON and wrote it again, pretty.
    let envelope: Value = serde_json::from_slice(&std::fs::read(&body).unwrap()).unwrap();
    std::fs::write(&body, serde_json::to_string_pretty(&envelope).unwrap()).unwrap();
    let out = keys
        .parse(&headers, &body)
        .assert()
        .code(VERIFICATION_FAILURE)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("signature verification failed"), "{stderr}");
    assert!(stderr.contains("the body must be the exact bytes received"), "{stderr}");
    assert!(stderr.contains("it looks pretty-printed"), "{stderr}");
    assert!(stderr.contains("hint: save the raw request body"), "{stderr}");
    assert!(!stderr.contains("clock"), "no clock problem here: {stderr}");
}

#[test]
fn notify_parse_escapes_the_verified_callbacks_text_before_the_terminal() {
    let keys = Keys::new();
    // Signed by the platform key, so it verifies: still, its text is the network's.
    let sample = mock::sample_notification("TRANSACTION.SUCCESS", None, mock::SigningMode::PublicKey).unwrap();
    let mut envelope: Value = serde_json::from_slice(sample.body()).unwrap();
    envelope["summary"] = json!("支付成功\u{1b}[2J\u{202e}");
    let (signed, bytes) = MockServer::start().signed_body(&serde_json::to_vec(&envelope).unwrap());
    let lines: String = signed
        .iter()
        .map(|(name, value)| format!("{name}: {}\n", value.to_str().unwrap()))
        .collect();
    let (headers, body) = (keys.path("evil.headers"), keys.path("evil.body"));
    std::fs::write(&headers, lines).unwrap();
    std::fs::write(&body, &bytes).unwrap();
    let out = keys.parse(&headers, &body).assert().success().get_output().clone();
    let stderr = text(&out.stderr);
    assert!(stderr.contains("summary: 支付成功"), "{stderr}");
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'), "{stderr:?}");
}

/// Out-of-range input is a usage error, not a panic; messages name the command typed.
#[test]
fn odd_input_to_mock_notify_is_a_usage_error() {
    let keys = Keys::new();
    let out = keys
        .cmd()
        .args(["mock", "notify", "--at", "9223372036854775807"])
        .assert()
        .code(USAGE)
        .get_output()
        .clone();
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
    let out = keys
        .cmd()
        .args(["--mchid", "1", "mock", "notify"])
        .assert()
        .code(USAGE)
        .get_output()
        .clone();
    assert!(
        text(&out.stderr).contains("`wechatpay mock notify` takes no"),
        "{}",
        text(&out.stderr)
    );
}
