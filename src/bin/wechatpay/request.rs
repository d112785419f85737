//! `wechatpay request METHOD PATH`: one signed request through the chain API.

use std::io::Read as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;

use serde_json::{Value, json};
use wechatpay::Error;
use wechatpay::catalog::Severity;
use wechatpay::text::visible;

use crate::config::{Config, ConfigArgs};
use crate::exit::{self, Failure};
use crate::output;

/// Shown after `wechatpay request -h`.
pub const SHORT_HELP: &str = "Example:\n  wechatpay request GET 'v3/pay/transactions/out-trade-no/{out_trade_no}' \\\n      --param out_trade_no=T1 --query mchid=1900000001";

/// Shown after `wechatpay request --help`.
pub const HELP: &str = "\
The path is named as in the library's client.chain(PATH): camelCase segments become
kebab-case and `_name_` means the variable {name}; identifiers go in --param, never in the
path. Path values and query parameters are percent-encoded; the signature covers the exact
target and body sent.

Output: the status line, the Request-ID and the platform key that verified the answer go to
standard error; the body goes to standard output (pretty JSON on a terminal, the bytes as
received when piped). An answer that fails verification is never printed. An API error
prints its code, message and detail; on SIGN_ERROR the message the platform built is shown
beside the one built here, so a mismatch is visible.

Before anything is signed, the request is checked against the operation catalogue
(`wechatpay api show METHOD PATH` shows its rules): each broken rule goes to standard error
the way a compiler reports it, `error[required]: /pay_time: expected integer, found nothing`.
Any error: nothing is sent, exit code 2. Warnings only (fields the catalogue does not list,
rules it is known to state loosely): they are printed and the request is sent. An operation
missing from the catalogue is sent unchecked; --no-validate skips the check.

Exit codes: 0 2xx, 2 usage (a request that breaks the catalogue too), 3 configuration,
4 API error, 5 verification failure, 6 transport failure.

Examples:
  wechatpay request POST v3/parking/reminders/ext-payment --json @reminder.json
  wechatpay api example POST v3/parking/reminders/ext-payment \\
      | wechatpay request POST v3/parking/reminders/ext-payment --json @-
  wechatpay request GET 'v3/pay/transactions/out-trade-no/{out_trade_no}' \\
      --param out_trade_no=T1 --query mchid=1900000001 -v
  wechatpay request GET v3/certificates | jq .data[0].serial_no";

#[derive(Args)]
pub struct RequestArgs {
    /// HTTP method: GET, POST, PUT, PATCH, DELETE, ...
    pub method: String,
    /// API path, as for client.chain(PATH), e.g. v3/pay/transactions/out-trade-no/{out_trade_no}
    path: String,
    /// JSON body, given inline or as @FILE (@- reads standard input)
    #[arg(long, value_name = "JSON|@FILE")]
    json: Option<String>,
    /// Query parameter (repeatable; order is kept)
    #[arg(long = "query", value_name = "KEY=VALUE", value_parser = parse_pair)]
    query: Vec<(String, String)>,
    /// Path variable value for {KEY} (repeatable)
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_pair)]
    param: Vec<(String, String)>,
    /// Extra request header (repeatable)
    #[arg(long = "header", short = 'H', value_name = "'NAME: VALUE'", value_parser = parse_header)]
    header: Vec<(String, String)>,
    /// Time allowed for the request, in seconds (default 30)
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// Also print the request headers, the signing message and the response headers
    #[arg(short, long)]
    verbose: bool,
    /// Send the request without checking it against the operation catalogue first
    #[arg(long)]
    no_validate: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
}

fn parse_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got {text:?}")),
    }
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_owned(), value.trim().to_owned())),
        _ => Err(format!("expected 'Name: value', got {text:?}")),
    }
}

/// What the signature of the last attempt covered, as the library reported it through
/// `RequestBuilder::on_signed`.
#[derive(Clone)]
struct SignedMessage {
    method: String,
    target: String,
    timestamp: i64,
    nonce: String,
    body: Vec<u8>,
}

impl SignedMessage {
    /// The five lines.
    fn fields(&self) -> [std::borrow::Cow<'_, str>; 5] {
        [
            self.method.as_str().into(),
            self.target.as_str().into(),
            self.timestamp.to_string().into(),
            self.nonce.as_str().into(),
            String::from_utf8_lossy(&self.body),
        ]
    }
}

fn read_json(arg: &str) -> Result<Value, Failure> {
    let text = match arg.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::usage(format!("cannot read the JSON body from standard input: {e}")))?;
            text
        }
        Some(file) => std::fs::read_to_string(file).map_err(|e| Failure::usage(format!("cannot read {file}: {e}")))?,
        None => arg.to_owned(),
    };
    serde_json::from_str(&text).map_err(|e| Failure::usage(format!("--json is not valid JSON: {e}")))
}

pub async fn run(config: &Config, args: RequestArgs) -> Result<u8, Failure> {
    let method = http::Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| Failure::usage(format!("{:?} is not an HTTP method", args.method)))?;
    let body = args.json.as_deref().map(read_json).transpose()?;
    let apiv3 = config.apiv3_key(false)?;
    let mut builder = config.client_builder(apiv3.as_ref(), true)?;
    if let Some(seconds) = args.timeout {
        builder = builder.timeout(Duration::from_secs(seconds));
    }
    let client = builder.build()?;

    let mut request = client.chain(&args.path).request(method, body);
    for (name, value) in &args.param {
        request = request.param(name, value);
    }
    for (key, value) in &args.query {
        request = request.query(key, value);
    }
    for (name, value) in &args.header {
        request = request.header(name, value);
    }
    request.check_path().map_err(|e| with_segment(e, &args.path))?;
    if !args.no_validate {
        check(&request)?;
    }
    let signed: Arc<Mutex<Option<SignedMessage>>> = Arc::default();
    let verbose = args.verbose;
    let v2 = wechatpay::path::names_apiv2(&args.path);
    let last = signed.clone();
    let request = request.on_signed(move |sent| {
        if verbose {
            print_request(sent, v2);
        }
        *last.lock().unwrap_or_else(|e| e.into_inner()) = Some(SignedMessage {
            method: sent.method.to_owned(),
            target: sent.target.to_owned(),
            timestamp: sent.timestamp,
            nonce: sent.nonce.to_owned(),
            body: sent.body.to_vec(),
        });
    });

    match request.await {
        Ok(response) => {
            let status = response.status();
            note!("HTTP {} {}", status.as_u16(), status.canonical_reason().unwrap_or(""));
            note!("Request-ID: {}", response.request_id().unwrap_or("-"));
            note!(
                "Verified-By: {}",
                response.verified_by().unwrap_or("- (an unsigned download)")
            );
            if args.verbose {
                print_response_headers(response.headers());
            }
            output::print_body(response.bytes());
            Ok(exit::OK)
        }
        Err(error) => {
            let signed = signed.lock().unwrap_or_else(|e| e.into_inner()).clone();
            report_error(
                &error,
                signed.as_ref(),
                client.signer().serial(),
                args.verbose,
                config.base_url(),
            );
            Ok(exit::code_of(&error))
        }
    }
}

/// The library names a refused identifier segment by its position only (it is usually an
/// order number); the user typed it, so the tool shows it back on standard error, escaped.
fn with_segment(error: Error, path: &str) -> Failure {
    let segment = match &error {
        Error::Request(wechatpay::error::RequestError::IdentifierInPath { position, .. }) => path
            .trim_start_matches('/')
            .split('/')
            .nth(position.saturating_sub(1))
            .map(visible),
        _ => None,
    };
    let mut failure = Failure::from(error);
    if let Some(segment) = segment {
        failure.message.push_str(&format!("\n  the segment: {segment}"));
    }
    failure
}

/// Checks the request against the operation catalogue before anything is signed: each
/// violation on standard error, compiler style (`error[required]: /pay_time: ...`), then a
/// summary. An error-level one refuses the request (exit 2); warnings only let it go. An
/// operation missing from the catalogue passes, with a "did you mean" when one is close.
///
/// What was found can be the user's own data (an order number): it goes to standard error
/// only, escaped.
fn check(request: &wechatpay::RequestBuilder) -> Result<(), Failure> {
    if let Some(near) = request.closest_operation() {
        note!("warning: this operation is not in the catalogue; did you mean {near}? (sending it as given)");
    }
    let violations = request.validate();
    if violations.is_empty() {
        return Ok(());
    }
    for violation in &violations {
        note!("{}", visible(&violation.to_string()));
    }
    let errors = violations.iter().filter(|v| v.severity == Severity::Error).count();
    let warnings = violations.len() - errors;
    let operation = request
        .describe()
        .map_or_else(|| "the catalogue".to_owned(), |op| op.to_string());
    if errors > 0 {
        let mut counted = plural(errors, "error");
        if warnings > 0 {
            counted.push_str(&format!(", {}", plural(warnings, "warning")));
        }
        return Err(Failure::usage(format!(
            "the request breaks {operation} ({counted}): nothing was sent; \
             `wechatpay api show {operation}` describes it, --no-validate sends it anyway"
        )));
    }
    note!(
        "warning: {} against {operation}: sending the request all the same",
        plural(warnings, "warning")
    );
    Ok(())
}

/// `1 error`, `2 warnings`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The answer's headers, one `< name: value` line each, escaped.
fn print_response_headers(headers: &http::HeaderMap) {
    for (name, value) in headers {
        note!("< {name}: {}", visible(&String::from_utf8_lossy(value.as_bytes())));
    }
}

/// The request exactly as signed and sent: the request line, the headers and (APIv3) the
/// signing message, line by line. An APIv2 request carries its sign in the body.
fn print_request(sent: &wechatpay::SignedRequest<'_>, v2: bool) {
    note!("> {} {}", sent.method, sent.target);
    for (name, value) in sent.headers {
        note!("> {name}: {}", String::from_utf8_lossy(value.as_bytes()));
    }
    if v2 {
        note!("* APIv2: signed with the APIv2 key; nonce_str and sign are in the body");
    } else {
        note!("* signing message: five lines, each ending in \\n:");
        for line in String::from_utf8_lossy(&sent.message()).split_inclusive('\n') {
            note!("*   {}", visible(line.strip_suffix('\n').unwrap_or(line)));
        }
    }
    if !sent.body.is_empty() {
        note!("> {}", String::from_utf8_lossy(sent.body));
    }
}

fn report_error(error: &Error, local: Option<&SignedMessage>, serial: &str, verbose: bool, base_url: &str) {
    match error.last_cause() {
        Error::Api(api) => {
            let wechatpay::error::ApiError {
                status,
                code,
                message,
                detail,
                request_id,
                body,
                headers,
                ..
            } = api.as_ref();
            let reason = http::StatusCode::from_u16(*status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            // An error answer is not signed: everything it says is shown escaped.
            note!("HTTP {status} {reason}");
            note!("Request-ID: {}", visible(request_id.as_deref().unwrap_or("-")));
            if verbose {
                print_response_headers(headers);
            }
            note!(
                "error: API error {status} {}: {}",
                visible(code.as_deref().unwrap_or("(no code)")),
                visible(message.as_deref().unwrap_or("(no message)"))
            );
            if code.as_deref() == Some("SIGN_ERROR") {
                print_sign_error(detail.as_ref(), local, serial);
            }
            if code.is_some() || message.is_some() {
                let mut answer = json!({"code": code, "message": message});
                if let Some(detail) = detail {
                    answer["detail"] = detail.clone();
                }
                output::print_json(&answer);
            } else if let Some(body) = body {
                output::print_escaped(body);
            }
        }
        Error::ApiV2(v2) => {
            // Escaped in its Display; the fields go out as JSON, with the characters that act
            // on a terminal escaped (print_json).
            note!("error: {}", exit::describe(error));
            let said = match v2.as_ref() {
                wechatpay::error::ApiV2Error::Refused {
                    return_code,
                    return_msg,
                } => json!({"return_code": return_code, "return_msg": return_msg}),
                wechatpay::error::ApiV2Error::Declined { answer, .. } => answer.clone(),
                _ => Value::Null,
            };
            if !said.is_null() {
                output::print_json(&said);
            }
        }
        cause if cause.is_verification_failure() => {
            note!(
                "error: the answer could not be authenticated: {}",
                exit::describe(error)
            );
            note!(
                "  it may have been forged or altered on the way, or the local clock is wrong: its body is not shown"
            );
        }
        cause => {
            note!("error: {}", exit::describe(error));
            if let Some(hint) = sandbox_hint(cause, base_url) {
                note!("  {hint}");
            }
            if let Some(hint) = crate::config::hint(cause) {
                note!("  {hint}");
            }
        }
    }
}

/// A refused connection to a loopback base URL: most likely the sandbox stopped, or was
/// started again on another port.
fn sandbox_hint(cause: &Error, base_url: &str) -> Option<&'static str> {
    let Error::Transport(e) = cause else {
        return None;
    };
    let host = url::Url::parse(base_url).ok()?.host_str()?.to_owned();
    let loopback = host == "localhost" || host.starts_with("127.") || host == "[::1]";
    (e.is_connect() && loopback).then_some(
        "nothing answers there: has the sandbox (wechatpay mock serve) stopped, or moved to another port? \
         Start it again and re-source its env.sh",
    )
}

/// Splits a signing message into its five lines; the body may be cut short (the platform
/// sends at most 1024 characters of the message).
fn split_message(message: &str) -> [Option<&str>; 5] {
    let mut parts = message.splitn(5, '\n');
    let mut fields = [None; 5];
    for field in fields.iter_mut() {
        *field = parts.next();
    }
    if let Some(body) = fields[4] {
        fields[4] = Some(body.strip_suffix('\n').unwrap_or(body));
    }
    fields
}

fn print_sign_error(detail: Option<&Value>, local: Option<&SignedMessage>, serial: &str) {
    let info = detail.and_then(|d| d.get("sign_information"));
    let Some(server) = info
        .and_then(|i| i.get("truncated_sign_message"))
        .and_then(Value::as_str)
    else {
        if let Some(detail) = detail {
            // An error answer is unsigned: its text is escaped before it reaches the terminal.
            note!("detail: {}", output::escape_json_text(&detail.to_string()));
        }
        return;
    };
    let server_length = info.and_then(|i| i.get("sign_message_length")).and_then(Value::as_u64);
    let truncated = server_length.is_some_and(|n| n as usize > server.len());
    let server_fields = split_message(server);
    let Some(local) = local else {
        note!("the message the platform built:");
        for field in server_fields.iter().flatten() {
            note!("  {}", visible(field));
        }
        return;
    };
    let local_fields = local.fields();
    note!("the signing message the platform built, beside the one signed here (= same, ! differs):");
    let names = ["method", "target", "timestamp", "nonce", "body"];
    let mut differences = 0;
    for (i, name) in names.iter().enumerate() {
        let theirs = server_fields[i].unwrap_or("(missing)");
        let ours: &str = &local_fields[i];
        let same = if i == 4 && truncated {
            ours.starts_with(theirs)
        } else {
            theirs == ours
        };
        if same {
            note!("  = {name:<9}  {}", visible(theirs));
        } else {
            differences += 1;
            note!("  ! {name:<9}  platform: {}", visible(theirs));
            note!("    {:<9}  here:     {}", "", visible(ours));
        }
    }
    if differences == 0 {
        note!(
            "the messages match, so the signature itself does not verify: the private key does not belong to the \
             merchant certificate {serial} (check with `wechatpay doctor --merchant-certificate apiclient_cert.pem`)"
        );
    } else {
        note!("the lines marked ! differ: the request was changed between signing and the platform");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_signing_message() {
        let fields = split_message("POST\n/v3/x\n1\nN\n{\"a\":\n1}\n");
        assert_eq!(
            fields,
            [Some("POST"), Some("/v3/x"), Some("1"), Some("N"), Some("{\"a\":\n1}")]
        );
    }
}
