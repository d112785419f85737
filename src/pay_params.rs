//! Payment parameters for the front end: the step right after a JSAPI, mini-program or APP
//! order. The order's answer carries a `prepay_id`; the merchant signs it, with an app id, a
//! timestamp and a nonce, and hands the result to the page (`WeixinJSBridge` /
//! `wx.requestPayment`) or to the app (the OpenSDK's `PayReq`), which opens the payment sheet.
//!
//! Each signature is RSASSA-PKCS1-v1_5 SHA-256 with the merchant private key, in Base64, over
//! four lines, each ended by `\n`:
//!
//! | kind  | message                                           | JSON keys |
//! |-------|---------------------------------------------------|-----------|
//! | JSAPI, mini-program | `appId\ntimeStamp\nnonceStr\npackage\n` (`package` = `prepay_id=<id>`) | `appId`, `timeStamp`, `nonceStr`, `package`, `signType` (`RSA`), `paySign` |
//! | APP   | `appid\ntimestamp\nnoncestr\nprepayid\n`          | `appid`, `partnerid`, `prepayid`, `package` (`Sign=WXPay`), `noncestr`, `timestamp`, `sign` |
//!
//! [`Client::jsapi_pay_params`](crate::Client::jsapi_pay_params) and
//! [`Client::app_pay_params`](crate::Client::app_pay_params) take the time from the client's
//! clock and a fresh nonce; [`JsapiPayParams::sign_with`] and [`AppPayParams::sign_with`] take
//! both as arguments (for known-answer tests, or a signer without a client).
//!
//! The `prepay_id` is a token bound to one order: neither type shows it, nor the signature
//! made over it, in its `Debug` output or in an error.

use std::fmt;

use serde::Serialize;

use crate::auth::signing::Signer;
use crate::error::{Error, RequestError, Result};
use crate::text::sanitize;

/// The longest app id accepted: the order APIs take an `appid` of at most 32 characters.
pub const APPID_MAX_LEN: usize = 32;

/// The longest `prepay_id` accepted: the order APIs answer one of at most 64 characters.
pub const PREPAY_ID_MAX_LEN: usize = 64;

/// The longest nonce accepted (`nonceStr` is at most 32 characters).
pub const NONCE_MAX_LEN: usize = 32;

/// What `JSAPI` and mini-program payment parameters give as `signType`.
pub const JSAPI_SIGN_TYPE: &str = "RSA";

/// What APP payment parameters give as `package`.
pub const APP_PACKAGE: &str = "Sign=WXPay";

/// The parameters a web page in WeChat (`WeixinJSBridge.invoke('getBrandWCPayRequest', ..)`)
/// or a mini-program (`wx.requestPayment(..)`) needs to open the payment sheet for an order
/// placed with `v3/pay/transactions/jsapi`. Serialises to exactly the JSON they take:
/// `appId`, `timeStamp`, `nonceStr`, `package`, `signType`, `paySign`.
///
/// ```
/// use wechatpay::auth::signing::Signer;
/// use wechatpay::pay_params::JsapiPayParams;
/// # let pem = std::fs::read_to_string("src/mock/keys/merchant_key.pem")?;
/// let signer = Signer::new("1900000001", "3775B6A45ACD588826D15E583A95F5DD00000000", &pem)?;
/// let params = JsapiPayParams::sign_with(
///     &signer,
///     "wxd678efh567hg6787",
///     "wx201410272009395522657a690389285100",
///     1414561699,
///     "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
/// )?;
/// assert_eq!(params.package(), "prepay_id=wx201410272009395522657a690389285100");
/// assert_eq!(
///     params.message(),
///     "wxd678efh567hg6787\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n"
/// );
/// let json = serde_json::to_value(&params)?;
/// assert_eq!(json["signType"], "RSA");
/// assert_eq!(json["paySign"], params.pay_sign());
/// // Debug leaves out the order-bound token and the signature over it.
/// assert!(!format!("{params:?}").contains("wx20141027"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct JsapiPayParams {
    #[serde(rename = "appId")]
    app_id: String,
    #[serde(rename = "timeStamp")]
    timestamp: String,
    #[serde(rename = "nonceStr")]
    nonce: String,
    package: String,
    #[serde(rename = "signType")]
    sign_type: &'static str,
    #[serde(rename = "paySign")]
    pay_sign: String,
}

impl JsapiPayParams {
    /// Signs the parameters with the given Unix time (seconds) and nonce: the same inputs
    /// give the same output (RSASSA-PKCS1-v1_5 is deterministic).
    ///
    /// # Errors
    ///
    /// [`RequestError::InvalidBody`] when `appid` is empty, longer than
    /// [`APPID_MAX_LEN`] or holds anything but printable ASCII without spaces; the same for
    /// `prepay_id` ([`PREPAY_ID_MAX_LEN`], and it must be the bare id, not
    /// `prepay_id=...`) and `nonce` ([`NONCE_MAX_LEN`]); a negative timestamp. Signing
    /// itself fails only if the key cannot sign ([`Error::Crypto`]).
    pub fn sign_with(signer: &Signer, appid: &str, prepay_id: &str, timestamp: i64, nonce: &str) -> Result<Self> {
        let fields = Fields::check(appid, prepay_id, timestamp, nonce)?;
        let package = format!("prepay_id={prepay_id}");
        let pay_sign = signer.sign(message([appid, &fields.timestamp, nonce, &package]).as_bytes())?;
        Ok(Self {
            app_id: appid.to_owned(),
            timestamp: fields.timestamp,
            nonce: nonce.to_owned(),
            package,
            sign_type: JSAPI_SIGN_TYPE,
            pay_sign,
        })
    }

    /// `appId`: the official account's or mini-program's app id the order was placed for.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// `timeStamp`: Unix seconds, as a decimal string.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// `nonceStr`.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// `package`: `prepay_id=<id>`.
    pub fn package(&self) -> &str {
        &self.package
    }

    /// The order's `prepay_id` (the `package` without its `prepay_id=` prefix).
    pub fn prepay_id(&self) -> &str {
        self.package.strip_prefix("prepay_id=").unwrap_or(&self.package)
    }

    /// `signType`: always `RSA`.
    pub fn sign_type(&self) -> &str {
        self.sign_type
    }

    /// `paySign`: the Base64 signature over [`message`](Self::message).
    pub fn pay_sign(&self) -> &str {
        &self.pay_sign
    }

    /// The exact text `paySign` signs: `appId\ntimeStamp\nnonceStr\npackage\n`. Useful to
    /// compare with what the platform says it expected when the front end reports a
    /// signature error.
    pub fn message(&self) -> String {
        message([&self.app_id, &self.timestamp, &self.nonce, &self.package])
    }
}

/// Leaves out `package` (it holds the `prepay_id`) and `paySign`.
impl fmt::Debug for JsapiPayParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsapiPayParams")
            .field("app_id", &self.app_id)
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("sign_type", &self.sign_type)
            .finish_non_exhaustive()
    }
}

/// The parameters an app needs to open the payment sheet through the WeChat OpenSDK
/// (`PayReq`) for an order placed with `v3/pay/transactions/app`. Serialises to exactly the
/// JSON it takes: `appid`, `partnerid`, `prepayid`, `package`, `noncestr`, `timestamp`,
/// `sign`.
///
/// ```
/// use wechatpay::auth::signing::Signer;
/// use wechatpay::pay_params::AppPayParams;
/// # let pem = std::fs::read_to_string("src/mock/keys/merchant_key.pem")?;
/// let signer = Signer::new("1900000001", "3775B6A45ACD588826D15E583A95F5DD00000000", &pem)?;
/// let params = AppPayParams::sign_with(
///     &signer,
///     "wx8888888888888888",
///     "WX1217752501201407033233368018",
///     1412000000,
///     "5K8264ILTKCH16CQ2502SI8ZNMTM67VS",
/// )?;
/// assert_eq!(params.partner_id(), "1900000001");
/// assert_eq!(params.package(), "Sign=WXPay");
/// assert_eq!(
///     params.message(),
///     "wx8888888888888888\n1412000000\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nWX1217752501201407033233368018\n"
/// );
/// let json = serde_json::to_value(&params)?;
/// assert_eq!(json["prepayid"], "WX1217752501201407033233368018");
/// assert_eq!(json["sign"], params.sign());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct AppPayParams {
    appid: String,
    #[serde(rename = "partnerid")]
    partner_id: String,
    #[serde(rename = "prepayid")]
    prepay_id: String,
    package: &'static str,
    #[serde(rename = "noncestr")]
    nonce: String,
    timestamp: String,
    sign: String,
}

impl AppPayParams {
    /// Signs the parameters with the given Unix time (seconds) and nonce; `partnerid` is
    /// the signer's merchant id. The same inputs give the same output.
    ///
    /// # Errors
    ///
    /// As [`JsapiPayParams::sign_with`].
    pub fn sign_with(signer: &Signer, appid: &str, prepay_id: &str, timestamp: i64, nonce: &str) -> Result<Self> {
        let fields = Fields::check(appid, prepay_id, timestamp, nonce)?;
        let sign = signer.sign(message([appid, &fields.timestamp, nonce, prepay_id]).as_bytes())?;
        Ok(Self {
            appid: appid.to_owned(),
            partner_id: signer.mchid().to_owned(),
            prepay_id: prepay_id.to_owned(),
            package: APP_PACKAGE,
            nonce: nonce.to_owned(),
            timestamp: fields.timestamp,
            sign,
        })
    }

    /// `appid`: the mobile app's app id the order was placed for.
    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// `partnerid`: the merchant id.
    pub fn partner_id(&self) -> &str {
        &self.partner_id
    }

    /// `prepayid`: the order's `prepay_id`.
    pub fn prepay_id(&self) -> &str {
        &self.prepay_id
    }

    /// `package`: always `Sign=WXPay`.
    pub fn package(&self) -> &str {
        self.package
    }

    /// `noncestr`.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// `timestamp`: Unix seconds, as a decimal string.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// `sign`: the Base64 signature over [`message`](Self::message).
    pub fn sign(&self) -> &str {
        &self.sign
    }

    /// The exact text `sign` signs: `appid\ntimestamp\nnoncestr\nprepayid\n`.
    pub fn message(&self) -> String {
        message([&self.appid, &self.timestamp, &self.nonce, &self.prepay_id])
    }
}

/// Leaves out `prepayid` and `sign`.
impl fmt::Debug for AppPayParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppPayParams")
            .field("appid", &self.appid)
            .field("partner_id", &self.partner_id)
            .field("package", &self.package)
            .field("nonce", &self.nonce)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

/// Four values, each on a line of its own ended by `\n`.
fn message(lines: [&str; 4]) -> String {
    let mut out = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The inputs both kinds share, checked.
struct Fields {
    timestamp: String,
}

impl Fields {
    fn check(appid: &str, prepay_id: &str, timestamp: i64, nonce: &str) -> Result<Fields> {
        check_value("appid", appid, APPID_MAX_LEN, true)?;
        check_value("prepay_id", prepay_id, PREPAY_ID_MAX_LEN, false)?;
        if prepay_id.starts_with("prepay_id=") {
            return Err(invalid(
                "prepay_id must be the bare id of the order's answer, without `prepay_id=`".into(),
            ));
        }
        check_value("nonce", nonce, NONCE_MAX_LEN, true)?;
        if timestamp < 0 {
            return Err(invalid(format!(
                "the timestamp must be Unix seconds, not negative (got {timestamp})"
            )));
        }
        Ok(Fields {
            timestamp: timestamp.to_string(),
        })
    }
}

/// A value that fits on one line of the signed message: 1 to `max` printable ASCII
/// characters, no spaces. A value that is not `shown` (the order-bound `prepay_id`) stays out
/// of the error.
fn check_value(name: &str, value: &str, max: usize, shown: bool) -> Result<()> {
    if !value.is_empty() && value.len() <= max && value.bytes().all(|b| b.is_ascii_graphic()) {
        return Ok(());
    }
    let got = if value.is_empty() {
        "it is empty".to_owned()
    } else if shown {
        format!("got {:?} ({} bytes)", sanitize(value), value.len())
    } else {
        format!("got {} bytes", value.len())
    };
    Err(invalid(format!(
        "{name} must be 1 to {max} printable ASCII characters without spaces; {got}"
    )))
}

fn invalid(reason: String) -> Error {
    RequestError::InvalidBody {
        reason: format!("payment parameters: {reason}"),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = include_str!("mock/keys/merchant_key.pem");
    const PREPAY_ID: &str = "wx201410272009395522657a690389285100";
    const NONCE: &str = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";

    fn signer() -> Signer {
        Signer::new("1900000001", "3775B6A45ACD588826D15E583A95F5DD00000000", KEY).unwrap()
    }

    fn reason(error: Error) -> String {
        match error {
            Error::Request(RequestError::InvalidBody { reason }) => reason,
            other => panic!("expected InvalidBody, got {other:?}"),
        }
    }

    #[test]
    fn the_json_has_exactly_the_keys_the_front_ends_take() {
        let jsapi = JsapiPayParams::sign_with(&signer(), "wxd678efh567hg6787", PREPAY_ID, 1, NONCE).unwrap();
        let app = AppPayParams::sign_with(&signer(), "wxd678efh567hg6787", PREPAY_ID, 1, NONCE).unwrap();
        let keys = |value: serde_json::Value| -> Vec<String> { value.as_object().unwrap().keys().cloned().collect() };
        let mut jsapi_keys = keys(serde_json::to_value(&jsapi).unwrap());
        jsapi_keys.sort();
        assert_eq!(
            jsapi_keys,
            ["appId", "nonceStr", "package", "paySign", "signType", "timeStamp"]
        );
        let mut app_keys = keys(serde_json::to_value(&app).unwrap());
        app_keys.sort();
        assert_eq!(
            app_keys,
            [
                "appid",
                "noncestr",
                "package",
                "partnerid",
                "prepayid",
                "sign",
                "timestamp"
            ]
        );
        // Every value is a string, the timestamp included.
        for value in [
            serde_json::to_value(&jsapi).unwrap(),
            serde_json::to_value(&app).unwrap(),
        ] {
            assert!(value.as_object().unwrap().values().all(|v| v.is_string()), "{value}");
        }
    }

    #[test]
    fn the_two_kinds_sign_different_messages() {
        let jsapi = JsapiPayParams::sign_with(&signer(), "wxd678efh567hg6787", PREPAY_ID, 1414561699, NONCE).unwrap();
        let app = AppPayParams::sign_with(&signer(), "wxd678efh567hg6787", PREPAY_ID, 1414561699, NONCE).unwrap();
        assert_eq!(jsapi.prepay_id(), app.prepay_id());
        assert_eq!(
            app.message(),
            format!("wxd678efh567hg6787\n1414561699\n{NONCE}\n{PREPAY_ID}\n")
        );
        assert_eq!(
            jsapi.message(),
            format!("wxd678efh567hg6787\n1414561699\n{NONCE}\nprepay_id={PREPAY_ID}\n")
        );
        assert_ne!(jsapi.pay_sign(), app.sign());
        assert_eq!(jsapi.pay_sign(), signer().sign(jsapi.message().as_bytes()).unwrap());
        assert_eq!(app.sign(), signer().sign(app.message().as_bytes()).unwrap());
    }

    #[test]
    fn values_that_would_break_the_message_are_refused() {
        let s = signer();
        let cases: [(&str, &str, i64, &str, &str); 9] = [
            ("", PREPAY_ID, 1, NONCE, "appid must be 1 to 32"),
            ("wx\nforged", PREPAY_ID, 1, NONCE, "appid must be"),
            ("wx 1", PREPAY_ID, 1, NONCE, "appid must be"),
            (&"w".repeat(33), PREPAY_ID, 1, NONCE, "appid must be"),
            ("wx1", "", 1, NONCE, "prepay_id must be 1 to 64"),
            ("wx1", "wx1\nwx2", 1, NONCE, "got 7 bytes"),
            ("wx1", "prepay_id=wx1", 1, NONCE, "the bare id"),
            ("wx1", PREPAY_ID, 1, "n\u{e9}", "nonce must be"),
            ("wx1", PREPAY_ID, -1, NONCE, "not negative"),
        ];
        for (appid, prepay_id, timestamp, nonce, expected) in cases {
            for error in [
                JsapiPayParams::sign_with(&s, appid, prepay_id, timestamp, nonce).unwrap_err(),
                AppPayParams::sign_with(&s, appid, prepay_id, timestamp, nonce).unwrap_err(),
            ] {
                let reason = reason(error);
                assert!(reason.contains(expected), "{appid:?} {prepay_id:?}: {reason}");
                assert!(!reason.contains('\n'), "{reason:?}");
            }
        }
        assert!(JsapiPayParams::sign_with(&s, &"w".repeat(32), &"p".repeat(64), 0, &"n".repeat(32)).is_ok());
    }

    #[test]
    fn errors_and_debug_keep_the_prepay_id_and_signature_out() {
        let secret_ish = "wx2014SECRETPREPAYID\u{1b}";
        let reason = reason(JsapiPayParams::sign_with(&signer(), "wx1", secret_ish, 1, NONCE).unwrap_err());
        assert!(!reason.contains("SECRET"), "{reason}");

        let jsapi = JsapiPayParams::sign_with(&signer(), "wxd678efh567hg6787", PREPAY_ID, 1, NONCE).unwrap();
        let app = AppPayParams::sign_with(&signer(), "wxd678efh567hg6787", PREPAY_ID, 1, NONCE).unwrap();
        for (debug, signature) in [
            (format!("{jsapi:?}"), jsapi.pay_sign()),
            (format!("{app:?}"), app.sign()),
        ] {
            assert!(debug.contains("wxd678efh567hg6787"), "{debug}");
            assert!(!debug.contains(PREPAY_ID), "{debug}");
            assert!(!debug.contains(&signature[..16]), "{debug}");
            assert!(!debug.contains("PRIVATE"), "{debug}");
        }
    }
}
