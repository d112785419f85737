//! `wechatpay sign jsapi|app --appid APPID --prepay-id ID`: the payment parameters the front
//! end takes to open the payment sheet, signed with the merchant key.

use std::io::IsTerminal as _;

use clap::{Args, Subcommand};
use wechatpay::Error;
use wechatpay::auth::signing::Signer;
use wechatpay::error::RequestError;
use wechatpay::pay_params::{AppPayParams, JsapiPayParams};

use crate::config::{Config, ConfigArgs};
use crate::exit::{self, Failure};
use crate::output;

/// After `wechatpay sign --help`.
pub const HELP: &str = "\
After a JSAPI, mini-program or APP order, the order's answer carries a prepay_id; the front end
needs it signed with the merchant key before it can open the payment sheet. Needs only the
merchant settings (id, private key, and serial or merchant certificate).

Example, from an order to the front end:
  wechatpay request POST v3/pay/transactions/jsapi --json @order.json   # prints {\"prepay_id\":...}
  wechatpay sign jsapi --appid wxd678efh567hg6787 --prepay-id wx201410272009395522657a690389285100";

const JSAPI_HELP: &str = "\
Prints the JSON a web page in WeChat (WeixinJSBridge.invoke('getBrandWCPayRequest', ...)) or a
mini-program (wx.requestPayment(...)) takes: appId, timeStamp, nonceStr, package
(prepay_id=ID), signType (RSA) and paySign, the Base64 RSA-SHA256 signature over
appId\\ntimeStamp\\nnonceStr\\npackage\\n with the merchant private key. Pretty on a terminal,
one line when piped. The time and the nonce are now and a fresh one unless given.

Example:
  wechatpay sign jsapi --appid wxd678efh567hg6787 --prepay-id wx201410272009395522657a690389285100
  wechatpay sign jsapi --appid wxd678efh567hg6787 --prepay-id wx2014... \\
      --timestamp 1414561699 --nonce 5K8264ILTKCH16CQ2502SI8ZNMTM67VS   # reproducible";

const APP_HELP: &str = "\
Prints the JSON an app's WeChat OpenSDK (PayReq) takes: appid, partnerid (the merchant id),
prepayid, package (Sign=WXPay), noncestr, timestamp and sign, the Base64 RSA-SHA256
signature over appid\\ntimestamp\\nnoncestr\\nprepayid\\n with the merchant private key.
Pretty on a terminal, one line when piped. The time and the nonce are now and a fresh one
unless given.

Example:
  wechatpay sign app --appid wx8888888888888888 --prepay-id WX1217752501201407033233368018";

#[derive(Subcommand)]
pub enum SignCommand {
    /// Payment parameters for a web page in WeChat or a mini-program (a JSAPI order)
    #[command(after_help = JSAPI_HELP)]
    Jsapi(SignArgs),
    /// Payment parameters for an app, for the OpenSDK's PayReq (an APP order)
    #[command(after_help = APP_HELP)]
    App(SignArgs),
}

#[derive(Args)]
pub struct SignArgs {
    /// The app id the order was placed with
    #[arg(long, value_name = "APPID")]
    appid: String,
    /// The prepay_id of the order's answer
    #[arg(long, value_name = "ID")]
    prepay_id: String,
    /// Unix seconds to sign with instead of now (reproducible output)
    #[arg(long, value_name = "UNIX_SECONDS", value_parser = clap::value_parser!(i64).range(0..))]
    timestamp: Option<i64>,
    /// Nonce to sign with instead of a fresh one (reproducible output; at most 32 characters)
    #[arg(long, value_name = "NONCE")]
    nonce: Option<String>,
    #[command(flatten)]
    config: ConfigArgs,
}

impl SignCommand {
    /// The configuration flags given after the command.
    pub fn config(&self) -> &ConfigArgs {
        let (SignCommand::Jsapi(args) | SignCommand::App(args)) = self;
        &args.config
    }
}

pub fn run(config: &Config, command: SignCommand) -> Result<u8, Failure> {
    let signer = signer(config)?;
    let (SignCommand::Jsapi(args) | SignCommand::App(args)) = &command;
    let timestamp = args.timestamp.unwrap_or_else(output::now);
    let nonce = match &args.nonce {
        Some(nonce) => nonce.clone(),
        None => wechatpay::crypto::nonce()?,
    };
    let (appid, prepay_id) = (args.appid.as_str(), args.prepay_id.as_str());
    // Serialised from the struct itself, so that the keys keep their documented order.
    let pretty = std::io::stdout().is_terminal();
    let json = match command {
        SignCommand::Jsapi(_) => {
            JsapiPayParams::sign_with(&signer, appid, prepay_id, timestamp, &nonce).map(|p| to_json(&p, pretty))
        }
        SignCommand::App(_) => {
            AppPayParams::sign_with(&signer, appid, prepay_id, timestamp, &nonce).map(|p| to_json(&p, pretty))
        }
    }
    .map_err(refused)?
    .map_err(|e| Failure::other(format!("cannot write the parameters as JSON: {e}")))?;
    note!(
        "signed with the key of merchant {} (serial {}), time {timestamp} = {}",
        signer.mchid(),
        signer.serial(),
        output::format_unix(timestamp)
    );
    out!("{json}");
    Ok(exit::OK)
}

/// Pretty JSON on a terminal, one line otherwise.
fn to_json<T: serde::Serialize>(value: &T, pretty: bool) -> serde_json::Result<String> {
    if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
}

/// A value the parameters cannot carry is a usage error; anything else keeps its code.
fn refused(error: Error) -> Failure {
    match error {
        Error::Request(RequestError::InvalidBody { reason }) => Failure::usage(reason),
        other => other.into(),
    }
}

/// The merchant's signing identity from the configuration, checked by the library's rules
/// (the serial and key against the merchant certificate when one is given): nothing else
/// is needed.
fn signer(config: &Config) -> Result<Signer, Failure> {
    Ok(config.merchant_builder()?.signer()?)
}
