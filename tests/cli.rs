//! The `wechatpay` command-line tool, run as a user would: each test starts
//! `wechatpay mock serve` as a child process on a free port, points the environment at the
//! keys it wrote (its env.sh), runs the built binary against it, and kills it at the end.

#![cfg(feature = "cli")]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

mod support;

use serde_json::{Value, json};
use support::cli::{BIN, Sandbox, bare_cmd, text};
use wechatpay::mock::{self, MockServer};

/// The exit codes `wechatpay --help` documents.
const API_ERROR: i32 = 4;
const VERIFICATION_FAILURE: i32 = 5;
const TRANSPORT_FAILURE: i32 = 6;

/// The seed request with an empty body, sent without the catalogue's check (the sandbox's
/// route answers it 204).
const UNCHECKED_SEED: [&str; 6] = [
    "request",
    "--no-validate",
    "POST",
    "v3/parking/reminders/ext-payment",
    "--json",
    "{}",
];

const SEED_BODY: &str = r#"{"out_trade_no":"TRADE202407041530001","fee_items":[{"fee_type":"EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY","amount":5000}],"pay_time":1719128975,"wx_parking_lot_id":"21232735744117624001123604298240","wx_trade_no":"4200001999202407041234567890"}"#;

const ROUTES: &str = r#"[
  {"method": "POST", "path": "/v3/parking/reminders/ext-payment", "status": 204},
  {"method": "GET", "path": "/v3/pay/transactions/out-trade-no/{out_trade_no}", "status": 200,
   "body": {"out_trade_no": "{out_trade_no}", "trade_state": "SUCCESS", "amount": {"total": 100}}},
  {"method": "POST", "path": "/v3/refund/domestic/refunds", "status": 400,
   "body": {"code": "PARAM_ERROR", "message": "out_refund_no is required"}}
]"#;

/// The sandbox with [`ROUTES`] only (no built-in routes) and `extra` arguments.
fn start_sandbox(extra: &[&str]) -> Sandbox {
    let mut args = vec!["--no-default-routes"];
    args.extend_from_slice(extra);
    Sandbox::with_routes(ROUTES, &args)
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn the_seed_request_prints_204_and_exits_0() {
    let sandbox = start_sandbox(&[]);
    let assert = sandbox
        .cmd()
        .args([
            "request",
            "POST",
            "v3/parking/reminders/ext-payment",
            "--json",
            SEED_BODY,
        ])
        .assert()
        .success();
    let out = assert.get_output();
    let stderr = text(&out.stderr);
    assert!(stderr.contains("HTTP 204 No Content"), "{stderr}");
    assert!(stderr.contains("Request-ID: 08"), "{stderr}");
    assert!(
        stderr.contains(&format!("Verified-By: {}", mock::PLATFORM_PUBLIC_KEY_ID)),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "a 204 has no body");
    sandbox.wait_for_line("POST /v3/parking/reminders/ext-payment  -> 204  verified: yes");
}

#[test]
fn the_body_can_come_from_a_file_and_the_certificate_mode_verifies() {
    let sandbox = start_sandbox(&["--mode", "certificate"]);
    let file = sandbox.dir.path().join("seed.json");
    std::fs::write(&file, SEED_BODY).unwrap();
    let assert = sandbox
        .cmd()
        .args(["request", "POST", "v3/parking/reminders/ext-payment", "--json"])
        .arg(format!("@{}", file.display()))
        .assert()
        .success();
    let stderr = text(&assert.get_output().stderr);
    assert!(
        stderr.contains(&format!("Verified-By: {}", mock::PLATFORM_CERTIFICATE_SERIAL)),
        "{stderr}"
    );
}

#[test]
fn a_get_with_param_and_query_expands_encodes_and_signs_them() {
    let sandbox = start_sandbox(&[]);
    let assert = sandbox
        .cmd()
        .args([
            "request",
            "GET",
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
            "--param",
            "out_trade_no=T 1/2",
            "--query",
            "mchid=1900000001",
            "-v",
        ])
        .assert()
        .success();
    let out = assert.get_output();
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["out_trade_no"], "T 1/2");
    assert_eq!(body["trade_state"], "SUCCESS");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("HTTP 200 OK"), "{stderr}");
    // -v shows the signing message and the headers.
    assert!(
        stderr.contains("*   /v3/pay/transactions/out-trade-no/T%201%2F2?mchid=1900000001"),
        "{stderr}"
    );
    assert!(
        stderr.contains("> authorization: WECHATPAY2-SHA256-RSA2048"),
        "{stderr}"
    );
    assert!(stderr.contains("< wechatpay-signature: "), "{stderr}");
    sandbox.wait_for_line("GET /v3/pay/transactions/out-trade-no/T%201%2F2?mchid=1900000001  -> 200  verified: yes");
}

#[test]
fn an_api_error_exits_4_and_prints_code_and_message() {
    let sandbox = start_sandbox(&[]);
    let assert = sandbox
        .cmd()
        .args([
            "request",
            "--no-validate",
            "POST",
            "v3/refund/domestic/refunds",
            "--json",
            "{}",
        ])
        .assert()
        .code(API_ERROR);
    let out = assert.get_output();
    let stderr = text(&out.stderr);
    assert!(stderr.contains("HTTP 400 Bad Request"), "{stderr}");
    assert!(
        stderr.contains("API error 400 PARAM_ERROR: out_refund_no is required"),
        "{stderr}"
    );
    assert!(stderr.contains("Request-ID: 08"), "{stderr}");
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["code"], "PARAM_ERROR");
    assert!(!stderr.contains("< request-id:"), "headers only with -v: {stderr}");

    // With -v the answer's headers are shown, as for a success.
    let assert = sandbox
        .cmd()
        .args([
            "request",
            "-v",
            "--no-validate",
            "POST",
            "v3/refund/domestic/refunds",
            "--json",
            "{}",
        ])
        .assert()
        .code(API_ERROR);
    let stderr = text(&assert.get_output().stderr);
    assert!(stderr.contains("< request-id: 08"), "{stderr}");
    assert!(stderr.contains("< content-type: application/json"), "{stderr}");

    // An unknown route is an API error too.
    let assert = sandbox
        .cmd()
        .args(["request", "GET", "v3/no/such/thing"])
        .assert()
        .code(API_ERROR);
    assert!(text(&assert.get_output().stderr).contains("RESOURCE_NOT_EXISTS"));
}

#[test]
fn a_sign_error_shows_the_platforms_message_beside_the_local_one() {
    let sandbox = start_sandbox(&[]);
    let other_key = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/mock/keys/platform_cert_key.pem");
    // Without the merchant certificate, which would catch the wrong key before sending.
    let assert = sandbox
        .cmd()
        .env("WECHATPAY_PRIVATE_KEY", &other_key)
        .env_remove("WECHATPAY_MERCHANT_CERTIFICATE")
        .args([
            "request",
            "--no-validate",
            "POST",
            "v3/parking/reminders/ext-payment",
            "--json",
            r#"{"a":"中文"}"#,
        ])
        .assert()
        .code(API_ERROR);
    let stderr = text(&assert.get_output().stderr);
    assert!(stderr.contains("SIGN_ERROR"), "{stderr}");
    assert!(
        stderr.contains("= target     /v3/parking/reminders/ext-payment"),
        "{stderr}"
    );
    assert!(stderr.contains(r#"= body       {"a":"中文"}"#), "{stderr}");
    assert!(stderr.contains("the messages match"), "{stderr}");

    // With the merchant certificate configured, the wrong key is caught before sending.
    let assert = sandbox
        .cmd()
        .env("WECHATPAY_PRIVATE_KEY", &other_key)
        .args(["request", "GET", "v3/certificates"])
        .assert()
        .code(3);
    let stderr = text(&assert.get_output().stderr);
    assert!(
        stderr.contains("does not belong to the merchant certificate"),
        "{stderr}"
    );
    sandbox.wait_for_line("POST /v3/parking/reminders/ext-payment  -> 401  verified: no");
}

/// `wechatpay request GET` of order T1 against the sandbox.
fn get_order(sandbox: &Sandbox) -> assert_cmd::assert::Assert {
    sandbox
        .cmd()
        .args([
            "request",
            "GET",
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
            "--param",
            "out_trade_no=T1",
            "--query",
            "mchid=1900000001",
        ])
        .assert()
}

#[test]
fn a_tampered_answer_exits_5_and_prints_no_body() {
    let sandbox = start_sandbox(&["--fault", "bad-signature"]);
    let assert = get_order(&sandbox).code(VERIFICATION_FAILURE);
    let out = assert.get_output();
    assert!(out.stdout.is_empty(), "printed {:?}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("could not be authenticated"), "{stderr}");
    assert!(!stderr.contains("HTTP 200"), "{stderr}");
    // The sandbox's log tells what it answered and the fault that altered it.
    sandbox.wait_for_line(
        "GET /v3/pay/transactions/out-trade-no/T1?mchid=1900000001  -> 200  verified: yes  fault: bad-signature",
    );
}

#[test]
fn a_skewed_or_unsigned_answer_exits_5() {
    for fault in ["skew", "missing-headers", "unknown-serial"] {
        let sandbox = start_sandbox(&["--fault", fault]);
        let assert = get_order(&sandbox).code(VERIFICATION_FAILURE);
        assert!(assert.get_output().stdout.is_empty(), "{fault}");
    }
}

#[test]
fn a_transport_failure_exits_6() {
    let sandbox = start_sandbox(&[]);
    let assert = sandbox
        .cmd()
        .args(["--base-url", &format!("http://127.0.0.1:{}/", closed_port())])
        .args(["request", "GET", "v3/certificates"])
        .assert()
        .code(TRANSPORT_FAILURE);
    let stderr = text(&assert.get_output().stderr);
    assert!(stderr.contains("transport error"), "{stderr}");
    assert!(
        stderr.contains("has the sandbox (wechatpay mock serve) stopped") && stderr.contains("env.sh"),
        "a loopback URL that refuses says what to do: {stderr}"
    );
}

#[test]
fn certificates_download_writes_0600_files_matching_the_mock() {
    let sandbox = start_sandbox(&[]);
    let output = sandbox.dir.path().join("downloaded");
    let assert = sandbox
        .cmd()
        .args(["certificates", "download", "--output"])
        .arg(&output)
        .assert()
        .success();
    let stdout = text(&assert.get_output().stdout);
    assert!(stdout.contains(mock::PLATFORM_CERTIFICATE_SERIAL), "{stdout}");
    assert!(
        stdout.contains("valid 2024-01-01 00:00:00 UTC to 2044-01-01 00:00:00 UTC"),
        "{stdout}"
    );

    let names: Vec<String> = std::fs::read_dir(&output)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected = format!("wechatpay_{}.pem", mock::PLATFORM_CERTIFICATE_SERIAL);
    assert_eq!(
        names,
        std::slice::from_ref(&expected),
        "no temporary file is left behind"
    );
    let path = output.join(&expected);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let pem = std::fs::read_to_string(&path).unwrap();
    let certificate = wechatpay::Certificate::from_pem(&pem).unwrap();
    assert_eq!(certificate.serial(), mock::PLATFORM_CERTIFICATE_SERIAL);
    assert_eq!(pem.trim(), mock::keys::PLATFORM_CERTIFICATE.trim());

    // The folder then serves as WECHATPAY_CERTIFICATES, in certificate mode.
    let certificate_mode = start_sandbox(&["--mode", "certificate"]);
    certificate_mode
        .cmd()
        .env_remove("WECHATPAY_PUBLIC_KEY_ID")
        .env_remove("WECHATPAY_PUBLIC_KEY")
        .env("WECHATPAY_CERTIFICATES", &output)
        .args(UNCHECKED_SEED)
        .assert()
        .success();
}

#[test]
fn a_tampered_certificate_download_fails_and_writes_no_file() {
    for fault in ["bad-signature", "unknown-serial"] {
        let sandbox = start_sandbox(&["--fault", fault]);
        let output = sandbox.dir.path().join("downloaded");
        sandbox
            .cmd()
            .args(["certificates", "download", "--output"])
            .arg(&output)
            .assert()
            .code(VERIFICATION_FAILURE);
        let files = std::fs::read_dir(&output).map(|d| d.count()).unwrap_or(0);
        assert_eq!(files, 0, "{fault}: nothing may be written");
    }
}

#[test]
fn the_apiv3_key_is_read_from_standard_input_when_not_in_the_environment() {
    let sandbox = start_sandbox(&[]);
    let output = sandbox.dir.path().join("downloaded");
    sandbox
        .cmd()
        .env_remove("WECHATPAY_APIV3_KEY")
        .args(["certificates", "download", "--output"])
        .arg(&output)
        .write_stdin(format!("{}\n", mock::APIV3_KEY))
        .assert()
        .success();
    // A wrong key fails to decrypt: nothing is written.
    let elsewhere = sandbox.dir.path().join("elsewhere");
    sandbox
        .cmd()
        .env_remove("WECHATPAY_APIV3_KEY")
        .args(["certificates", "download", "--output"])
        .arg(&elsewhere)
        .write_stdin("0123456789abcdef0123456789abcdef\n")
        .assert()
        .code(VERIFICATION_FAILURE);
    assert!(!elsewhere.exists());
    // Secrets are not accepted as flags.
    sandbox
        .cmd()
        .args(["--apiv3-key", mock::APIV3_KEY, "doctor"])
        .assert()
        .code(2);
}

/// Writes a callback as captured: `Name: value` lines and the raw body.
fn capture(dir: &Path, headers: &http::HeaderMap, body: &[u8]) -> (PathBuf, PathBuf) {
    let mut lines = String::from("POST /notify HTTP/1.1\r\n");
    for (name, value) in headers {
        lines.push_str(&format!("{}: {}\r\n", name, value.to_str().unwrap()));
    }
    let headers_file = dir.join("callback.headers");
    let body_file = dir.join("callback.json");
    std::fs::write(&headers_file, lines).unwrap();
    std::fs::write(&body_file, body).unwrap();
    (headers_file, body_file)
}

#[test]
fn notify_parse_verifies_and_decrypts_a_captured_callback() {
    let sandbox = start_sandbox(&[]);
    // The library's mock, in this process, signs with the same fixed keys as the child.
    let platform = MockServer::start();
    let resource = json!({"out_trade_no": "TRADE202407041530001", "trade_state": "SUCCESS", "amount": {"total": 100}});
    let (headers, body) = platform.signed_notification("TRANSACTION.SUCCESS", &resource);
    let (headers_file, body_file) = capture(sandbox.dir.path(), &headers, &body);
    let assert = sandbox
        .cmd()
        .args(["notify", "parse", "--headers"])
        .arg(&headers_file)
        .arg("--body")
        .arg(&body_file)
        .assert()
        .success();
    let out = assert.get_output();
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, resource);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("event: TRANSACTION.SUCCESS"), "{stderr}");

    // One byte changed: not verified, nothing printed.
    let mut tampered = body.to_vec();
    let at = tampered.iter().position(|&b| b == b'E').unwrap();
    tampered[at] = b'F';
    std::fs::write(&body_file, &tampered).unwrap();
    let assert = sandbox
        .cmd()
        .args(["notify", "parse", "--headers"])
        .arg(&headers_file)
        .arg("--body")
        .arg(&body_file)
        .assert()
        .code(VERIFICATION_FAILURE);
    assert!(assert.get_output().stdout.is_empty());
}

#[test]
fn doctor_passes_the_sandbox_and_catches_a_mismatched_key() {
    let sandbox = start_sandbox(&[]);
    let certificate = sandbox.keys().join("apiclient_cert.pem");
    let assert = sandbox
        .cmd()
        .arg("doctor")
        .arg("--merchant-certificate")
        .arg(&certificate)
        .assert()
        .success();
    let stdout = text(&assert.get_output().stdout);
    assert!(!stdout.contains("FAIL"), "{stdout}");
    assert!(stdout.contains("ok    private key matches the certificate"), "{stdout}");
    assert!(stdout.contains("ok    clock"), "{stdout}");

    let other_key = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/mock/keys/platform_cert_key.pem");
    let assert = sandbox
        .cmd()
        .env("WECHATPAY_PRIVATE_KEY", &other_key)
        .env("WECHATPAY_APIV3_KEY", "too-short")
        .args(["doctor", "--offline", "--merchant-certificate"])
        .arg(&certificate)
        .assert()
        .code(1);
    let stdout = text(&assert.get_output().stdout);
    assert!(
        stdout.contains("FAIL  private key matches the certificate: the private key does NOT belong"),
        "{stdout}"
    );
    assert!(stdout.contains("FAIL  APIv3 key: 9 bytes"), "{stdout}");
}

#[test]
fn doctor_checks_the_apiv2_key_the_merchant_certificate_and_the_ca_without_showing_keys() {
    let sandbox = start_sandbox(&["--tls"]);
    let assert = sandbox.cmd().arg("doctor").assert().success();
    let stdout = text(&assert.get_output().stdout);
    for expected in [
        "ok    merchant certificate: ",
        "ok    merchant serial matches the certificate: 3775B6A45ACD588826D15E583A95F5DD00000000",
        "ok    private key matches the certificate",
        "ok    APIv2 key: 32 characters (from WECHATPAY_APIV2_KEY)",
        "ok    CA certificate: ",
        "ok    clock",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    assert!(
        !stdout.contains(mock::APIV2_KEY) && !stdout.contains(mock::APIV3_KEY),
        "{stdout}"
    );

    // The serial comes from the certificate when it is not given.
    let assert = sandbox
        .cmd()
        .env_remove("WECHATPAY_MERCHANT_SERIAL")
        .args(["doctor", "--offline"])
        .assert()
        .success();
    let stdout = text(&assert.get_output().stdout);
    assert!(
        stdout.contains("ok    merchant serial: not set: taken from the merchant certificate"),
        "{stdout}"
    );

    let keys = sandbox.keys();
    let bad_key = "NOT-THE-APIV2-KEY";
    let assert = sandbox
        .cmd()
        .env("WECHATPAY_APIV2_KEY", bad_key)
        .env("WECHATPAY_MERCHANT_SERIAL", mock::PLATFORM_CERTIFICATE_SERIAL)
        .env("WECHATPAY_CA_CERTIFICATE", keys.join("apiclient_key.pem"))
        .args(["doctor", "--offline"])
        .assert()
        .code(1);
    let stdout = text(&assert.get_output().stdout);
    for expected in [
        "FAIL  merchant serial matches the certificate: the configured serial 5157F09E",
        "FAIL  APIv2 key: invalid APIv2 key: an APIv2 key is 32 characters, this one has 17 (from WECHATPAY_APIV2_KEY)",
        "FAIL  CA certificate: ",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    assert!(!stdout.contains(bad_key), "{stdout}");

    // An expired certificate, the flag over the environment.
    let expired = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/mock/keys/platform_cert_expired.pem");
    let assert = sandbox
        .cmd()
        .args(["doctor", "--offline", "--merchant-certificate"])
        .arg(&expired)
        .assert()
        .code(1);
    let stdout = text(&assert.get_output().stdout);
    assert!(
        stdout.contains("FAIL  merchant certificate: ") && stdout.contains("EXPIRED"),
        "{stdout}"
    );
    assert!(stdout.contains("(from --merchant-certificate)"), "{stdout}");
    assert!(stdout.contains("FAIL  private key matches the certificate"), "{stdout}");
}

#[test]
fn only_the_commands_that_use_the_configuration_take_its_flags() {
    let dir = tempfile::tempdir().unwrap();
    let help = |args: &[&str]| {
        text(
            &bare_cmd(dir.path())
                .args(args)
                .arg("--help")
                .assert()
                .success()
                .get_output()
                .stdout,
        )
    };
    for command in [&["mock", "serve"][..], &["api", "show"], &["completions"]] {
        let help = help(command);
        assert!(
            !help.contains("--mchid") && !help.contains("--merchant-certificate"),
            "{command:?}: {help}"
        );
    }
    for command in [
        &["request"][..],
        &["doctor"],
        &["sign", "jsapi"],
        &["notify", "parse"],
        &["certificates", "download"],
    ] {
        let help = help(command);
        for flag in [
            "--mchid",
            "--merchant-certificate",
            "--apiv2-key-file",
            "--ca-certificate",
            "--profile",
        ] {
            assert!(help.contains(flag), "{command:?} lacks {flag}: {help}");
        }
    }
    let assert = bare_cmd(dir.path())
        .args(["--mchid", "1", "api", "search", "x"])
        .assert()
        .code(2);
    assert!(text(&assert.get_output().stderr).contains("takes no merchant configuration"));
    bare_cmd(dir.path())
        .args(["mock", "serve", "--mchid", "1"])
        .assert()
        .code(2);
}

#[test]
fn a_profile_configures_and_flags_and_environment_take_precedence() {
    let sandbox = start_sandbox(&[]);
    let profiles = sandbox.keys().join("profiles.toml");
    let with_profile = || {
        let mut cmd = bare_cmd(sandbox.dir.path());
        cmd.arg("--config").arg(&profiles).args(["--profile", "mock"]);
        cmd
    };
    with_profile().args(UNCHECKED_SEED).assert().success();
    let dead = format!("http://127.0.0.1:{}/", closed_port());
    // The environment over the profile, the flag over both; a profile named with --profile
    // that the environment overrides says so.
    let assert = with_profile()
        .env("WECHATPAY_BASE_URL", &dead)
        .args(["request", "GET", "v3/certificates"])
        .assert()
        .code(TRANSPORT_FAILURE);
    let stderr = text(&assert.get_output().stderr);
    assert!(
        stderr.contains("note: --profile mock is given, but the environment sets WECHATPAY_BASE_URL"),
        "{stderr}"
    );
    let assert = with_profile()
        .args(["request", "GET", "v3/certificates"])
        .assert()
        .success();
    assert!(!text(&assert.get_output().stderr).contains("note: --profile"));
    with_profile()
        .env("WECHATPAY_BASE_URL", &dead)
        .args(["--base-url", &sandbox.base_url, "request", "GET", "v3/certificates"])
        .assert()
        .success();
    let assert = with_profile()
        .env("WECHATPAY_MCHID", "1900000001")
        .args(["--merchant-serial", mock::MERCHANT_SERIAL, "doctor", "--offline"])
        .assert()
        .success();
    let stdout = text(&assert.get_output().stdout);
    assert!(
        stdout.contains("merchant id: 1900000001 (from WECHATPAY_MCHID)"),
        "{stdout}"
    );
    assert!(stdout.contains("(from --merchant-serial)"), "{stdout}");
    assert!(stdout.contains("(from profile mock)"), "{stdout}");

    // The default profiles file, and a missing profile.
    std::fs::create_dir_all(sandbox.dir.path().join("wechatpay")).unwrap();
    let text_of_profiles = std::fs::read_to_string(&profiles).unwrap();
    let keys = sandbox.keys().display().to_string();
    let default = text_of_profiles
        .replace("[mock]", "[default]")
        .replace("= \"apiclient_key.pem\"", &format!("= \"{keys}/apiclient_key.pem\""))
        .replace("= \"apiclient_cert.pem\"", &format!("= \"{keys}/apiclient_cert.pem\""))
        .replace("= \"apiv2_key.txt\"", &format!("= \"{keys}/apiv2_key.txt\""))
        .replace("= \"pub_key.pem\"", &format!("= \"{keys}/pub_key.pem\""))
        .replace("= \"certificates\"", &format!("= \"{keys}/certificates\""))
        .replace("= \"apiv3_key.txt\"", &format!("= \"{keys}/apiv3_key.txt\""));
    std::fs::write(sandbox.dir.path().join("wechatpay/profiles.toml"), default).unwrap();
    bare_cmd(sandbox.dir.path()).args(UNCHECKED_SEED).assert().success();
    bare_cmd(sandbox.dir.path())
        .args(["--profile", "nope", "doctor"])
        .assert()
        .code(3);
}

#[test]
fn help_documents_configuration_exit_codes_and_examples() {
    let dir = tempfile::tempdir().unwrap();
    let assert = bare_cmd(dir.path()).arg("--help").assert().success();
    let help = text(&assert.get_output().stdout);
    for expected in [
        "Exit codes:",
        "WECHATPAY_APIV3_KEY",
        "profiles.toml",
        "Example",
        "mock serve",
    ] {
        assert!(help.contains(expected), "--help lacks {expected:?}");
    }
    for command in [
        &["request"][..],
        &["certificates", "download"],
        &["notify", "parse"],
        &["doctor"],
        &["mock", "serve"],
    ] {
        for flag in ["-h", "--help"] {
            let assert = bare_cmd(dir.path()).args(command).arg(flag).assert().success();
            let help = text(&assert.get_output().stdout);
            assert!(help.contains("Example"), "{command:?} {flag} shows no example:\n{help}");
        }
    }
}

/// The folder `mock serve` wrote its keys into, from its second line of output.
#[cfg(unix)]
fn keys_folder_of_a_default_sandbox() -> PathBuf {
    let mut child = std::process::Command::new(BIN)
        .args(["mock", "serve", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut lines = String::new();
    for _ in 0..2 {
        reader.read_line(&mut lines).unwrap();
    }
    let _ = child.kill();
    let _ = child.wait();
    let folder = lines
        .lines()
        .find_map(|l| l.strip_prefix("keys, ids and env.sh in "))
        .and_then(|l| l.strip_suffix(" (test keys only)"))
        .unwrap_or_else(|| panic!("no keys folder in {lines:?}"));
    PathBuf::from(folder)
}

#[cfg(unix)]
#[test]
fn mock_serve_writes_into_a_fresh_private_folder_by_default() {
    use std::os::unix::fs::MetadataExt as _;
    let first = keys_folder_of_a_default_sandbox();
    let second = keys_folder_of_a_default_sandbox();
    assert_ne!(first, second, "each sandbox gets a folder of its own");
    for folder in [&first, &second] {
        assert_eq!(std::fs::metadata(folder).unwrap().mode() & 0o777, 0o700, "{folder:?}");
        assert_eq!(std::fs::metadata(folder.join("env.sh")).unwrap().mode() & 0o777, 0o600);
        std::fs::remove_dir_all(folder).unwrap();
    }
}

/// An error answer is not signed: whatever control characters it carries are shown escaped,
/// so it cannot clear the screen or forge a line of output.
#[test]
fn an_unverified_error_answer_cannot_write_control_characters_to_the_terminal() {
    let mock = MockServer::start();
    let forged = "\u{1b}[2J\u{1b}[H\r\nHTTP 200 OK\nVerified-By: PUB_KEY_ID_0114232134912410000000000000";
    mock.route_fn(wechatpay::Method::POST, "/v3/json-error", move |_| {
        mock::MockReply::error(400, "PARAM_ERROR\u{1b}[31m", forged)
    });
    mock.route_fn(wechatpay::Method::POST, "/v3/text-error", move |_| {
        mock::MockReply::raw(502, format!("<html>{forged}</html>"))
    });
    let dir = tempfile::tempdir().unwrap();
    let files = mock.write_keys(dir.path().join("keys")).unwrap();
    for path in ["v3/json-error", "v3/text-error"] {
        let out = bare_cmd(dir.path())
            .env("WECHATPAY_MCHID", mock::MCHID)
            .env("WECHATPAY_MERCHANT_SERIAL", mock::MERCHANT_SERIAL)
            .env("WECHATPAY_PRIVATE_KEY", &files.private_key)
            .env("WECHATPAY_PUBLIC_KEY_ID", mock::PLATFORM_PUBLIC_KEY_ID)
            .env("WECHATPAY_PUBLIC_KEY", &files.public_key)
            .env("WECHATPAY_BASE_URL", mock.base_url())
            .args(["request", "POST", path, "--json", "{}"])
            .assert()
            .code(API_ERROR)
            .get_output()
            .clone();
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = text(bytes);
            assert!(!text.contains('\u{1b}'), "{path}: ESC on {stream}: {text:?}");
            assert!(!text.contains('\r'), "{path}: CR on {stream}: {text:?}");
            assert!(
                !text.lines().any(|l| l.starts_with("HTTP 200")),
                "{path}: a forged line on {stream}: {text:?}"
            );
        }
    }
}

/// The same for the characters serde_json leaves as they are in the JSON printed on stdout:
/// DEL, the C1 controls (U+009B acts as ESC [ on many terminals) and the invisible ones that
/// reorder text.
#[test]
fn an_unverified_error_answer_cannot_write_c1_or_bidi_characters_to_stdout() {
    let mock = MockServer::start();
    let hostile = "\u{9b}2J\u{9b}H\u{7f}abc\u{202e}fed\u{200b}";
    mock.route_fn(wechatpay::Method::POST, "/v3/json-error", move |_| {
        mock::MockReply::error(400, "PARAM_ERROR", hostile)
    });
    let dir = tempfile::tempdir().unwrap();
    let files = mock.write_keys(dir.path().join("keys")).unwrap();
    let out = bare_cmd(dir.path())
        .env("WECHATPAY_MCHID", mock::MCHID)
        .env("WECHATPAY_MERCHANT_SERIAL", mock::MERCHANT_SERIAL)
        .env("WECHATPAY_PRIVATE_KEY", &files.private_key)
        .env("WECHATPAY_PUBLIC_KEY_ID", mock::PLATFORM_PUBLIC_KEY_ID)
        .env("WECHATPAY_PUBLIC_KEY", &files.public_key)
        .env("WECHATPAY_BASE_URL", mock.base_url())
        .args(["request", "POST", "v3/json-error", "--json", "{}"])
        .assert()
        .code(API_ERROR)
        .get_output()
        .clone();
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = text(bytes);
        assert!(
            !text.contains(['\u{9b}', '\u{7f}', '\u{202e}', '\u{200b}']),
            "raw on {stream}: {text:?}"
        );
    }
    // What stdout holds is still JSON, the message intact once parsed.
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["message"], hostile);
}

#[test]
fn an_identifier_in_a_segment_is_refused_with_the_fix_and_a_near_miss_gets_a_hint() {
    let sandbox = start_sandbox(&[]);
    let out = sandbox
        .cmd()
        .args([
            "request",
            "GET",
            "v3/pay/transactions/out-trade-no/TRADE2024ABC",
            "--query",
            "mchid=1900000001",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = text(&out.stderr);
    for expected in [
        "path segment 5",
        "the segment: TRADE2024ABC",
        "v3/pay/transactions/out-trade-no/{out_trade_no}",
        "--param",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }

    // A template close to a catalogued one: a hint, and the request still goes out as given.
    let out = sandbox
        .cmd()
        .args(["request", "POST", "v3/pay/transactions/nativ", "--json", "{}"])
        .assert()
        .code(4)
        .get_output()
        .clone();
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("did you mean POST /v3/pay/transactions/native"),
        "{stderr}"
    );
    sandbox.wait_for_line("POST /v3/pay/transactions/nativ  -> 404  verified: yes");
    assert!(
        !sandbox
            .lines()
            .iter()
            .any(|l| l.contains("TRADE2024ABC") || l.contains("trade2024")),
        "the refused request never reached the sandbox"
    );
}

/// A reader that goes away (`wechatpay doctor --offline | head -1`) ends the command as it
/// ends other Unix tools, without a panic message; the sandbox, whose first line scripts
/// read before closing the pipe, keeps serving.
#[cfg(unix)]
#[test]
fn a_closed_standard_output_is_no_panic_and_the_sandbox_keeps_serving() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let mut doctor = Command::new(BIN);
    for name in support::WECHATPAY_VARS {
        doctor.env_remove(name);
    }
    let mut doctor = doctor
        .env("XDG_CONFIG_HOME", dir.path())
        .args(["doctor", "--offline", "--mchid", "1900000001"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(doctor.stdout.take());
    let out = doctor.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // doctor still ends with its own status: a FAIL (the private key is missing) is 1.
    assert_eq!(out.status.code(), Some(1), "{stderr}");

    // Both outputs gone (`2>&1 | head -1`): still no panic, and the command's own status.
    let mut search = Command::new(BIN)
        .env("XDG_CONFIG_HOME", dir.path())
        .args(["api", "search", "支付"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(search.stdout.take());
    drop(search.stderr.take());
    assert_eq!(search.wait().unwrap().code(), Some(0));

    let mut serve = Command::new(BIN)
        .env("XDG_CONFIG_HOME", dir.path())
        .args(["mock", "serve", "--port", "0", "--keys-dir"])
        .arg(dir.path().join("keys"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(serve.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader has gone: the next lines (one per request) go nowhere.
    let url = first.trim().strip_prefix("listening on ").unwrap().to_owned();
    let get = || {
        let mut stream = std::net::TcpStream::connect(url.trim_start_matches("http://").trim_end_matches('/')).unwrap();
        std::io::Write::write_all(
            &mut stream,
            b"GET /v3/certificates HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut answer = String::new();
        let _ = std::io::Read::read_to_string(&mut stream, &mut answer);
        answer
    };
    for _ in 0..3 {
        assert!(get().starts_with("HTTP/1.1 401"), "the sandbox still answers");
    }
    assert!(serve.try_wait().unwrap().is_none(), "the sandbox is still running");
    serve.kill().unwrap();
    let _ = serve.wait();
}

/// A profiles file that does not parse is reported by line and column, without the line
/// itself: it may be a secret written where it does not belong.
#[test]
fn a_profiles_file_that_does_not_parse_does_not_echo_its_lines() {
    const SECRET: &str = "wechatpayRsMockApiV3Key000000032";
    let dir = tempfile::tempdir().unwrap();
    for (i, profiles) in [
        format!("[default]\nmchid = \"1900000001\"\napiv3_key = {SECRET}\n"),
        format!("[default]\napiv2_key = \"{SECRET}\"\napiv2_key = \"{SECRET}\"\n"),
        format!("[default]\nmchid = 1\nnote = \"{SECRET}\"\n"),
    ]
    .iter()
    .enumerate()
    {
        let file = dir.path().join(format!("p{i}.toml"));
        std::fs::write(&file, profiles).unwrap();
        let assert = bare_cmd(dir.path())
            .arg("--config")
            .arg(&file)
            .args(["doctor", "--offline"])
            .assert()
            .code(3);
        let stderr = text(&assert.get_output().stderr);
        assert!(i == 2 || stderr.contains("line "), "syntax errors say where: {stderr}");
        assert!(!stderr.contains(SECRET), "{stderr}");
    }
}

/// Downloading again into a folder that holds a certificate since expired (the platform
/// rotated it) removes that one, and says so: the folder keeps working as
/// `WECHATPAY_CERTIFICATES`, which refuses expired certificates.
#[test]
fn certificates_download_removes_the_expired_ones_it_wrote_before() {
    let sandbox = start_sandbox(&[]);
    let output = sandbox.dir.path().join("downloaded");
    std::fs::create_dir(&output).unwrap();
    let expired = mock::MockCertificate::Expired.pem();
    let serial = wechatpay::Certificate::from_pem(expired).unwrap().serial().to_owned();
    let old = output.join(format!("wechatpay_{serial}.pem"));
    std::fs::write(&old, expired).unwrap();
    let other = output.join("notes.pem");
    std::fs::write(&other, "not a certificate of ours").unwrap();
    let assert = sandbox
        .cmd()
        .args(["certificates", "download", "--output"])
        .arg(&output)
        .assert()
        .success();
    let stderr = text(&assert.get_output().stderr);
    assert!(!old.exists(), "{stderr}");
    assert!(stderr.contains(&format!("removed wechatpay_{serial}.pem")), "{stderr}");
    assert!(other.exists(), "only wechatpay_<serial>.pem files are the tool's");
    std::fs::remove_file(&other).unwrap();
    sandbox
        .cmd()
        .env("WECHATPAY_CERTIFICATES", &output)
        .args(UNCHECKED_SEED)
        .assert()
        .success();

    // The same when the folder is the configured one (it serves as WECHATPAY_CERTIFICATES).
    std::fs::write(&old, expired).unwrap();
    sandbox
        .cmd()
        .env("WECHATPAY_CERTIFICATES", &output)
        .args(["certificates", "download", "--output"])
        .arg(&output)
        .assert()
        .success();
    assert!(!old.exists());
}

/// A peer that hangs up while a request body is being sent is a transport failure (exit 6,
/// said on stderr), not a silent death by SIGPIPE.
#[test]
fn a_peer_hanging_up_mid_body_is_a_transport_failure() {
    use std::io::Read as _;
    let sandbox = start_sandbox(&[]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut buffer = vec![0u8; 1 << 20];
        let mut read = 0;
        while read < 1 << 20 {
            match stream.read(&mut buffer[read..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
        // Closed with most of the body unread.
    });
    let body = sandbox.dir.path().join("big.json");
    std::fs::write(&body, format!("{{\"x\":\"{}\"}}", "a".repeat(20 << 20))).unwrap();
    let out = sandbox
        .cmd()
        .args([
            "request",
            "--no-validate",
            "--base-url",
            &base,
            "POST",
            "v3/upload/big",
            "--json",
        ])
        .arg(format!("@{}", body.display()))
        .output()
        .unwrap();
    server.join().unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{stderr}");
    assert!(stderr.contains("transport error"), "{stderr}");
}
