//! Sample callbacks (notifications) made with the sandbox's fixed test keys, without a
//! running mock: for the tests of a receiver, and for `wechatpay mock notify`.
//!
//! An APIv3 callback is a JSON envelope whose `resource` is encrypted with [`APIV3_KEY`](super::APIV3_KEY)
//! (AEAD_AES_256_GCM) and whose body is signed with the platform key of the chosen
//! [`SigningMode`]; an APIv2 payment result is an `<xml>` of fields signed with
//! [`APIV2_KEY`]; an APIv2 refund result carries its fields in `req_info`, encrypted with
//! AES-256-ECB under the MD5 of that key.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

use super::{APIV2_KEY, MCHID, PLATFORM_CERTIFICATE_SERIAL, PLATFORM_PUBLIC_KEY_ID, SigningMode, keys};
use crate::auth::{signing, verify};
use crate::clock::{Clock as _, SystemClock};
use crate::crypto::{RsaPrivateKey, base64_encode};
use crate::error::{Error, RequestError, Result};
use crate::protocol::v2::{self, ApiV2Key, Fields, SignType};

/// The event types [`sample_resource`] has an example resource for.
pub const SAMPLE_EVENTS: &[&str] = &[
    "TRANSACTION.SUCCESS",
    "REFUND.SUCCESS",
    "REFUND.ABNORMAL",
    "REFUND.CLOSED",
];

/// The example ids the samples share (those of the sandbox's built-in routes).
const APPID: &str = "wxd678efh567hg6787";
const OUT_TRADE_NO: &str = "TRADE202407041530001";
const TRANSACTION_ID: &str = "4200001999202407041234567890";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

/// A callback ready to send or to save: its headers and its body, the exact bytes signed.
///
/// `Debug` shows the header names and the body's length only: the body of an APIv2 sample
/// holds order numbers in clear.
#[derive(Clone)]
pub struct SampleNotification {
    headers: HeaderMap,
    body: Bytes,
}

impl fmt::Debug for SampleNotification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(http::HeaderName::as_str).collect();
        f.debug_struct("SampleNotification")
            .field("headers", &names)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

impl SampleNotification {
    /// The headers to send: `Content-Type`, and for APIv3 the five `Wechatpay-*` ones.
    ///
    /// ```
    /// # fn main() -> wechatpay::Result<()> {
    /// use wechatpay::mock::{SigningMode, sample_notification};
    /// let sample = sample_notification("TRANSACTION.SUCCESS", None, SigningMode::PublicKey)?;
    /// assert_eq!(sample.headers()["Wechatpay-Serial"], wechatpay::mock::PLATFORM_PUBLIC_KEY_ID);
    /// # Ok(()) }
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, the exact bytes the signature covers.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sample = wechatpay::mock::sample_notification("REFUND.SUCCESS", None, Default::default())?;
    /// let envelope: serde_json::Value = serde_json::from_slice(sample.body())?;
    /// assert_eq!(envelope["resource"]["original_type"], "refund");
    /// # Ok(()) }
    /// ```
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The headers and the body.
    pub fn into_parts(self) -> (HeaderMap, Bytes) {
        (self.headers, self.body)
    }

    /// The headers as `Name: value` lines, one per header, each ended by `\n`: the form
    /// `wechatpay notify parse --headers FILE` reads.
    ///
    /// ```
    /// # fn main() -> wechatpay::Result<()> {
    /// let sample = wechatpay::mock::sample_notification("TRANSACTION.SUCCESS", None, Default::default())?;
    /// let text = sample.headers_text();
    /// assert!(text.lines().any(|line| line == "Wechatpay-Signature-Type: WECHATPAY2-SHA256-RSA2048"));
    /// # Ok(()) }
    /// ```
    pub fn headers_text(&self) -> String {
        let mut text = String::new();
        for (name, value) in &self.headers {
            text.push_str(&canonical_name(name.as_str()));
            text.push_str(": ");
            text.push_str(&String::from_utf8_lossy(value.as_bytes()));
            text.push('\n');
        }
        text
    }
}

/// `wechatpay-serial` as `Wechatpay-Serial`, the way the platform writes its headers.
fn canonical_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// An example of the decrypted `resource` of a callback of `event_type`, as the platform
/// documents it, for the sandbox merchant [`MCHID`]: a transaction for
/// `TRANSACTION.SUCCESS` (`appid`, `mchid`, `out_trade_no`, `transaction_id`, `trade_type`,
/// `trade_state` `SUCCESS`, `success_time`, `payer.openid`, `amount`), a refund for
/// `REFUND.SUCCESS`, `REFUND.ABNORMAL` and `REFUND.CLOSED` (see [`SAMPLE_EVENTS`]); `None`
/// for other events.
///
/// ```
/// let resource = wechatpay::mock::sample_resource("TRANSACTION.SUCCESS").unwrap();
/// assert_eq!(resource["trade_state"], "SUCCESS");
/// assert_eq!(resource["amount"]["currency"], "CNY");
/// assert!(wechatpay::mock::sample_resource("COUPON.USE").is_none());
/// ```
pub fn sample_resource(event_type: &str) -> Option<Value> {
    match event_type {
        "TRANSACTION.SUCCESS" => Some(json!({
            "appid": APPID,
            "mchid": MCHID,
            "out_trade_no": OUT_TRADE_NO,
            "transaction_id": TRANSACTION_ID,
            "trade_type": "JSAPI",
            "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功",
            "bank_type": "CMC",
            "attach": "",
            "success_time": "2024-07-04T15:30:00+08:00",
            "payer": {"openid": OPENID},
            "amount": {"total": 100, "payer_total": 100, "currency": "CNY", "payer_currency": "CNY"},
        })),
        "REFUND.SUCCESS" | "REFUND.ABNORMAL" | "REFUND.CLOSED" => {
            let status = event_type.trim_start_matches("REFUND.");
            let mut refund = json!({
                "mchid": MCHID,
                "out_trade_no": OUT_TRADE_NO,
                "transaction_id": TRANSACTION_ID,
                "out_refund_no": "REFUND202407041600001",
                "refund_id": "50000000382019052709732678859",
                "refund_status": status,
                "user_received_account": "招商银行信用卡0403",
                "amount": {"total": 100, "refund": 100, "payer_total": 100, "payer_refund": 100},
            });
            if status == "SUCCESS" {
                refund["success_time"] = json!("2024-07-04T16:00:00+08:00");
            }
            Some(refund)
        }
        _ => None,
    }
}

/// The platform's `summary` for an event.
pub(crate) fn summary(event_type: &str) -> &'static str {
    match event_type {
        "TRANSACTION.SUCCESS" => "支付成功",
        "REFUND.SUCCESS" => "退款成功",
        "REFUND.ABNORMAL" => "退款异常",
        "REFUND.CLOSED" => "退款关闭",
        _ => "通知",
    }
}

/// The callback envelope: `resource` encrypted with [`APIV3_KEY`](super::APIV3_KEY) under a fresh nonce, its
/// `associated_data` and `original_type` the event's first word in lower case
/// (`transaction`, `refund`), as the platform sends them.
pub(crate) fn envelope(event_type: &str, resource: &Value, id: &str, create_time: &str) -> Result<Bytes> {
    let original_type = event_type.split('.').next().unwrap_or("").to_ascii_lowercase();
    let plaintext = serde_json::to_vec(resource).map_err(Error::decode)?;
    let mut encrypted = super::platform::seal(&original_type, &plaintext);
    encrypted.original_type = Some(original_type);
    let envelope = json!({
        "id": id,
        "create_time": create_time,
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": summary(event_type),
        "resource": encrypted,
    });
    Ok(Bytes::from(serde_json::to_vec(&envelope).map_err(Error::decode)?))
}

/// A callback of `event_type` as the platform would POST it now: the envelope with
/// `resource` (or, when `None`, the [`sample_resource`] of the event) encrypted with
/// [`APIV3_KEY`](super::APIV3_KEY), signed with the platform key of `mode` (the public key
/// [`PLATFORM_PUBLIC_KEY_ID`], or the certificate [`PLATFORM_CERTIFICATE_SERIAL`]), with the
/// five `Wechatpay-*` headers. A client configured with the sandbox's keys verifies it with
/// [`crate::Notifications::parse`] within 5 minutes of now (see [`sample_notification_at`]
/// for another time).
///
/// # Errors
///
/// [`RequestError::InvalidBody`] when `event_type` is not an event type (upper-case words
/// joined by `.` or `_`) or, with no `resource`, has no sample resource; a cryptographic
/// error when the random source fails.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> wechatpay::Result<()> {
/// use wechatpay::mock::{MockServer, SigningMode, sample_notification};
/// let sample = sample_notification("TRANSACTION.SUCCESS", None, SigningMode::PublicKey)?;
/// let client = MockServer::start().client(); // the sandbox's keys
/// let notification = client.notifications().parse(sample.headers(), sample.body()).await?;
/// assert_eq!(notification.resource()["trade_state"], "SUCCESS");
/// # Ok(()) }
/// ```
pub fn sample_notification(
    event_type: &str,
    resource: Option<&Value>,
    mode: SigningMode,
) -> Result<SampleNotification> {
    sample_notification_at(event_type, resource, mode, SystemClock.now())
}

/// As [`sample_notification`], signed as of `timestamp` (Unix seconds): its
/// `Wechatpay-Timestamp` and `create_time`. A receiver accepts it only within 5 minutes of
/// that time, so a timestamp far from now makes a callback that must be refused.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use wechatpay::mock::{SigningMode, sample_notification_at};
/// let sample = sample_notification_at("REFUND.SUCCESS", None, SigningMode::Certificate, 1_719_128_975)?;
/// assert_eq!(sample.headers()["Wechatpay-Timestamp"], "1719128975");
/// let envelope: serde_json::Value = serde_json::from_slice(sample.body())?;
/// assert_eq!(envelope["create_time"], "2024-06-23T15:49:35+08:00");
/// # Ok(()) }
/// ```
pub fn sample_notification_at(
    event_type: &str,
    resource: Option<&Value>,
    mode: SigningMode,
    timestamp: i64,
) -> Result<SampleNotification> {
    check_event_type(event_type)?;
    let default;
    let resource = match resource {
        Some(resource) => resource,
        None => {
            default = sample_resource(event_type).ok_or_else(|| {
                invalid(format!(
                    "there is no sample resource for {event_type} (there is one for {}): give the resource",
                    SAMPLE_EVENTS.join(", ")
                ))
            })?;
            &default
        }
    };
    let nonce = signing::nonce()?;
    let id = format!("EV-{}", &nonce[..20]);
    let body = envelope(event_type, resource, &id, &beijing_time(timestamp))?;
    let mut headers = signature_headers(mode, timestamp, &body)?;
    headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(SampleNotification { headers, body })
}

/// Upper-case ASCII words joined by `.` or `_`, at most 64 characters: the shape of the
/// platform's event types.
fn check_event_type(event_type: &str) -> Result<()> {
    let shaped = !event_type.is_empty()
        && event_type.len() <= 64
        && event_type
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
    if shaped {
        Ok(())
    } else {
        Err(invalid(format!(
            "{:?} is not an event type: upper-case words joined by `.` or `_`, such as TRANSACTION.SUCCESS",
            crate::text::sanitize(event_type)
        )))
    }
}

fn invalid(reason: String) -> Error {
    Error::Request(RequestError::InvalidBody { reason })
}

/// The `Wechatpay-*` headers of `body`, signed as of `timestamp` with the key of `mode`.
fn signature_headers(mode: SigningMode, timestamp: i64, body: &[u8]) -> Result<HeaderMap> {
    let (serial, pem) = match mode {
        SigningMode::PublicKey => (PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY_PRIVATE),
        SigningMode::Certificate => (PLATFORM_CERTIFICATE_SERIAL, keys::PLATFORM_CERTIFICATE_PRIVATE),
    };
    let key = RsaPrivateKey::from_pem_named("mock platform key", pem)?;
    let timestamp = timestamp.to_string();
    let nonce = signing::nonce()?;
    let signature = base64_encode(&key.sign_sha256(&verify::message(&timestamp, &nonce, body))?);
    let mut headers = HeaderMap::new();
    for (name, value) in super::platform::signature_header_values(&timestamp, &nonce, &signature, serial) {
        let value = HeaderValue::from_str(value).map_err(|_| Error::Crypto("a signature header is not ASCII"))?;
        headers.insert(name, value);
    }
    Ok(headers)
}

/// Unix seconds as RFC 3339 in Beijing time, `2024-06-23T15:49:35+08:00`, as the platform
/// writes times.
pub(crate) fn beijing_time(unix: i64) -> String {
    let t = crate::clock::CivilTime::from_unix(unix.saturating_add(8 * 3600));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// An example APIv2 payment result callback's fields (without `nonce_str` and `sign`,
/// which [`sample_v2_notification`] adds), as the platform documents them, for the sandbox
/// merchant [`MCHID`].
///
/// ```
/// let fields = wechatpay::mock::sample_v2_payment_fields();
/// assert_eq!(fields["result_code"], "SUCCESS");
/// assert_eq!(fields["total_fee"], "100");
/// ```
pub fn sample_v2_payment_fields() -> Value {
    json!({
        "return_code": "SUCCESS",
        "return_msg": "OK",
        "appid": APPID,
        "mch_id": MCHID,
        "result_code": "SUCCESS",
        "openid": OPENID,
        "is_subscribe": "N",
        "trade_type": "JSAPI",
        "bank_type": "CMC",
        "total_fee": "100",
        "fee_type": "CNY",
        "cash_fee": "100",
        "transaction_id": TRANSACTION_ID,
        "out_trade_no": OUT_TRADE_NO,
        "time_end": "20240704153000",
    })
}

/// An example of the fields an APIv2 refund callback's `req_info` decrypts to, as the
/// platform documents them.
///
/// ```
/// let refund = wechatpay::mock::sample_v2_refund_fields();
/// assert_eq!(refund["refund_status"], "SUCCESS");
/// ```
pub fn sample_v2_refund_fields() -> Value {
    json!({
        "transaction_id": TRANSACTION_ID,
        "out_trade_no": OUT_TRADE_NO,
        "refund_id": "50000000382019052709732678859",
        "out_refund_no": "REFUND202407041600001",
        "total_fee": "100",
        "refund_fee": "100",
        "settlement_refund_fee": "100",
        "refund_status": "SUCCESS",
        "success_time": "2024-07-04 16:00:00",
        "refund_recv_accout": "招商银行信用卡0403",
        "refund_account": "REFUND_SOURCE_RECHARGE_FUNDS",
        "refund_request_source": "API",
    })
}

/// An APIv2 payment result callback as the platform would POST it: an `<xml>` of `fields`
/// (or, when `None`, [`sample_v2_payment_fields`]; strings, numbers or booleans) with a
/// fresh `nonce_str` unless given, `return_code` `SUCCESS` unless given, and a `sign` made
/// with [`APIV2_KEY`] and `sign_type` (`sign_type` is then one of the fields when it is
/// HMAC-SHA256, as the platform sends it). A client with the sandbox's APIv2 key verifies
/// it with [`crate::Notifications::parse_v2`].
///
/// # Errors
///
/// [`RequestError::InvalidBody`] when `fields` is not an object of strings, numbers and
/// booleans with XML names.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use wechatpay::mock::{APIV2_KEY, sample_v2_notification};
/// use wechatpay::protocol::v2::{ApiV2Key, SignType, verify_notification};
/// let sample = sample_v2_notification(None, SignType::Md5)?;
/// let fields = verify_notification(sample.body(), &ApiV2Key::new(APIV2_KEY)?)?;
/// assert_eq!(fields["out_trade_no"], "TRADE202407041530001");
/// # Ok(()) }
/// ```
pub fn sample_v2_notification(fields: Option<&Value>, sign_type: SignType) -> Result<SampleNotification> {
    let mut fields = v2_fields(fields, sample_v2_payment_fields)?;
    fields.remove(v2::SIGN);
    fields
        .entry("return_code".to_owned())
        .or_insert_with(|| "SUCCESS".to_owned());
    if !fields.contains_key(v2::NONCE_STR) {
        fields.insert(v2::NONCE_STR.to_owned(), v2::nonce_str()?);
    }
    match sign_type {
        SignType::HmacSha256 => fields.insert(v2::SIGN_TYPE.to_owned(), sign_type.as_str().to_owned()),
        _ => fields.remove(v2::SIGN_TYPE),
    };
    let key = ApiV2Key::new(APIV2_KEY)?;
    let signature = v2::sign(&fields, &key, sign_type);
    fields.insert(v2::SIGN.to_owned(), signature);
    Ok(v2_sample(v2::render_fields(&fields)?))
}

/// An APIv2 refund result callback as the platform would POST it: `return_code`
/// `SUCCESS`, `appid`, `mch_id`, a fresh `nonce_str`, and `req_info`, the `refund` fields
/// (or, when `None`, [`sample_v2_refund_fields`]) as a `<root>` document encrypted with
/// AES-256-ECB under the MD5 of [`APIV2_KEY`] (see
/// [`crate::protocol::v2::encrypt_req_info`]). Unsigned, as the platform sends it. A client
/// with the sandbox's APIv2 key reads it with [`crate::Notifications::parse_v2_refund`].
///
/// # Errors
///
/// [`RequestError::InvalidBody`] when `refund` is not an object of strings, numbers and
/// booleans with XML names.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use wechatpay::mock::{APIV2_KEY, sample_v2_refund_notification};
/// use wechatpay::protocol::v2::{ApiV2Key, read_refund_notification};
/// let sample = sample_v2_refund_notification(Some(&serde_json::json!({"out_refund_no": "R1", "refund_fee": 1})))?;
/// let read = read_refund_notification(sample.body(), &ApiV2Key::new(APIV2_KEY)?)?;
/// assert_eq!(read.refund["refund_fee"], "1");
/// # Ok(()) }
/// ```
pub fn sample_v2_refund_notification(refund: Option<&Value>) -> Result<SampleNotification> {
    let refund = v2_fields(refund, sample_v2_refund_fields)?;
    let key = ApiV2Key::new(APIV2_KEY)?;
    let outer = Fields::from([
        ("return_code".to_owned(), "SUCCESS".to_owned()),
        ("appid".to_owned(), APPID.to_owned()),
        ("mch_id".to_owned(), MCHID.to_owned()),
        (v2::NONCE_STR.to_owned(), v2::nonce_str()?),
        ("req_info".to_owned(), v2::encrypt_req_info(&refund, &key)?),
    ]);
    Ok(v2_sample(v2::render_fields(&outer)?))
}

/// The fields of `given`, or of the default.
fn v2_fields(given: Option<&Value>, default: fn() -> Value) -> Result<Fields> {
    let fields = match given {
        Some(given) => v2::fields_from_json(given),
        None => v2::fields_from_json(&default()),
    };
    Ok(fields?)
}

fn v2_sample(xml: String) -> SampleNotification {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    SampleNotification {
        headers,
        body: Bytes::from(xml),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_time_is_rfc3339_at_plus_eight() {
        assert_eq!(beijing_time(0), "1970-01-01T08:00:00+08:00");
        assert_eq!(beijing_time(1_719_128_975), "2024-06-23T15:49:35+08:00");
        // 2024-02-29 23:59:59 in Beijing is 15:59:59 UTC.
        assert_eq!(beijing_time(1_709_222_399), "2024-02-29T23:59:59+08:00");
    }

    #[test]
    fn header_names_are_written_as_the_platform_writes_them() {
        assert_eq!(canonical_name("wechatpay-signature-type"), "Wechatpay-Signature-Type");
        assert_eq!(canonical_name("content-type"), "Content-Type");
    }

    #[test]
    fn event_types_are_checked_before_anything_is_signed() {
        for bad in ["", "transaction.success", "A B", "X\u{1b}[2J", &"A".repeat(65)] {
            let err = sample_notification(bad, Some(&json!({})), SigningMode::PublicKey).unwrap_err();
            assert!(!err.to_string().contains('\u{1b}'), "{err}");
        }
        let err = sample_notification("COUPON.USE", None, SigningMode::PublicKey).unwrap_err();
        assert!(err.to_string().contains("give the resource"), "{err}");
        assert!(sample_notification("COUPON.USE", Some(&json!({"stock_id": "1"})), SigningMode::PublicKey).is_ok());
    }

    #[test]
    fn every_listed_event_has_a_resource_and_a_summary() {
        for event in SAMPLE_EVENTS {
            assert!(sample_resource(event).is_some(), "{event}");
            assert_ne!(summary(event), "通知", "{event}");
        }
        assert_eq!(sample_resource("REFUND.ABNORMAL").unwrap()["refund_status"], "ABNORMAL");
        assert!(sample_resource("REFUND.CLOSED").unwrap().get("success_time").is_none());
    }

    #[test]
    fn debug_shows_no_body() {
        let sample = sample_v2_notification(None, SignType::Md5).unwrap();
        let debug = format!("{sample:?}");
        assert!(!debug.contains(OUT_TRADE_NO), "{debug}");
        assert!(debug.contains("content-type"), "{debug}");
    }
}
