//! `wechatpay notify parse --at UNIX_SECONDS`: a callback captured earlier is checked as of
//! the time it arrived, and the tool says so. The callbacks are signed in the past by the
//! library's mock (`MockServer::builder().clock(FixedClock(t))`), with the same fixed keys
//! as the sandbox whose env.sh configures the binary.

#![cfg(feature = "cli")]

mod support;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use support::{WECHATPAY_VARS, sandbox_env};
use wechatpay::clock::FixedClock;
use wechatpay::mock::MockServer;

const BIN: &str = env!("CARGO_BIN_EXE_wechatpay");
const CONFIG: i32 = 3;
const VERIFICATION_FAILURE: i32 = 5;

/// A callback signed at `t`, captured into files, and the sandbox's settings.
struct Captured {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    headers: PathBuf,
    body: PathBuf,
    resource: Value,
}

fn capture_signed_at(t: i64) -> Captured {
    let dir = tempfile::tempdir().unwrap();
    let platform = MockServer::builder().clock(FixedClock(t)).start();
    let resource = json!({"out_trade_no": "TRADE202407041530001", "trade_state": "SUCCESS", "amount": {"total": 100}});
    let (headers, body) = platform.signed_notification("TRANSACTION.SUCCESS", &resource);
    assert_eq!(headers["Wechatpay-Timestamp"], t.to_string().as_str());
    let mut lines = String::from("POST /notify HTTP/1.1\r\n");
    for (name, value) in &headers {
        lines.push_str(&format!("{}: {}\r\n", name, value.to_str().unwrap()));
    }
    let files = platform.write_keys(dir.path().join("keys")).unwrap();
    let captured = Captured {
        env: sandbox_env(&files.env_sh),
        headers: dir.path().join("callback.headers"),
        body: dir.path().join("callback.json"),
        dir,
        resource,
    };
    std::fs::write(&captured.headers, lines).unwrap();
    std::fs::write(&captured.body, &body).unwrap();
    captured
}

impl Captured {
    /// `notify parse` of the capture, with the sandbox's settings and `extra` arguments.
    fn parse(&self, extra: &[&str]) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(BIN);
        for name in WECHATPAY_VARS {
            cmd.env_remove(name);
        }
        cmd.env("XDG_CONFIG_HOME", self.dir.path())
            .envs(self.env.iter().cloned())
            .timeout(Duration::from_secs(60))
            .args(["notify", "parse", "--headers"])
            .arg(&self.headers)
            .arg("--body")
            .arg(&self.body)
            .args(extra);
        cmd
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_callback_signed_an_hour_ago_fails_now_and_verifies_as_of_when_it_arrived() {
    let t = now() - 3600;
    let captured = capture_signed_at(t);

    let out = captured
        .parse(&[])
        .assert()
        .code(VERIFICATION_FAILURE)
        .get_output()
        .clone();
    assert!(
        out.stdout.is_empty(),
        "nothing printed for a callback that does not verify"
    );
    let stderr = stderr_of(&out);
    assert!(stderr.contains("away from the local clock"), "a clock skew: {stderr}");
    assert!(stderr.contains(&format!("signed at {t} = ")), "{stderr}");
    assert!(stderr.contains("--at UNIX_SECONDS"), "the way out is named: {stderr}");

    let at = t.to_string();
    let out = captured.parse(&["--at", &at]).assert().success().get_output().clone();
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, captured.resource);
    let stderr = stderr_of(&out);
    assert!(stderr.contains("checking as of "), "{stderr}");
    assert!(stderr.contains(&format!("(--at {t}), not now")), "{stderr}");
    assert!(stderr.contains("verified as of: "), "{stderr}");
    assert!(stderr.contains("event: TRANSACTION.SUCCESS"), "{stderr}");
}

#[test]
fn the_note_gives_the_date_in_words_and_the_window_applies_as_of_that_time() {
    // Sun Jun 23 07:49:35 UTC 2024 (`date -u -d @1719128975`).
    let t = 1_719_128_975;
    let captured = capture_signed_at(t);
    let out = captured
        .parse(&["--at", "1719128975"])
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = stderr_of(&out);
    assert!(
        stderr.contains("note: checking as of 2024-06-23 07:49:35 UTC (--at 1719128975), not now"),
        "{stderr}"
    );

    // Six minutes after it was signed: outside the five-minute window, as of that time too.
    let late = (t + 360).to_string();
    let out = captured
        .parse(&["--at", &late])
        .assert()
        .code(VERIFICATION_FAILURE)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    let stderr = stderr_of(&out);
    assert!(stderr.contains("360 s away"), "{stderr}");
    assert!(
        stderr.contains("checked against is --at 1719129335 = 2024-06-23 07:55:35 UTC, not now"),
        "{stderr}"
    );
    // With --at given, no hint to give it.
    assert!(!stderr.contains("--at UNIX_SECONDS"), "{stderr}");
}

#[test]
fn at_needs_a_configured_platform_key_and_a_sane_time() {
    let captured = capture_signed_at(now());
    // Without a platform key, certificates would be downloaded, stamped with the old time.
    let keep = |name: &str| {
        !matches!(
            name,
            "WECHATPAY_PUBLIC_KEY_ID" | "WECHATPAY_PUBLIC_KEY" | "WECHATPAY_CERTIFICATES"
        )
    };
    let mut cmd = captured.parse(&["--at", "1719128975"]);
    for name in WECHATPAY_VARS.iter().filter(|name| !keep(name)) {
        cmd.env_remove(name);
    }
    let out = cmd.assert().code(CONFIG).get_output().clone();
    assert!(
        stderr_of(&out).contains("--at needs the platform public key"),
        "{}",
        stderr_of(&out)
    );
    // A time that is not Unix seconds is a usage error.
    captured.parse(&["--at", "yesterday"]).assert().code(2);
    captured.parse(&["--at=-1"]).assert().code(2);
    // And now, it verifies without --at.
    captured.parse(&[]).assert().success();
}
