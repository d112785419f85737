//! `wechatpay request METHOD PATH`: one signed request through the chain API.

use std::io::Read as _;
use std::time::Duration;

use serde_json::{Value, json};
use wechatpay::Error;
use wechatpay::clock::FixedClock;

use crate::RequestArgs;
use crate::config::Config;
use crate::exit::{self, Failure};
use crate::util;

/// What the signature covers, rebuilt here with the library's public pure functions
/// (`wechatpay::path::expand`, `percent_encode_into`, `auth::signing::message`). The nonce
/// is drawn inside the library when the request is sent, so it is not known here.
struct LocalMessage {
    method: String,
    target: String,
    timestamp: i64,
    body: Vec<u8>,
}

impl LocalMessage {
    /// The five lines, with `nonce` in the fourth.
    fn fields<'a>(&'a self, nonce: &'a str) -> [std::borrow::Cow<'a, str>; 5] {
        [
            self.method.as_str().into(),
            self.target.as_str().into(),
            self.timestamp.to_string().into(),
            nonce.into(),
            String::from_utf8_lossy(&self.body),
        ]
    }
}

/// The request target as the library builds it: the base URL's path, the expanded path
/// template, and the percent-encoded query in order.
fn local_target(
    base_url: &str,
    template: &str,
    params: &[(String, String)],
    query: &[(String, String)],
) -> Option<String> {
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let path = wechatpay::path::expand(template, &params).ok()?;
    let base = url::Url::parse(base_url).ok()?;
    let mut target = base.path().to_owned();
    if !target.ends_with('/') {
        target.push('/');
    }
    target.push_str(&path[1..]);
    for (i, (key, value)) in query.iter().enumerate() {
        target.push(if i == 0 { '?' } else { '&' });
        wechatpay::path::percent_encode_into(key, &mut target);
        target.push('=');
        wechatpay::path::percent_encode_into(value, &mut target);
    }
    Some(target)
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
    // One timestamp for the whole run, so that the signing message can be shown exactly.
    let timestamp = util::now();
    let mut builder = config
        .client_builder(apiv3.as_ref(), true)?
        .clock(FixedClock(timestamp));
    if let Some(seconds) = args.timeout {
        builder = builder.timeout(Duration::from_secs(seconds));
    }
    let client = builder.build()?;

    let chain = client.chain(&args.path);
    let template = chain.template().to_owned();
    let mut request = chain.request(method.clone(), body.clone());
    for (name, value) in &args.param {
        request = request.param(name, value);
    }
    for (key, value) in &args.query {
        request = request.query(key, value);
    }
    for (name, value) in &args.header {
        request = request.header(name, value);
    }
    let local = local_target(config.base_url(), &template, &args.param, &args.query).map(|target| LocalMessage {
        method: method.as_str().to_owned(),
        target,
        timestamp,
        // The library serialises the body once with serde_json, as here.
        body: body
            .as_ref()
            .map(|b| serde_json::to_vec(b).unwrap_or_default())
            .unwrap_or_default(),
    });
    if args.verbose
        && let Some(local) = &local
    {
        print_request(&client, config, local, body.is_some(), &args.header);
    }

    match request.await {
        Ok(response) => {
            let status = response.status();
            eprintln!("HTTP {} {}", status.as_u16(), status.canonical_reason().unwrap_or(""));
            eprintln!("Request-ID: {}", response.request_id().unwrap_or("-"));
            eprintln!(
                "Verified-By: {}",
                response.verified_by().unwrap_or("- (an unsigned download)")
            );
            if args.verbose {
                for (name, value) in response.headers() {
                    eprintln!("< {name}: {}", String::from_utf8_lossy(value.as_bytes()));
                }
            }
            util::print_body(response.bytes());
            Ok(exit::OK)
        }
        Err(error) => {
            report_error(&error, local.as_ref(), client.signer().serial());
            Ok(exit::code_of(&error))
        }
    }
}

fn print_request(
    client: &wechatpay::Client,
    config: &Config,
    local: &LocalMessage,
    has_body: bool,
    headers: &[(String, String)],
) {
    let host = url::Url::parse(config.base_url())
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(port) => format!("{h}:{port}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_default();
    eprintln!("> {} {}", local.method, local.target);
    eprintln!("> Host: {host}");
    eprintln!("> Accept: application/json");
    if has_body {
        eprintln!("> Content-Type: application/json");
    }
    eprintln!("> User-Agent: {}", wechatpay::USER_AGENT);
    if let Some(serial) = client.preferred_platform_key() {
        eprintln!("> Wechatpay-Serial: {serial}");
    }
    for (name, value) in headers {
        eprintln!("> {name}: {value}");
    }
    eprintln!(
        "> Authorization: {}",
        wechatpay::auth::signing::authorization(
            client.mchid(),
            client.signer().serial(),
            "<nonce>",
            local.timestamp,
            "<signature>"
        )
    );
    eprintln!("* signing message: five lines, each ending in \\n (the nonce is drawn when sending):");
    for field in local.fields("<nonce>") {
        eprintln!("*   {}", visible(&field));
    }
    if !local.body.is_empty() {
        eprintln!("> {}", String::from_utf8_lossy(&local.body));
    }
}

fn report_error(error: &Error, local: Option<&LocalMessage>, serial: &str) {
    match error.last_cause() {
        Error::Api {
            status,
            code,
            message,
            detail,
            request_id,
            body,
        } => {
            let reason = http::StatusCode::from_u16(*status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            eprintln!("HTTP {status} {reason}");
            eprintln!("Request-ID: {}", request_id.as_deref().unwrap_or("-"));
            eprintln!(
                "error: API error {status} {}: {}",
                code.as_deref().unwrap_or("(no code)"),
                message.as_deref().unwrap_or("(no message)")
            );
            if code.as_deref() == Some("SIGN_ERROR") {
                print_sign_error(detail.as_deref(), local, serial);
            }
            if code.is_some() || message.is_some() {
                let mut answer = json!({"code": code, "message": message});
                if let Some(detail) = detail {
                    answer["detail"] = (**detail).clone();
                }
                util::print_json(&answer);
            } else if let Some(body) = body {
                util::print_body(body.as_bytes());
            }
        }
        cause if cause.is_verification_failure() => {
            eprintln!(
                "error: the answer could not be authenticated: {}",
                exit::describe(error)
            );
            eprintln!(
                "  it may have been forged or altered on the way, or the local clock is wrong: its body is not shown"
            );
        }
        _ => eprintln!("error: {}", exit::describe(error)),
    }
}

/// The text with control characters escaped (`\n`, `\r`, `\t`, `\u{..}`), so that every
/// byte of a signing message line shows.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
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

fn print_sign_error(detail: Option<&Value>, local: Option<&LocalMessage>, serial: &str) {
    let info = detail.and_then(|d| d.get("sign_information"));
    let Some(server) = info
        .and_then(|i| i.get("truncated_sign_message"))
        .and_then(Value::as_str)
    else {
        if let Some(detail) = detail {
            eprintln!("detail: {detail}");
        }
        return;
    };
    let server_length = info.and_then(|i| i.get("sign_message_length")).and_then(Value::as_u64);
    let truncated = server_length.is_some_and(|n| n as usize > server.len());
    let server_fields = split_message(server);
    let Some(local) = local else {
        eprintln!("the message the platform built:");
        for field in server_fields.iter().flatten() {
            eprintln!("  {}", visible(field));
        }
        return;
    };
    let nonce = server_fields[3].unwrap_or("");
    let local_fields = local.fields(nonce);
    eprintln!("the signing message the platform built, beside the one signed here (= same, ! differs):");
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
        if i == 3 {
            eprintln!(
                "  = {name:<9}  {}  (drawn by the library when sending)",
                visible(theirs)
            );
        } else if same {
            eprintln!("  = {name:<9}  {}", visible(theirs));
        } else {
            differences += 1;
            eprintln!("  ! {name:<9}  platform: {}", visible(theirs));
            eprintln!("    {:<9}  here:     {}", "", visible(ours));
        }
    }
    if differences == 0 {
        eprintln!(
            "the messages match, so the signature itself does not verify: the private key does not belong to the \
             merchant certificate {serial} (check with `wechatpay doctor --merchant-certificate apiclient_cert.pem`)"
        );
    } else {
        eprintln!("the lines marked ! differ: the request was changed between signing and the platform");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilds_the_target_like_the_library() {
        let target = local_target(
            "https://api.mch.weixin.qq.com/",
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
            &[("out_trade_no".into(), "a/b".into())],
            &[("mchid".into(), "1900000001".into()), ("x".into(), "a b".into())],
        );
        assert_eq!(
            target.as_deref(),
            Some("/v3/pay/transactions/out-trade-no/a%2Fb?mchid=1900000001&x=a%20b")
        );
        let prefixed = local_target("http://127.0.0.1:1/sandbox", "v3/x", &[], &[]);
        assert_eq!(prefixed.as_deref(), Some("/sandbox/v3/x"));
    }

    #[test]
    fn splits_a_signing_message() {
        let fields = split_message("POST\n/v3/x\n1\nN\n{\"a\":\n1}\n");
        assert_eq!(
            fields,
            [Some("POST"), Some("/v3/x"), Some("1"), Some("N"), Some("{\"a\":\n1}")]
        );
    }
}
