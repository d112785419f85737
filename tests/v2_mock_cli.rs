//! `wechatpay mock serve --tls --fault v2-...`: the standalone sandbox serves APIv2 over TLS
//! with the files it wrote (the CA to trust, the merchant certificate and key, the APIv2
//! key), applies the APIv2 fault, and logs each request.
#![cfg(all(feature = "cli", feature = "catalog"))]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use wechatpay::mock::MCHID;
use wechatpay::protocol::v2::{AnswerSignature, ApiV2Key, V2Error, prepare, read_answer};

const BIN: &str = env!("CARGO_BIN_EXE_wechatpay");

/// A `wechatpay mock serve` child process, killed when dropped.
struct Sandbox {
    child: Child,
    base_url: String,
    output: Arc<Mutex<Vec<String>>>,
}

impl Sandbox {
    fn start(keys: &std::path::Path, extra: &[&str]) -> Sandbox {
        let mut child = std::process::Command::new(BIN)
            .args(["mock", "serve", "--port", "0", "--keys-dir"])
            .arg(keys)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        reader.read_line(&mut first).unwrap();
        let base_url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Sandbox {
            child,
            base_url,
            output,
        }
    }

    fn wait_for_line(&self, expected: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.output.lock().unwrap().iter().any(|l| l == expected) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the sandbox never printed {expected:?}: {:?}",
            self.output.lock().unwrap()
        );
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn mock_serve_tls_serves_apiv2_with_the_files_it_wrote_and_its_v2_fault() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let sandbox = Sandbox::start(&keys, &["--tls", "--fault", "v2-fail"]);
    assert!(
        sandbox.base_url.starts_with("https://127.0.0.1:"),
        "{}",
        sandbox.base_url
    );

    let read = |name: &str| std::fs::read(keys.join(name)).unwrap();
    let key = ApiV2Key::new(&String::from_utf8(read("apiv2_key.txt")).unwrap()).unwrap();
    let ca = reqwest::Certificate::from_pem(&read("sandbox_ca.pem")).unwrap();
    let identity = [read("apiclient_cert.pem"), read("apiclient_key.pem")].concat();
    let with_certificate = reqwest::Client::builder()
        .tls_certs_only([ca.clone()])
        .identity(reqwest::Identity::from_pem(&identity).unwrap())
        .build()
        .unwrap();
    let without = reqwest::Client::builder().tls_certs_only([ca]).build().unwrap();

    let request = prepare(
        &json!({"appid": "wx1", "mch_id": MCHID, "transaction_id": "4200001999202407041234567890",
                "out_refund_no": "R1", "total_fee": 1, "refund_fee": 1}),
        MCHID,
        &key,
    )
    .unwrap();
    let url = format!("{}secapi/pay/refund", sandbox.base_url);
    let signature = AnswerSignature::Signed(request.sign_type());
    let send = |client: &reqwest::Client| client.post(&url).body(request.xml().to_owned()).send();

    let answer = send(&with_certificate).await.unwrap().bytes().await.unwrap();
    match read_answer(&answer, &key, signature) {
        Err(V2Error::Business { err_code, .. }) => assert_eq!(err_code.as_deref(), Some("SYSTEMERROR")),
        other => panic!("the v2-fail fault, signed with the APIv2 key: {other:?}"),
    }
    let answer = send(&without).await.unwrap().bytes().await.unwrap();
    match read_answer(&answer, &key, signature) {
        Err(V2Error::Return { return_msg, .. }) => assert!(return_msg.unwrap_or_default().contains("证书")),
        other => panic!("the missing certificate: {other:?}"),
    }
    sandbox.wait_for_line("POST /secapi/pay/refund  -> 200  verified: yes  fault: v2-fail");
    sandbox.wait_for_line("POST /secapi/pay/refund  -> 200  verified: no  fault: v2-fail");

    let env = std::fs::read_to_string(keys.join("env.sh")).unwrap();
    for name in [
        "WECHATPAY_APIV2_KEY",
        "WECHATPAY_CA_CERTIFICATE",
        "WECHATPAY_MERCHANT_CERTIFICATE",
    ] {
        assert!(env.contains(&format!("export {name}=")), "{name}: {env}");
    }
}
