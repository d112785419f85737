//! `Client::from_env` reads the process environment. The environment is process-wide (and
//! changing it in a threaded test process is unsafe), so the test runs this test binary
//! again as a child with the variables of a sandbox's env.sh set, and the child builds its
//! client from them.

use std::process::Command;

use serde_json::json;
use wechatpay::Method;
use wechatpay::mock::{MCHID, MockServer};

/// Set in the child: what it should do.
const CHILD: &str = "WECHATPAY_TEST_FROM_ENV_CHILD";

/// The variables of the env.sh a sandbox wrote.
fn env_sh(mock: &MockServer, dir: &std::path::Path) -> Vec<(String, String)> {
    let files = mock.write_keys(dir).unwrap();
    let text = std::fs::read_to_string(files.env_sh).unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("export "))
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap();
            let value = value.strip_prefix('\'').unwrap().strip_suffix('\'').unwrap();
            (name.to_owned(), value.replace(r"'\''", "'"))
        })
        .collect()
}

/// Runs the child test with the sandbox's variables, less `without`, plus `extra`.
fn child(vars: &[(String, String)], without: &[&str], extra: &[(&str, &str)], case: &str) -> std::process::Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", "from_env_child", "--nocapture"]);
    for name in wechatpay::env::ALL {
        command.env_remove(name);
    }
    for (name, value) in vars.iter().filter(|(name, _)| !without.contains(&name.as_str())) {
        command.env(name, value);
    }
    command.envs(extra.iter().copied()).env(CHILD, case);
    let out = command.output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 passed"),
        "the child test did not run: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    out
}

#[test]
fn a_tls_sandboxs_variables_configure_a_client_that_makes_a_v2_refund_without_the_serial() {
    let mock = MockServer::builder().tls(true).start();
    // The refund's answer, with or without the catalogue (a route runs after the checks).
    mock.route(
        Method::POST,
        "/secapi/pay/refund",
        200,
        serde_json::json!({"out_refund_no": "R1"}),
    );
    let dir = tempfile::tempdir().unwrap();
    let vars = env_sh(&mock, &dir.path().join("sandbox"));
    for name in wechatpay::env::ALL {
        assert!(vars.iter().any(|(n, _)| n == name), "env.sh lacks {name}");
    }
    let out = child(&vars, &["WECHATPAY_MERCHANT_SERIAL"], &[], "refund");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].verified && requests[0].client_certificate);

    // A serial that is not the certificate's.
    let out = child(
        &vars,
        &[],
        &[("WECHATPAY_MERCHANT_SERIAL", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1")],
        "mismatch",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The child's side: does nothing unless run by the test above.
#[test]
fn from_env_child() {
    let Ok(case) = std::env::var(CHILD) else { return };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    match case.as_str() {
        "refund" => runtime.block_on(async {
            let client = wechatpay::Client::from_env().unwrap();
            let refund = json!({
                "appid": "wx2421b1c4370ec43b", "mch_id": MCHID, "transaction_id": "4200001999202407041234567890",
                "out_refund_no": "R1", "total_fee": 100, "refund_fee": 100,
            });
            let answer = client.chain("v2/secapi/pay/refund").post(refund).await.unwrap();
            let fields: serde_json::Value = answer.json().unwrap();
            assert_eq!(fields["result_code"], "SUCCESS", "{fields}");
        }),
        "mismatch" => {
            let err = wechatpay::Client::from_env().unwrap_err();
            assert!(
                matches!(
                    err,
                    wechatpay::Error::Config(wechatpay::error::ConfigError::MerchantSerialMismatch { .. })
                ),
                "{err:?}"
            );
        }
        other => panic!("unknown case {other}"),
    }
}
