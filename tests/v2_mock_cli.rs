//! `wechatpay mock serve --tls --fault v2-...`: the standalone sandbox serves APIv2 over TLS
//! with the files it wrote (the CA to trust, the merchant certificate and key, the APIv2
//! key), applies the APIv2 fault, and logs each request. And `wechatpay request` speaks
//! APIv2 to it, configured by its profile or its env.sh.
#![cfg(all(feature = "cli", feature = "catalog"))]

mod support;

use serde_json::{Value, json};
use support::cli::{Sandbox, bare_cmd, text};
use wechatpay::mock::MCHID;
use wechatpay::protocol::v2::{AnswerSignature, ApiV2Key, V2Error, prepare, read_answer};

#[tokio::test]
async fn mock_serve_tls_serves_apiv2_with_the_files_it_wrote_and_its_v2_fault() {
    let sandbox = Sandbox::start(&["--tls", "--fault", "v2-fail"]);
    let _dir = &sandbox.dir;
    let keys = sandbox.keys();
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

/// An order query (the catalogue asks for both order numbers).
const ORDER_QUERY: &str = r#"{"appid": "wx2421b1c4370ec43b", "mch_id": "1900000001",
    "transaction_id": "4200001999202407041234567890", "out_trade_no": "T1"}"#;

/// A refund: it needs the merchant certificate on the TLS connection.
const REFUND: &str = r#"{"appid": "wx2421b1c4370ec43b", "mch_id": "1900000001",
    "transaction_id": "4200001999202407041234567890", "out_trade_no": "T1", "out_refund_no": "R1",
    "total_fee": 100, "refund_fee": 100}"#;

fn stdout_json(assert: &assert_cmd::assert::Assert) -> Value {
    serde_json::from_slice(&assert.get_output().stdout).unwrap()
}

#[test]
fn a_v2_request_goes_through_the_sandboxs_profile() {
    let sandbox = Sandbox::start(&[]);
    let dir = &sandbox.dir;
    let keys = sandbox.keys();
    let profiles = std::fs::read_to_string(keys.join("profiles.toml")).unwrap();
    for line in [
        "merchant_certificate = \"apiclient_cert.pem\"",
        "apiv2_key_file = \"apiv2_key.txt\"",
    ] {
        assert!(profiles.contains(line), "{profiles}");
    }
    assert!(!profiles.contains("ca_certificate"), "no CA without --tls: {profiles}");
    let assert = bare_cmd(dir.path())
        .arg("--config")
        .arg(keys.join("profiles.toml"))
        .args([
            "--profile",
            "mock",
            "request",
            "POST",
            "v2/pay/orderquery",
            "--json",
            ORDER_QUERY,
        ])
        .assert()
        .success();
    let answer = stdout_json(&assert);
    assert_eq!(answer["result_code"], "SUCCESS", "{answer}");
    assert_eq!(answer["out_trade_no"], "T1", "{answer}");
    assert!(text(&assert.get_output().stderr).contains("Verified-By: APIv2 key"));
    sandbox.wait_for_line("POST /pay/orderquery  -> 200  verified: yes");
}

#[test]
fn a_v2_refund_over_tls_with_the_env_sh_variables_and_no_serial() {
    let sandbox = Sandbox::start(&["--tls"]);
    let dir = &sandbox.dir;
    let keys = sandbox.keys();
    let vars: Vec<_> = support::sandbox_env(&keys.join("env.sh"))
        .into_iter()
        .filter(|(name, _)| name != "WECHATPAY_MERCHANT_SERIAL")
        .collect();
    let assert = bare_cmd(dir.path())
        .envs(vars.clone())
        .args(["request", "POST", "v2/secapi/pay/refund", "--json", REFUND])
        .assert()
        .success();
    let answer = stdout_json(&assert);
    assert_eq!(answer["result_code"], "SUCCESS", "{answer}");
    assert_eq!(answer["out_refund_no"], "R1", "{answer}");
    sandbox.wait_for_line("POST /secapi/pay/refund  -> 200  verified: yes");

    // The same through the TLS sandbox's profile (it names the test CA).
    let profiles = keys.join("profiles.toml");
    assert!(
        std::fs::read_to_string(&profiles)
            .unwrap()
            .contains("ca_certificate = \"sandbox_ca.pem\"")
    );
    bare_cmd(dir.path())
        .args(["request", "--profile", "mock", "--config"])
        .arg(&profiles)
        .args(["POST", "v2/secapi/pay/refund", "--json", REFUND])
        .assert()
        .success();

    // Without the merchant certificate: nothing is sent, and the message says how to give it.
    let assert = bare_cmd(dir.path())
        .envs(
            vars.into_iter()
                .filter(|(name, _)| name != "WECHATPAY_MERCHANT_CERTIFICATE"),
        )
        .env("WECHATPAY_MERCHANT_SERIAL", wechatpay::mock::MERCHANT_SERIAL)
        .args(["request", "POST", "v2/secapi/pay/refund", "--json", REFUND])
        .assert()
        .code(3);
    let stderr = text(&assert.get_output().stderr);
    assert!(
        stderr.contains("--merchant-certificate FILE, WECHATPAY_MERCHANT_CERTIFICATE or merchant_certificate"),
        "{stderr}"
    );
}

#[test]
fn a_v2_request_without_an_apiv2_key_exits_3_and_says_how_to_give_one() {
    let sandbox = Sandbox::start(&[]);
    let dir = &sandbox.dir;
    let keys = sandbox.keys();
    let vars = support::sandbox_env(&keys.join("env.sh"))
        .into_iter()
        .filter(|(name, _)| name != "WECHATPAY_APIV2_KEY");
    let assert = bare_cmd(dir.path())
        .envs(vars)
        .args(["request", "POST", "v2/pay/orderquery", "--json", ORDER_QUERY])
        .assert()
        .code(3);
    assert!(assert.get_output().stdout.is_empty());
    let stderr = text(&assert.get_output().stderr);
    for expected in [
        "no APIv2 key",
        "--apiv2-key-file FILE",
        "WECHATPAY_APIV2_KEY",
        "apiv2_key_file",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    assert!(
        !sandbox.lines().iter().any(|l| l.contains("orderquery")),
        "nothing was sent"
    );

    // A profile never holds the key itself: refused, and the key is not repeated.
    let profiles = dir.path().join("profiles.toml");
    std::fs::write(
        &profiles,
        "[p]\nmchid = \"1900000001\"\napiv2_key = \"SECRET-APIV2-KEY-NOT-SHOWN-00032\"\n",
    )
    .unwrap();
    let assert = bare_cmd(dir.path())
        .args(["request", "--profile", "p", "--config"])
        .arg(&profiles)
        .args(["POST", "v2/pay/orderquery", "--json", ORDER_QUERY])
        .assert()
        .code(3);
    let stderr = text(&assert.get_output().stderr);
    assert!(
        stderr.contains("holds apiv2_key") && stderr.contains("apiv2_key_file"),
        "{stderr}"
    );
    assert!(!stderr.contains("SECRET-APIV2-KEY"), "{stderr}");
}

#[test]
fn for_the_apiv2_key_the_flag_beats_the_environment_which_beats_the_profile() {
    let _sandbox = Sandbox::start(&[]);
    let dir = &_sandbox.dir;
    let keys = _sandbox.keys();
    let wrong = "wrongwrongwrongwrongwrongwrong32";
    let wrong_file = dir.path().join("wrong_key.txt");
    std::fs::write(&wrong_file, wrong).unwrap();
    let with_profile = || {
        let mut cmd = bare_cmd(dir.path());
        cmd.arg("--config")
            .arg(keys.join("profiles.toml"))
            .args(["--profile", "mock"]);
        cmd
    };
    let query = ["request", "POST", "v2/pay/orderquery", "--json", ORDER_QUERY];

    // The profile's file alone: the right key.
    with_profile().args(query).assert().success();
    // The environment over the profile: the wrong key signs, and the sandbox refuses it.
    let refused = with_profile()
        .env("WECHATPAY_APIV2_KEY", wrong)
        .args(query)
        .assert()
        .failure();
    let stderr = text(&refused.get_output().stderr);
    assert!(!stderr.contains(wrong), "the key is never shown: {stderr}");
    // The flag over both (after the command, or before it).
    with_profile()
        .env("WECHATPAY_APIV2_KEY", wrong)
        .args(query)
        .arg("--apiv2-key-file")
        .arg(keys.join("apiv2_key.txt"))
        .assert()
        .success();
    with_profile()
        .env("WECHATPAY_APIV2_KEY", wrong)
        .arg("--apiv2-key-file")
        .arg(&wrong_file)
        .args(query)
        .assert()
        .failure();

    // doctor says where each came from.
    let source = |cmd: &mut assert_cmd::Command| {
        let out = cmd.args(["doctor", "--offline"]).assert().success();
        let stdout = text(&out.get_output().stdout);
        assert!(
            !stdout.contains(wrong) && !stdout.contains(wechatpay::mock::APIV2_KEY),
            "{stdout}"
        );
        stdout
            .lines()
            .find(|l| l.contains("APIv2 key"))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(source(&mut with_profile()).ends_with("(profile mock))"));
    assert!(source(with_profile().env("WECHATPAY_APIV2_KEY", wrong)).ends_with("(from WECHATPAY_APIV2_KEY)"));
    let flag = source(
        with_profile()
            .env("WECHATPAY_APIV2_KEY", wrong)
            .arg("--apiv2-key-file")
            .arg(&wrong_file),
    );
    assert!(flag.ends_with("(--apiv2-key-file))"), "{flag}");
}

#[test]
fn a_v2_request_that_cannot_be_built_exits_2_and_sends_nothing() {
    let sandbox = Sandbox::start(&[]);
    let keys = sandbox.keys();
    for (body, says) in [
        (r#"{"mch_id": "1900000002", "out_trade_no": "T1"}"#, "1900000002"),
        (r#"{"mch_id": "1900000001", "detail": {"cost_price": 1}}"#, "detail"),
    ] {
        let assert = bare_cmd(sandbox.dir.path())
            .arg("--config")
            .arg(keys.join("profiles.toml"))
            .args(["--profile", "mock", "request", "POST", "v2/pay/orderquery"])
            .args(["--json", body, "--no-validate"])
            .assert()
            .code(2);
        assert!(text(&assert.get_output().stderr).contains(says), "{body}");
    }
    assert!(
        !sandbox.lines().iter().any(|l| l.contains("orderquery")),
        "nothing was sent"
    );
}

/// A declined or refused APIv2 call is an API error as a non-2xx APIv3 answer is: exit 4,
/// and what the platform said as JSON on standard output.
#[test]
fn a_declined_or_refused_v2_call_exits_4_with_what_the_platform_said() {
    for (fault, field, value) in [
        ("v2-fail", "err_code", "SYSTEMERROR"),
        ("v2-return-fail", "return_code", "FAIL"),
    ] {
        let sandbox = Sandbox::start(&["--fault", fault]);
        let out = sandbox
            .cmd()
            .args(["request", "POST", "v2/pay/orderquery", "--json"])
            .arg(json!({"appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "out_trade_no": "T1"}).to_string())
            .assert()
            .code(4)
            .get_output()
            .clone();
        let said: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{fault}: {e}: {}", text(&out.stderr)));
        assert_eq!(said[field], value, "{fault}: {said}");
    }
}
