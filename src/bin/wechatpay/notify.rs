//! `wechatpay notify parse --headers FILE --body FILE [--at UNIX_SECONDS]`; an APIv2
//! callback (XML) is read by [`crate::notify_v2`].

use std::path::{Path, PathBuf};

use clap::Subcommand;
use http::{HeaderMap, HeaderName, HeaderValue};
use wechatpay::clock::FixedClock;
use wechatpay::error::{BodyError, VerificationError};
use wechatpay::{Error, Notification, Notifications};

use crate::config::{Config, ConfigArgs};
use crate::exit::{self, Failure};
use crate::output;

#[derive(Subcommand)]
pub enum NotifyCommand {
    /// Verify and decrypt a captured callback and print its resource JSON
    #[command(after_help = "\
The headers file holds the callback's headers as `Name: value` lines, HTTP style (a request
or status line first is skipped); the body file holds the body bytes exactly as received.
Needs the platform key that signed it and the APIv3 key. Prints the decrypted resource on
standard output and the event type, id and verifying key on standard error; exit code 5
when the callback does not verify or decrypt.

A callback is accepted within 5 minutes of its Wechatpay-Timestamp. To check one captured
earlier, give --at with the Unix time it arrived: it is then checked as of that time (the
window, the keys' validity), not now, which proves who signed it, not that it is fresh.
--at needs the platform key or certificates configured (a download would be refused).

An APIv2 callback (an XML body) needs no headers file: a payment result is verified with
the APIv2 key and its fields printed; a refund result's req_info is decrypted with it and
the refund's fields printed (it carries no signature: confirm the refund with a query).

Example:
  wechatpay notify parse --headers callback.headers --body callback.json | jq .out_trade_no
  wechatpay notify parse --body callback.xml
  wechatpay notify parse --headers callback.headers --body callback.json --at 1719128975")]
    Parse {
        /// File of `Name: value` header lines (not needed for an APIv2 callback)
        #[arg(long, value_name = "FILE")]
        headers: Option<PathBuf>,
        /// File holding the raw body
        #[arg(long, value_name = "FILE")]
        body: PathBuf,
        /// Check as of this Unix time (when the callback arrived) instead of now
        #[arg(long, value_name = "UNIX_SECONDS", value_parser = clap::value_parser!(i64).range(0..=crate::output::LATEST_UNIX_SECONDS))]
        at: Option<i64>,
        #[command(flatten)]
        config: ConfigArgs,
    },
}

impl NotifyCommand {
    /// The configuration flags given after the command.
    pub fn config(&self) -> &ConfigArgs {
        match self {
            NotifyCommand::Parse { config, .. } => config,
        }
    }
}

pub async fn run(config: &Config, command: NotifyCommand) -> Result<u8, Failure> {
    match command {
        NotifyCommand::Parse { headers, body, at, .. } => {
            let body_bytes =
                std::fs::read(&body).map_err(|e| Failure::usage(format!("cannot read {}: {e}", body.display())))?;
            if crate::notify_v2::is_v2(&body_bytes) {
                return crate::notify_v2::parse(config, &body_bytes, at);
            }
            let headers = headers.ok_or_else(|| {
                Failure::usage("an APIv3 callback needs its headers: give --headers FILE (`Name: value` lines)")
            })?;
            parse(config, &headers, &body, &body_bytes, at).await
        }
    }
}

/// Reads `Name: value` lines, HTTP style. A first line that is a request or status line
/// (`POST /notify HTTP/1.1`, `HTTP/1.1 200 OK`) is skipped, as are blank lines.
fn parse_headers(text: &str) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if number == 0 && (line.starts_with("HTTP/") || line.contains(" HTTP/")) {
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| format!("line {}: expected `Name: value`, got {line:?}", number + 1))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("line {}: {:?} is not a header name", number + 1, name.trim()))?;
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| format!("line {}: the value of {name} is not a valid header value", number + 1))?;
        headers.append(name, value);
    }
    Ok(headers)
}

async fn parse(
    config: &Config,
    headers_file: &Path,
    body_file: &Path,
    body: &[u8],
    at: Option<i64>,
) -> Result<u8, Failure> {
    // A certificate download would be stamped with the --at clock, and refused.
    if at.is_some() && !config.has_platform_keys() {
        return Err(Failure::config(
            "--at needs the platform public key (--public-key-id, --public-key) or a certificates folder \
             (--certificates; `wechatpay certificates download` writes one)",
        ));
    }
    let headers = read_headers(headers_file)?;
    let apiv3 = config.apiv3_key(true)?.ok_or_else(|| {
        Failure::config(
            "decrypting callbacks needs the APIv3 key: set WECHATPAY_APIV3_KEY, give --apiv3-key-file FILE, or type \
             it at the prompt",
        )
    })?;
    let mut builder = config.client_builder(Some(&apiv3), true)?;
    if let Some(at) = at {
        builder = builder.clock(FixedClock(at));
        note!("note: checking as of {} (--at {at}), not now", output::format_unix(at));
    }
    let client = builder.build()?;
    let notification = match verify(&client.notifications(), &headers, body, body_file).await {
        Ok(notification) => notification,
        Err(error) => return refused(error, &headers, body, at),
    };
    // Verified, but still text from the network: escaped before it reaches the terminal.
    let shown = wechatpay::text::visible;
    note!("event: {}", shown(notification.event_type()));
    note!("id: {}", shown(notification.id()));
    note!("create_time: {}", shown(notification.create_time()));
    if !notification.summary().is_empty() {
        note!("summary: {}", shown(notification.summary()));
    }
    note!("verified by: {}", notification.verified_by());
    if let Some(at) = at {
        note!(
            "verified as of: {} (--at {at}), not now: this says the platform signed it then, not that it is fresh",
            output::format_unix(at)
        );
    }
    output::print_json(notification.resource());
    Ok(exit::OK)
}

/// The captured headers.
fn read_headers(headers_file: &Path) -> Result<HeaderMap, Failure> {
    let text = std::fs::read_to_string(headers_file)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", headers_file.display())))?;
    parse_headers(&text).map_err(|e| Failure::usage(format!("{}: {e}", headers_file.display())))
}

/// Verifies and decrypts; once more without a final newline an editor may have added to
/// the saved body (the platform signed the bytes without it).
async fn verify(
    notifications: &Notifications<'_>,
    headers: &HeaderMap,
    body: &[u8],
    body_file: &Path,
) -> wechatpay::Result<Notification> {
    match notifications.parse(headers, body).await {
        Err(Error::Verification(VerificationError::BadSignature { .. })) if body.ends_with(b"\n") => {
            let trimmed = body
                .strip_suffix(b"\r\n")
                .or_else(|| body.strip_suffix(b"\n"))
                .unwrap_or(body);
            let retried = notifications.parse(headers, trimmed).await;
            if retried.is_ok() {
                note!("note: verified without the final newline of {}", body_file.display());
            }
            retried
        }
        other => other,
    }
}

/// A callback that did not verify: exit 5 with what failed and what to check, which
/// depends on the step that failed: the signature (the body must be the bytes received), the
/// decryption (the APIv3 key), the clock (with `--at` for a callback captured earlier).
fn refused(error: Error, headers: &HeaderMap, body: &[u8], at: Option<i64>) -> Result<u8, Failure> {
    let code = exit::code_of(&error);
    if code != exit::VERIFICATION {
        return Err(error.into());
    }
    let described = exit::describe(&error);
    match error.last_cause() {
        Error::Decryption { .. } => {
            note!("error: the callback's signature verified, but its resource could not be decrypted: {described}");
            for line in DECRYPTION_HINT {
                note!("  {line}");
            }
        }
        Error::Body(BodyError::MalformedNotification { .. }) => {
            note!("error: the callback's signature verified, but it cannot be read: {described}");
            note!("  do not act on it");
        }
        Error::Verification(VerificationError::BadSignature { .. }) => {
            note!("error: the callback could not be authenticated: {described}");
            for line in SIGNATURE_HINT {
                note!("  {line}");
            }
            if looks_reformatted(body) {
                note!(
                    "  this body has line breaks or indentation inside it: it looks pretty-printed, \
                     not as the platform sent it"
                );
            }
        }
        Error::Verification(VerificationError::ClockSkew { .. }) => {
            note!("error: the callback could not be authenticated: {described}");
            note!("  do not act on it: it may be a replay, or the local clock is wrong");
            clock_hint(headers, at);
        }
        _ => {
            note!("error: the callback could not be authenticated or decrypted: {described}");
            note!("  do not act on it: it may be forged or altered");
        }
    }
    Ok(code)
}

/// What to check when the resource does not decrypt (the signature, checked first, passed).
const DECRYPTION_HINT: [&str; 3] = [
    "the APIv3 key configured does not match the one the resource was encrypted with (the key was reset in \
     the merchant platform, or it is another merchant's key), or the body was changed",
    "hint: check the 32-character APIv3 key (WECHATPAY_APIV3_KEY, --apiv3-key-file, profile apiv3_key_file) \
     against the one set in the merchant platform (账户中心 > API安全 > APIv3密钥)",
    "do not act on it until it decrypts",
];

/// What to check when the signature does not verify over the body.
const SIGNATURE_HINT: [&str; 3] = [
    "do not act on it: it may be forged or altered",
    "the body must be the exact bytes received, and the Wechatpay-* headers exactly as sent: JSON parsed \
     and serialised again (pretty-printed, keys reordered, spaces changed, as web frameworks and loggers \
     do) no longer matches the signature",
    "hint: save the raw request body before any JSON parsing (in axum, take `body: Bytes`; in Express, \
     express.raw(); in Flask, request.get_data()) and give those bytes to --body",
];

/// Whether the body has line breaks or indentation inside: the platform sends compact JSON.
fn looks_reformatted(body: &[u8]) -> bool {
    let trimmed = body
        .strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
        .unwrap_or(body);
    trimmed.contains(&b'\n') || trimmed.windows(2).any(|w| w == b"  ")
}

/// For a clock skew: the clock it was checked against, or how to check a callback captured
/// earlier.
fn clock_hint(headers: &HeaderMap, at: Option<i64>) {
    let signed_at = headers
        .get("Wechatpay-Timestamp")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    match (at, signed_at) {
        (Some(at), _) => note!(
            "  the clock it was checked against is --at {at} = {}, not now",
            output::format_unix(at)
        ),
        (None, Some(signed_at)) => note!(
            "  it was signed at {signed_at} = {}; a callback captured then can be checked as of the time it \
             arrived with --at UNIX_SECONDS",
            output::format_unix(signed_at)
        ),
        (None, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_http_style_headers() {
        let headers = parse_headers(
            "POST /notify HTTP/1.1\r\nWechatpay-Serial: PUB_KEY_ID_1\r\nwechatpay-nonce:abc\r\n\r\nX: a: b\n",
        )
        .unwrap();
        assert_eq!(headers["Wechatpay-Serial"], "PUB_KEY_ID_1");
        assert_eq!(headers["Wechatpay-Nonce"], "abc");
        assert_eq!(headers["x"], "a: b");
        assert!(parse_headers("no colon here").is_err());
    }

    #[test]
    fn pretty_printed_bodies_are_told_apart() {
        assert!(!looks_reformatted(br#"{"id":"EV-1","resource":{"a":"b c"}}"#));
        assert!(!looks_reformatted(b"{\"id\":\"EV-1\"}\n"));
        assert!(looks_reformatted(b"{\n  \"id\": \"EV-1\"\n}"));
        assert!(looks_reformatted(b"{\"id\":  \"EV-1\"}"));
    }
}
