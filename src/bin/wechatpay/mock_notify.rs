//! `wechatpay mock notify`: a sample callback signed with the sandbox's fixed test keys,
//! printed, written to files for `notify parse`, or POSTed to the user's server. The
//! callbacks themselves are made by `wechatpay::mock::sample_notification` and its APIv2
//! counterparts.

use std::io::{IsTerminal as _, Read as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, ValueEnum};
use serde_json::Value;
use wechatpay::mock::{self, SampleNotification};
use wechatpay::protocol::v2::{self, SignType, escape_for_display};

use crate::exit::{self, Failure};
use crate::mock::Mode;

/// Shown after `wechatpay mock notify --help`.
pub const HELP: &str = "\
Makes a callback as the platform would POST it, signed with the sandbox's fixed TEST keys
(the ones `mock serve --keys-dir` writes): the resource encrypted with the APIv3 key
(AEAD_AES_256_GCM), the body signed with the platform public key (--mode public-key, the
default) or the platform certificate (--mode certificate). Test keys only: a callback made
here proves nothing to a server configured with real keys.

The resource defaults to an example of the event's: a transaction for TRANSACTION.SUCCESS,
a refund for REFUND.SUCCESS, REFUND.ABNORMAL and REFUND.CLOSED; --resource replaces it
(needed for other events).

Output: with --out-headers and --out-body, the two files `wechatpay notify parse --headers
--body` reads; with --url, the callback is POSTed there and the receiver's status and answer
(escaped) are printed; exit 1 when the receiver did not accept it (the platform would send
it again). Otherwise the headers as `Name: value` lines, a blank line, then the body.

--v2 makes an APIv2 callback instead: a payment result (<xml> signed with the APIv2 key,
MD5 unless --sign-type HMAC-SHA256), or with --event REFUND a refund result whose req_info
is encrypted (AES-256-ECB under the MD5 of the APIv2 key). --resource then gives the fields
(of req_info, for a refund). `wechatpay notify parse --body FILE` reads both.

Examples:
  wechatpay mock notify --event TRANSACTION.SUCCESS --out-headers cb.headers --out-body cb.json
  . ./sandbox/env.sh && wechatpay notify parse --headers cb.headers --body cb.json
  wechatpay mock notify --event REFUND.SUCCESS --url http://127.0.0.1:8080/wechatpay/notify
  wechatpay mock notify --event TRANSACTION.SUCCESS --resource '{\"out_trade_no\": \"T1\", \"trade_state\": \"SUCCESS\"}'
  wechatpay mock notify --v2 --event REFUND --url http://127.0.0.1:8080/wechatpay/v2/refund";

#[derive(Args)]
pub struct MockNotifyArgs {
    /// The event type: TRANSACTION.SUCCESS, REFUND.SUCCESS, ... (with --v2: TRANSACTION.SUCCESS
    /// or REFUND)
    #[arg(long, value_name = "EVENT_TYPE", default_value = "TRANSACTION.SUCCESS")]
    event: String,
    /// The decrypted resource as JSON text, or @FILE (@- for standard input), instead of the
    /// event's example
    #[arg(long, value_name = "JSON|@FILE")]
    resource: Option<String>,
    /// Which platform key signs it (default: public-key)
    #[arg(long, value_enum, conflicts_with = "v2")]
    mode: Option<Mode>,
    /// Write the headers, as `Name: value` lines, to this file (with --out-body)
    #[arg(long, value_name = "FILE", requires = "out_body", conflicts_with = "url")]
    out_headers: Option<PathBuf>,
    /// Write the body, the exact bytes signed, to this file (with --out-headers)
    #[arg(long, value_name = "FILE", requires = "out_headers", conflicts_with = "url")]
    out_body: Option<PathBuf>,
    /// POST it to this http:// or https:// URL and print the receiver's answer
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Sign as of this Unix time instead of now (APIv3)
    #[arg(long, value_name = "UNIX_SECONDS", value_parser = clap::value_parser!(i64).range(0..=crate::output::LATEST_UNIX_SECONDS), conflicts_with = "v2")]
    at: Option<i64>,
    /// An APIv2 callback: a payment result, or with --event REFUND a refund result
    #[arg(long)]
    v2: bool,
    /// The APIv2 signature algorithm of a payment result
    #[arg(long, value_enum, requires = "v2", default_value_t = V2SignType::Md5)]
    sign_type: V2SignType,
}

#[derive(Clone, Copy, ValueEnum)]
enum V2SignType {
    /// MD5, the default of APIv2
    #[value(name = "MD5")]
    Md5,
    /// HMAC-SHA256
    #[value(name = "HMAC-SHA256")]
    HmacSha256,
}

pub async fn run(args: MockNotifyArgs) -> Result<u8, Failure> {
    let resource = args.resource.as_deref().map(read_resource).transpose()?;
    let (sample, what) = if args.v2 {
        v2_sample(&args, resource.as_ref())?
    } else {
        v3_sample(&args, resource.as_ref())?
    };
    match (&args.url, &args.out_headers, &args.out_body) {
        (Some(url), _, _) => send(url, &sample, &what, args.v2).await,
        (None, Some(headers), Some(body)) => write_files(&sample, headers, body, &what),
        _ => {
            print_sample(&sample);
            note!("{what}");
            Ok(exit::OK)
        }
    }
}

/// The resource of `--resource`: JSON text, or `@FILE`, or `@-` for standard input; a JSON
/// object.
fn read_resource(given: &str) -> Result<Value, Failure> {
    let text = match given.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::usage(format!("cannot read the resource from standard input: {e}")))?;
            text
        }
        Some(file) => std::fs::read_to_string(file)
            .map_err(|e| Failure::usage(format!("cannot read the resource file {file}: {e}")))?,
        None => given.to_owned(),
    };
    let value: Value =
        serde_json::from_str(&text).map_err(|e| Failure::usage(format!("--resource is not JSON: {e}")))?;
    if !value.is_object() {
        return Err(Failure::usage("--resource must be a JSON object"));
    }
    Ok(value)
}

/// An APIv3 callback, and a line saying what it is.
fn v3_sample(args: &MockNotifyArgs, resource: Option<&Value>) -> Result<(SampleNotification, String), Failure> {
    let mode = args.mode.unwrap_or(Mode::PublicKey).into();
    let at = args.at.unwrap_or_else(crate::output::now);
    // The platform's event types are upper case: `transaction.success` means the same.
    let event = args.event.to_ascii_uppercase();
    let sample = mock::sample_notification_at(&event, resource, mode, at).map_err(failure)?;
    let serial = sample
        .headers()
        .get("Wechatpay-Serial")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let what = format!(
        "{event} callback, signed at {at} with the sandbox's {serial}, resource encrypted with the sandbox's APIv3 \
         key (test keys only)"
    );
    Ok((sample, what))
}

/// An APIv2 callback (payment or refund result), and a line saying what it is.
fn v2_sample(args: &MockNotifyArgs, resource: Option<&Value>) -> Result<(SampleNotification, String), Failure> {
    match args.event.to_ascii_uppercase().as_str() {
        "REFUND" | "REFUND.SUCCESS" => Ok((
            mock::sample_v2_refund_notification(resource).map_err(failure)?,
            "APIv2 refund callback, req_info encrypted under the MD5 of the sandbox's APIv2 key (test key only)"
                .to_owned(),
        )),
        "TRANSACTION.SUCCESS" | "TRANSACTION" | "PAY" => {
            let sign_type = match args.sign_type {
                V2SignType::Md5 => SignType::Md5,
                V2SignType::HmacSha256 => SignType::HmacSha256,
            };
            let sample = mock::sample_v2_notification(resource, sign_type).map_err(failure)?;
            let what = format!(
                "APIv2 payment result callback, signed ({}) with the sandbox's APIv2 key (test key only)",
                sign_type.as_str()
            );
            Ok((sample, what))
        }
        _ => Err(Failure::usage(
            "with --v2, --event is TRANSACTION.SUCCESS (a payment result) or REFUND (a refund result)",
        )),
    }
}

/// A sample that could not be made: a usage error when the input is unusable.
fn failure(error: wechatpay::Error) -> Failure {
    match error {
        wechatpay::Error::Request(_) => Failure::usage(exit::describe(&error)),
        other => other.into(),
    }
}

/// The headers as `Name: value` lines, a blank line, and the body, on standard output.
fn print_sample(sample: &SampleNotification) {
    let mut text = sample.headers_text().into_bytes();
    text.push(b'\n');
    text.extend_from_slice(sample.body());
    if std::io::stdout().is_terminal() {
        text.push(b'\n');
    }
    crate::output::emit(&text);
}

/// The two files `notify parse --headers --body` reads.
fn write_files(sample: &SampleNotification, headers: &Path, body: &Path, what: &str) -> Result<u8, Failure> {
    let cannot = |path: &Path, e: std::io::Error| Failure::other(format!("cannot write {}: {e}", path.display()));
    std::fs::write(headers, sample.headers_text()).map_err(|e| cannot(headers, e))?;
    std::fs::write(body, sample.body()).map_err(|e| cannot(body, e))?;
    note!("{what}");
    note!(
        "wrote the headers to {} and the body to {}",
        headers.display(),
        body.display()
    );
    Ok(exit::OK)
}

/// POSTs the callback to `url` and prints the receiver's status and answer, escaped.
async fn send(url: &str, sample: &SampleNotification, what: &str, v2: bool) -> Result<u8, Failure> {
    let parsed = url::Url::parse(url).map_err(|e| Failure::usage(format!("--url: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Failure::usage("--url must be an http:// or https:// URL"));
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Failure::other(format!("cannot build the HTTP client: {e}")))?;
    note!("{what}");
    let shown_url = escape_for_display(parsed.as_str());
    note!("POST {shown_url}");
    let response = client
        .post(parsed)
        .headers(sample.headers().clone())
        .body(sample.body().clone())
        .send()
        .await
        .map_err(|e| {
            Failure::new(
                exit::TRANSPORT,
                format!("cannot POST to {shown_url}: {}", exit::describe(&e)),
            )
        })?;
    let status = response.status();
    let (answer, end) = read_answer(response).await;
    out!("status: {status}");
    if !answer.is_empty() {
        out!("{}", escape_for_display(&String::from_utf8_lossy(&answer)));
    }
    match end {
        AnswerEnd::Whole => {}
        AnswerEnd::Cut => note!("the answer goes on: only its first {MAX_ANSWER_BYTES} bytes were read"),
        AnswerEnd::BrokeOff(error) => {
            note!(
                "the answer broke off after {} bytes: {}",
                answer.len(),
                exit::describe(&error)
            );
            note!("not accepted (the answer did not arrive whole): the platform would send it again later");
            return Ok(exit::FAILURE);
        }
    }
    if accepted(status, &answer, v2) {
        note!("accepted: the platform would not send it again");
        Ok(exit::OK)
    } else if v2 {
        note!("not accepted (the platform wants status 200 and return_code SUCCESS): it would send it again later");
        Ok(exit::FAILURE)
    } else {
        note!("not accepted (the platform wants a 2xx status): it would send it again later");
        Ok(exit::FAILURE)
    }
}

/// The most of a receiver's answer read (and of that, the first
/// [`v2::MAX_DISPLAY_CHARS`] characters are shown).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// How reading a receiver's answer ended.
enum AnswerEnd {
    Whole,
    /// More than [`MAX_ANSWER_BYTES`] came.
    Cut,
    /// The connection failed (or the timeout passed) before the end.
    BrokeOff(reqwest::Error),
}

/// The receiver's answer, at most [`MAX_ANSWER_BYTES`] of it (what arrived, when it broke
/// off), and how it ended.
async fn read_answer(mut response: reqwest::Response) -> (Vec<u8>, AnswerEnd) {
    let mut answer = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ANSWER_BYTES - answer.len();
                if chunk.len() > room {
                    answer.extend_from_slice(&chunk[..room]);
                    return (answer, AnswerEnd::Cut);
                }
                answer.extend_from_slice(&chunk);
            }
            Ok(None) => return (answer, AnswerEnd::Whole),
            Err(error) => return (answer, AnswerEnd::BrokeOff(error.without_url())),
        }
    }
}

/// Whether the platform would take this answer as the callback handled: a 2xx status for
/// APIv3; status 200 and `return_code` `SUCCESS` in an XML answer for APIv2.
fn accepted(status: reqwest::StatusCode, answer: &[u8], v2: bool) -> bool {
    if !v2 {
        return status.is_success();
    }
    status == reqwest::StatusCode::OK
        && v2::parse(answer).is_ok_and(|doc| doc.fields.get("return_code").map(String::as_str) == Some("SUCCESS"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_accepted_as_the_platform_accepts_them() {
        use reqwest::StatusCode;
        assert!(accepted(StatusCode::NO_CONTENT, b"", false));
        assert!(accepted(StatusCode::OK, b"{}", false));
        assert!(!accepted(
            StatusCode::INTERNAL_SERVER_ERROR,
            b"{\"code\":\"FAIL\"}",
            false
        ));
        assert!(accepted(StatusCode::OK, v2::SUCCESS_REPLY.as_bytes(), true));
        assert!(!accepted(StatusCode::OK, b"OK", true));
        assert!(!accepted(StatusCode::OK, v2::failure_reply("no").as_bytes(), true));
        assert!(!accepted(StatusCode::NO_CONTENT, b"", true));
    }

    #[test]
    fn a_resource_is_a_json_object() {
        assert!(read_resource(r#"{"out_trade_no": "T1"}"#).is_ok());
        assert_eq!(read_resource("[1]").unwrap_err().code, exit::USAGE);
        assert_eq!(read_resource("{not json").unwrap_err().code, exit::USAGE);
        assert_eq!(
            read_resource("@/nonexistent/resource.json").unwrap_err().code,
            exit::USAGE
        );
    }
}
