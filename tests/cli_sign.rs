//! `wechatpay sign jsapi|app`, run as a user would: the built binary with the configuration
//! of a sandbox's env.sh. What it prints verifies under OpenSSL and Python's `cryptography`
//! with the merchant certificate's public key, and with a fixed time and nonce it prints
//! exactly the known answers of `tests/fixtures/pay_params/`.

#![cfg(feature = "cli")]

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use support::{Verdict, WECHATPAY_VARS, assert_independently, sandbox_env};
use wechatpay::mock::{self, MockServer};

const BIN: &str = env!("CARGO_BIN_EXE_wechatpay");
const USAGE: i32 = 2;
const CONFIG: i32 = 3;

/// The binary with the sandbox's settings only (no profile, nothing from the caller).
fn sign_cmd(dir: &Path, env: &[(String, String)]) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(BIN);
    for name in WECHATPAY_VARS {
        cmd.env_remove(name);
    }
    cmd.env("XDG_CONFIG_HOME", dir).envs(env.iter().cloned());
    cmd.timeout(Duration::from_secs(60));
    cmd.arg("sign");
    cmd
}

/// A sandbox's keys and env.sh in a fresh folder.
fn sandbox() -> (tempfile::TempDir, Vec<(String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let files = MockServer::start().write_keys(dir.path().join("keys")).unwrap();
    let env = sandbox_env(&files.env_sh);
    (dir, env)
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/pay_params/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn field<'a>(json: &'a Value, key: &str) -> &'a str {
    json[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key} in {json}"))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn run(cmd: &mut assert_cmd::Command) -> (Value, String) {
    let out = cmd.assert().success().get_output().clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one line when piped: {stdout}");
    (
        serde_json::from_str(&stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn sign_jsapi_prints_parameters_that_verify_with_the_merchant_certificate() {
    let (dir, env) = sandbox();
    let prepay_id = "wx201410272009395522657a690389285100";
    let (json, stderr) =
        run(sign_cmd(dir.path(), &env).args(["jsapi", "--appid", "wxd678efh567hg6787", "--prepay-id", prepay_id]));
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["appId", "nonceStr", "package", "paySign", "signType", "timeStamp"]
    );
    assert_eq!(field(&json, "package"), format!("prepay_id={prepay_id}"));
    assert_eq!(field(&json, "signType"), "RSA");
    let timestamp: i64 = field(&json, "timeStamp").parse().unwrap();
    assert!((timestamp - now()).abs() < 60, "stamped now: {timestamp}");
    assert_eq!(field(&json, "nonceStr").len(), 32);
    assert!(stderr.contains(&format!("merchant {}", mock::MCHID)), "{stderr}");

    // The message rebuilt from the printed fields, as the front end's platform does.
    let message = format!(
        "{}\n{}\n{}\n{}\n",
        field(&json, "appId"),
        field(&json, "timeStamp"),
        field(&json, "nonceStr"),
        field(&json, "package")
    );
    assert_independently(message.as_bytes(), field(&json, "paySign"), Verdict::Verified);
    let other = message.replace("wxd678efh567hg6787", "wxd678efh567hg6788");
    assert_independently(other.as_bytes(), field(&json, "paySign"), Verdict::Failed);
}

#[test]
fn sign_app_prints_parameters_that_verify_with_the_merchant_certificate() {
    let (dir, env) = sandbox();
    let (json, _) = run(sign_cmd(dir.path(), &env).args([
        "app",
        "--appid",
        "wx8888888888888888",
        "--prepay-id",
        "WX1217752501201407033233368018",
    ]));
    assert_eq!(field(&json, "partnerid"), mock::MCHID);
    assert_eq!(field(&json, "prepayid"), "WX1217752501201407033233368018");
    assert_eq!(field(&json, "package"), "Sign=WXPay");
    let message = format!(
        "{}\n{}\n{}\n{}\n",
        field(&json, "appid"),
        field(&json, "timestamp"),
        field(&json, "noncestr"),
        field(&json, "prepayid")
    );
    assert_independently(message.as_bytes(), field(&json, "sign"), Verdict::Verified);
}

#[test]
fn a_fixed_time_and_nonce_print_exactly_the_known_answers() {
    let (dir, env) = sandbox();
    for (kind, appid, prepay_id, timestamp) in [
        (
            "jsapi",
            "wxd678efh567hg6787",
            "wx201410272009395522657a690389285100",
            "1414561699",
        ),
        (
            "app",
            "wx8888888888888888",
            "WX1217752501201407033233368018",
            "1412000000",
        ),
    ] {
        let out = sign_cmd(dir.path(), &env)
            .args([
                kind,
                "--appid",
                appid,
                "--prepay-id",
                prepay_id,
                "--timestamp",
                timestamp,
            ])
            .args(["--nonce", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"])
            .assert()
            .success()
            .get_output()
            .clone();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), fixture(&format!("{kind}.json")));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&format!("time {timestamp} = 2014-")), "{stderr}");
    }
}

#[test]
fn unusable_values_exit_2_and_a_missing_key_exits_3_printing_nothing() {
    let (dir, env) = sandbox();
    for args in [
        &["jsapi", "--appid", "", "--prepay-id", "wx1"][..],
        &["jsapi", "--appid", "wx1", "--prepay-id", "prepay_id=wx1"],
        &["app", "--appid", "wx1", "--prepay-id", "wx1\nforged"],
        &[
            "app",
            "--appid",
            "wx1",
            "--prepay-id",
            "wx1",
            "--nonce",
            &"n".repeat(33),
        ],
        &["jsapi", "--appid", "wx1"],
    ] {
        let out = sign_cmd(dir.path(), &env)
            .args(args)
            .assert()
            .code(USAGE)
            .get_output()
            .clone();
        assert!(out.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("forged"), "the prepay_id is not echoed: {stderr}");
    }
    let without_key: Vec<(String, String)> = env
        .into_iter()
        .filter(|(name, _)| name != "WECHATPAY_PRIVATE_KEY")
        .collect();
    let out = sign_cmd(dir.path(), &without_key)
        .args(["jsapi", "--appid", "wx1", "--prepay-id", "wx1"])
        .assert()
        .code(CONFIG)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("WECHATPAY_PRIVATE_KEY"));
}

#[test]
fn the_help_shows_examples() {
    let dir = tempfile::tempdir().unwrap();
    for command in [&["sign"][..], &["sign", "jsapi"], &["sign", "app"]] {
        let out = sign_cmd(dir.path(), &[])
            .args(&command[1..])
            .arg("--help")
            .assert()
            .success();
        let help = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
        assert!(help.contains("Example"), "{command:?}: {help}");
        assert!(help.contains("wechatpay sign"), "{command:?}: {help}");
    }
}
