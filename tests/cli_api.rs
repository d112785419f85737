//! `wechatpay api`, the catalogue check of `wechatpay request`, and `wechatpay completions`,
//! run as a user would: the built binary, against a `wechatpay mock serve` child process
//! when a request is sent (pointed at through the env.sh it writes).

#![cfg(feature = "cli")]

use std::path::Path;
use std::process::Stdio;

mod support;

use serde_json::Value;
use support::WECHATPAY_VARS;
use support::cli::{BIN, Sandbox, bare_cmd, text};

/// The exit code `wechatpay --help` documents for bad usage (a refused request included).
const USAGE: i32 = 2;

const SEED: &str = "v3/parking/reminders/ext-payment";

/// Routes besides the built-in ones: one the catalogue does not have.
const ROUTES: &str = r#"[
  {"method": "POST", "path": "/v3/not-catalogued/echo", "status": 200, "body": {"ok": true}}
]"#;

/// The binary for a command that needs no configuration.
fn cmd() -> assert_cmd::Command {
    bare_cmd(Path::new("/nonexistent-wechatpay-config"))
}

/// Standard output and error of a successful run.
fn run_ok(args: &[&str]) -> (String, String) {
    let out = cmd().args(args).assert().success().get_output().clone();
    (text(&out.stdout), text(&out.stderr))
}

/// The columns a line takes on a terminal (CJK characters and full-width forms take two).
fn columns(line: &str) -> usize {
    line.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115f | 0x2e80..=0x303e | 0x3041..=0x33ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff => 2,
            0xac00..=0xd7a3 | 0xf900..=0xfaff | 0xfe30..=0xfe4f | 0xff00..=0xff60 | 0xffe0..=0xffe6 => 2,
            _ => 1,
        })
        .sum()
}

/// The line of `text` whose first word is `name`.
fn field_line<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines()
        .find(|line| line.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"))
}

#[test]
fn show_lists_the_seed_fields_with_their_rules_in_80_columns() {
    let (out, _) = run_ok(&["api", "show", "POST", SEED]);
    assert!(out.starts_with("POST /v3/parking/reminders/ext-payment\n"), "{out}");
    assert!(out.contains("success      204 No Content"), "{out}");
    assert!(out.contains("certificate  not needed"), "{out}");
    let out_trade_no = field_line(&out, "out_trade_no");
    assert!(
        out_trade_no.contains("string, required, at most 64 characters"),
        "{out_trade_no}"
    );
    let fee_items = field_line(&out, "fee_items");
    assert!(
        fee_items.contains("array of object, required, at least 1 item"),
        "{fee_items}"
    );
    let fee_type = field_line(&out, "fee_type");
    assert!(fee_type.contains("string, required"), "{fee_type}");
    // Nested under fee_items: indented deeper.
    assert!(fee_type.starts_with("    fee_type") && fee_items.starts_with("  fee_items"));
    for value in ["UNKNOWN", "MONTHLY", "QUARTERLY", "MEMBER"] {
        assert!(
            out.contains(&format!("EXT_PARKING_PAYMENT_FEE_TYPE_{value}")),
            "{value}: {out}"
        );
    }
    assert!(field_line(&out, "amount").contains("integer, required"));
    assert!(field_line(&out, "pay_time").contains("integer, required"));
    let optional = field_line(&out, "wx_trade_no");
    assert!(!optional.contains("required") && optional.contains("at most 64 characters"));
    assert!(out.contains("answer body (204 No Content): none"), "{out}");
    for line in out.lines() {
        assert!(columns(line) <= 80, "wider than 80 columns: {line:?}");
    }
}

#[test]
fn show_gives_parameters_and_other_hosts_and_concrete_paths_find_their_template() {
    let (out, _) = run_ok(&["api", "show", "get", "/v3/pay/transactions/out-trade-no/T1?mchid=1"]);
    assert!(
        out.starts_with("GET /v3/pay/transactions/out-trade-no/{out_trade_no}\n"),
        "{out}"
    );
    assert!(
        out.contains("path variables\n  out_trade_no  string, required"),
        "{out}"
    );
    assert!(out.contains("query parameters\n  mchid  string, required"), "{out}");
    assert!(field_line(&out, "trade_state").contains("string"), "{out}");
    assert!(out.contains("NOTPAY"), "the answer's enum values: {out}");

    let (out, _) = run_ok(&["api", "show", "POST", "v2/risk/getpublickey"]);
    assert!(out.contains("host         https://fraud.mch.weixin.qq.com/"), "{out}");
    assert!(out.contains("certificate  needed"), "{out}");
    assert!(out.contains("APIv2, /risk/getpublickey on the wire"), "{out}");
}

#[test]
fn show_json_carries_the_same_rules() {
    let (out, _) = run_ok(&["api", "show", "POST", SEED, "--json"]);
    let op: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (op["method"].as_str(), op["status"].as_u64()),
        (Some("POST"), Some(204))
    );
    let body = &op["request_body"];
    let names: Vec<&str> = body["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["required"] == true)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["out_trade_no", "fee_items", "pay_time"]);
    let fee_items = &body["properties"][1]["schema"];
    assert_eq!(fee_items["min_items"], 1);
    let fee_type = &fee_items["items"]["properties"][0];
    assert_eq!(fee_type["name"], "fee_type");
    assert_eq!(fee_type["schema"]["enum"].as_array().unwrap().len(), 4);
    assert_eq!(body["properties"][0]["schema"]["max_length"], 64);
    assert!(op["response_body"].is_null());
}

#[test]
fn search_finds_by_chinese_and_english_words() {
    let (out, err) = run_ok(&["api", "search", "停车"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST   /v3/parking/reminders/ext-payment  ")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST   /v3/parking/reminders/entry  ")),
        "{out}"
    );
    assert_eq!(err.trim(), format!("{} operations", lines.len()));

    let (out, _) = run_ok(&["api", "search", "refund"]);
    assert!(out.contains("POST   /v3/refund/domestic/refunds  "), "{out}");
    assert!(
        out.contains("GET    /v3/refund/domestic/refunds/{out_refund_no}  "),
        "{out}"
    );
    // Every word must match; paths first.
    let (out, _) = run_ok(&["api", "search", "refunds", "查询"]);
    assert!(out.lines().all(|l| l.contains("查询")), "{out}");
    let (out, _) = run_ok(&["api", "search", "v3/pay/transactions", "--json"]);
    let found: Value = serde_json::from_str(&out).unwrap();
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .all(|op| op["path"].as_str().unwrap().contains("/v3/pay/transactions"))
    );

    let assert = cmd().args(["api", "search", "no-such-word-anywhere"]).assert().code(1);
    let out = assert.get_output();
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("no catalogued operation matches"));
}

#[test]
fn an_unknown_operation_says_what_is_near() {
    let assert = cmd()
        .args(["api", "show", "POST", "v3/pay/transaction/native"])
        .assert()
        .code(1);
    let err = text(&assert.get_output().stderr);
    assert!(err.contains("did you mean POST /v3/pay/transactions/native?"), "{err}");

    // A known path, another method: its methods.
    let assert = cmd()
        .args(["api", "example", "DELETE", "v3/refund/domestic/refunds/{out_refund_no}"])
        .assert()
        .code(1);
    let err = text(&assert.get_output().stderr);
    assert!(
        err.contains("/v3/refund/domestic/refunds/{out_refund_no} has GET"),
        "{err}"
    );

    // Control characters in what was typed come back escaped.
    let assert = cmd().args(["api", "show", "GET", "v3/\u{1b}[2J/x"]).assert().code(1);
    let err = text(&assert.get_output().stderr);
    assert!(!err.contains('\u{1b}') && err.contains("\\u{1b}"), "{err:?}");
}

#[test]
fn example_prints_a_body_and_the_parameters_as_flags() {
    let (out, _) = run_ok(&["api", "example", "POST", SEED]);
    assert_eq!(out.lines().count(), 1, "compact when piped: {out}");
    let body: Value = serde_json::from_str(&out).unwrap();
    assert!(body["pay_time"].is_i64() && body["out_trade_no"].is_string(), "{body}");

    let (out, err) = run_ok(&[
        "api",
        "example",
        "GET",
        "v3/pay/transactions/out-trade-no/{out_trade_no}",
        "--params",
    ]);
    assert!(out.is_empty(), "no body: nothing on stdout: {out}");
    assert!(err.contains("takes no request body"), "{err}");
    assert!(
        err.contains("--param out_trade_no=") && err.contains("--query mchid="),
        "{err}"
    );
}

#[test]
fn an_example_piped_into_request_is_sent_and_accepted() {
    let sandbox = Sandbox::with_routes(ROUTES, &[]);
    let mut example = std::process::Command::new(BIN)
        .args(["api", "example", "POST", SEED])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pipe = example.stdout.take().unwrap();
    let mut request = std::process::Command::new(BIN);
    for name in WECHATPAY_VARS {
        request.env_remove(name);
    }
    let request = request
        .env("XDG_CONFIG_HOME", sandbox.dir.path())
        .envs(sandbox.env())
        .args(["request", "POST", SEED, "--json", "@-"])
        .stdin(Stdio::from(pipe))
        .output()
        .unwrap();
    assert!(example.wait().unwrap().success());
    let err = text(&request.stderr);
    assert!(request.status.success(), "{err}");
    assert!(err.contains("HTTP 204 No Content"), "{err}");
    assert!(!err.contains("error[") && !err.contains("warning["), "{err}");
    let line = "POST /v3/parking/reminders/ext-payment  -> 204  verified: yes";
    assert_eq!(sandbox.count_before(line, line), 1);
}

/// The same for an APIv2 operation: the example leaves out `sign` and `nonce_str`, which the
/// client fills in, and names the configured merchant, not the documentation's (which the
/// client would refuse to send for).
#[test]
fn a_v2_example_piped_into_request_is_sent_and_verified() {
    const MICROPAY: &str = "v2/pay/micropay";
    let sandbox = Sandbox::with_routes(ROUTES, &[]);
    let mut example = std::process::Command::new(BIN);
    for name in WECHATPAY_VARS {
        example.env_remove(name);
    }
    let mut example = example
        .env("XDG_CONFIG_HOME", sandbox.dir.path())
        .envs(sandbox.env())
        .args(["api", "example", "POST", MICROPAY])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut example.stdout.take().unwrap(), &mut body).unwrap();
    assert!(example.wait().unwrap().success());
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["mch_id"], wechatpay::mock::MCHID, "{body}");
    assert!(body.get("sign").is_none() && body.get("nonce_str").is_none(), "{body}");

    let out = sandbox
        .cmd()
        .args(["request", "POST", MICROPAY, "--json", "@-"])
        .write_stdin(body.to_string())
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("HTTP 200 OK"), "{err}");
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["return_code"],
        "SUCCESS"
    );
}

/// Without a merchant given, the example keeps the documentation's; `--mchid` and
/// `WECHATPAY_MCHID` give one (digits only); a profiles file, even a broken one, is not
/// read by this offline command.
#[test]
fn an_example_names_the_merchant_given_and_reads_no_profile() {
    let (out, _) = run_ok(&["api", "example", "POST", "v2/pay/micropay"]);
    let body: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(body["mch_id"], "1900000109", "{body}");

    let (out, _) = run_ok(&["api", "example", "POST", "v2/pay/micropay", "--mchid", "1230000109"]);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["mch_id"], "1230000109");

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("wechatpay")).unwrap();
    std::fs::write(dir.path().join("wechatpay/profiles.toml"), "[default\nbroken").unwrap();
    let out = bare_cmd(dir.path())
        .env("WECHATPAY_MCHID", "1900000001")
        .args(["api", "example", "POST", "v3/pay/transactions/native"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["mchid"],
        "1900000001"
    );

    for bad in ["", "19000x", " 1"] {
        cmd()
            .args(["api", "example", "POST", "v2/pay/micropay", "--mchid", bad])
            .assert()
            .code(USAGE);
    }
}

#[test]
fn a_request_that_breaks_the_catalogue_is_not_sent_unless_told() {
    let sandbox = Sandbox::with_routes(ROUTES, &[]);
    // An order number where the fee type belongs: the enum error shows what was found.
    let order = "ORDER20240704153000";
    let body = format!(r#"{{"out_trade_no":"T1","fee_items":[{{"fee_type":"{order}","amount":1}}]}}"#);
    let assert = sandbox
        .cmd()
        .args(["request", "POST", SEED, "--json", &body])
        .assert()
        .code(USAGE);
    let out = assert.get_output();
    let err = text(&out.stderr);
    assert!(
        err.contains("error[required]: /pay_time: expected integer, found nothing"),
        "{err}"
    );
    assert!(err.contains("error[enum]: /fee_items/0/fee_type: "), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    // The order number is the user's own: standard error only, never standard output.
    assert!(err.contains(order), "{err}");
    assert!(out.stdout.is_empty(), "{:?}", text(&out.stdout));

    let assert = sandbox
        .cmd()
        .args(["request", "POST", SEED, "--no-validate", "--json", &body])
        .assert()
        .success();
    let err = text(&assert.get_output().stderr);
    assert!(!err.contains("error[") && err.contains("HTTP 204"), "{err}");
    // One request reached the sandbox: the second.
    let line = "POST /v3/parking/reminders/ext-payment  -> 204  verified: yes";
    assert_eq!(sandbox.count_before(line, line), 1);
}

#[test]
fn warnings_are_printed_and_the_request_is_sent() {
    let sandbox = Sandbox::with_routes(ROUTES, &[]);
    let body = r#"{"out_trade_no":"T1","fee_items":[{"fee_type":"EXT_PARKING_PAYMENT_FEE_TYPE_MEMBER","amount":1}],"pay_time":1719128975,"note":"undocumented"}"#;
    let assert = sandbox
        .cmd()
        .args(["request", "POST", SEED, "--json", body])
        .assert()
        .success();
    let err = text(&assert.get_output().stderr);
    assert!(err.contains("warning[unknown-field]: /note: "), "{err}");
    assert!(
        err.contains("warning: 1 warning against POST /v3/parking/reminders/ext-payment"),
        "{err}"
    );
    assert!(err.contains("HTTP 204"), "{err}");
}

#[test]
fn an_uncatalogued_operation_is_sent_unchecked() {
    let sandbox = Sandbox::with_routes(ROUTES, &[]);
    let assert = sandbox
        .cmd()
        .args([
            "request",
            "POST",
            "v3/not-catalogued/echo",
            "--json",
            r#"{"anything": [1, "two"]}"#,
        ])
        .assert()
        .success();
    let out = assert.get_output();
    let err = text(&out.stderr);
    assert!(!err.contains("error[") && !err.contains("warning"), "{err}");
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap()["ok"], true);
    let line = "POST /v3/not-catalogued/echo  -> 200  verified: yes";
    assert_eq!(sandbox.count_before(line, line), 1);
}

#[test]
fn bash_completion_offers_commands_methods_and_catalogue_paths() {
    let (script, _) = run_ok(&["completions", "bash"]);
    assert!(script.contains("'api') subs='search show example'"), "{script}");
    assert!(script.contains("__complete-path"));
    // The hidden command the script calls: the catalogue's templates, segment by segment.
    let (paths, _) = run_ok(&["__complete-path", "POST", "v3/parking/reminders/"]);
    assert!(
        paths.lines().any(|l| l == "v3/parking/reminders/ext-payment"),
        "{paths}"
    );
    assert!(
        !paths.lines().any(|l| l == "v3/parking/reminders/parking-lot"),
        "GET only: {paths}"
    );

    // The script itself, in bash, with the binary's folder on PATH.
    let Ok(bash) = which("bash") else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wechatpay.bash");
    std::fs::write(&file, &script).unwrap();
    // The words before the cursor, then the word under it.
    let complete = |line: &str, current: &str| {
        let program = format!(
            "source {}; COMP_WORDS=({line} '{current}'); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _wechatpay 2>/dev/null; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.display()
        );
        let bin_dir = Path::new(BIN).parent().unwrap();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        let out = std::process::Command::new(&bash)
            .args(["-c", &program])
            .env("PATH", path)
            .output()
            .unwrap();
        text(&out.stdout)
    };
    let lines = |text: String| text.lines().map(String::from).collect::<Vec<_>>();
    assert_eq!(lines(complete("wechatpay api", "")), ["search", "show", "example"]);
    assert_eq!(lines(complete("wechatpay --mchid 1 request", "po")), ["POST"]);
    let paths = complete("wechatpay request GET", "v3/pay/transactions/out-trade-no/");
    assert_eq!(lines(paths), ["v3/pay/transactions/out-trade-no/{out_trade_no}"]);
    assert_eq!(
        lines(complete("wechatpay api show POST", "/v3/parking/reminders/ext")),
        ["/v3/parking/reminders/ext-payment"]
    );
    assert_eq!(lines(complete("wechatpay completions", "")), ["bash", "zsh", "fish"]);
    assert_eq!(lines(complete("wechatpay mock serve --mode", "c")), ["certificate"]);
    assert!(lines(complete("wechatpay request --json x.json", "--no")).contains(&"--no-validate".to_owned()));
}

#[test]
fn zsh_and_fish_scripts_are_written_and_parse() {
    for (shell, start) in [("zsh", "#compdef wechatpay\n"), ("fish", "# fish completion")] {
        let (script, _) = run_ok(&["completions", shell]);
        assert!(script.starts_with(start), "{shell}: {script}");
        assert!(script.contains("__complete-path") && script.contains("api"), "{shell}");
        // Checked by the shell itself where it is installed.
        if let Ok(program) = which(shell) {
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), &script).unwrap();
            let status = std::process::Command::new(program)
                .arg("-n")
                .arg(file.path())
                .status()
                .unwrap();
            assert!(status.success(), "{shell} -n refuses the script");
        }
    }
}

/// A program on PATH.
fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    let path = std::env::var_os("PATH").ok_or(())?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .ok_or(())
}

#[test]
fn the_new_commands_help_shows_examples() {
    for command in [
        &["api"][..],
        &["api", "search"],
        &["api", "show"],
        &["api", "example"],
        &["completions"],
    ] {
        for flag in ["-h", "--help"] {
            let (help, _) = run_ok(&[command, &[flag][..]].concat());
            assert!(help.contains("Example"), "{command:?} {flag} shows no example:\n{help}");
        }
    }
    let (help, _) = run_ok(&["--help"]);
    assert!(help.contains("wechatpay api example POST"), "{help}");
    let (help, _) = run_ok(&["request", "--help"]);
    assert!(help.contains("--no-validate"), "{help}");
}

/// `--params` for an APIv2 operation prints no `sign` or `nonce_str` (which `request`
/// refuses: the client computes them) and names the merchant given.
#[test]
fn v2_example_flags_leave_out_what_the_client_fills_in() {
    let (_, err) = run_ok(&[
        "api",
        "example",
        "GET",
        "v2/papay/entrustweb",
        "--params",
        "--mchid",
        "1900000001",
    ]);
    assert!(err.contains("--query mch_id=1900000001"), "{err}");
    assert!(!err.contains("sign=") && !err.contains("nonce_str="), "{err}");
}
