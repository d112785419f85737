//! APIv2 callbacks (notifications) and the replies the platform expects.
//!
//! Two kinds arrive, at two different URLs the merchant chose, so the receiver knows which
//! to expect and calls the matching function:
//!
//! - signed notifications (payment results and most others): an `<xml>` of fields with a
//!   `sign`, MD5 unless their `sign_type` field says `HMAC-SHA256`:
//!   [`verify_notification`];
//! - refund notifications: no `sign`; their `req_info` field is Base64 of AES-256-ECB
//!   (PKCS#7 padding) under the lower-case hex MD5 of the APIv2 key, and decrypts to a
//!   `<root>` document of the refund's fields: [`read_refund_notification`].
//!
//! A refund notification is authenticated only by decrypting under a key derived from the
//! APIv2 key. ECB has no integrity check, so blocks of genuine notifications could in
//! principle be rearranged; before acting on a refund, confirm it with the refund query
//! operation.

use serde_json::Value;

use super::answer::check_return_code;
use super::{ApiV2Key, Fields, SignType, V2Error, fields_to_json, parse, render, verify};
use crate::crypto::{base64_decode, legacy};

/// The reply that acknowledges a notification: the platform stops retrying it.
pub const SUCCESS_REPLY: &str =
    "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

/// The reply that refuses a notification (the platform will retry it later), with
/// `message` as `return_msg`. The message is written by the rules of
/// [`render`](super::render) (CDATA for XML specials, a `]]>` split); characters that XML
/// cannot carry at all are replaced by U+FFFD, so building the reply never fails.
///
/// ```
/// use wechatpay::protocol::v2::failure_reply;
/// assert_eq!(
///     failure_reply("bad <sign>"),
///     "<xml><return_code>FAIL</return_code><return_msg><![CDATA[bad <sign>]]></return_msg></xml>"
/// );
/// ```
pub fn failure_reply(message: &str) -> String {
    let message: String = message
        .chars()
        .map(|c| if super::fields::is_xml_char(c) { c } else { '\u{fffd}' })
        .collect();
    // Both names are XML names and the message holds only XML characters: render cannot
    // fail; the fallback keeps this function total all the same.
    render("xml", [("return_code", "FAIL"), ("return_msg", message.as_str())])
        .unwrap_or_else(|_| "<xml><return_code>FAIL</return_code></xml>".to_owned())
}

/// Verifies a signed notification and returns its fields as a JSON object of strings.
///
/// The `sign` is checked with the algorithm the notification's own `sign_type` names (MD5
/// when absent); an unknown `sign_type` is refused. A `return_code` other than `SUCCESS`
/// is reported as [`V2Error::Return`]. A `result_code` of `FAIL` is not an error here: it
/// is the news the notification brings (a payment that failed), returned with the rest.
///
/// ```
/// use wechatpay::protocol::v2::{ApiV2Key, Fields, SignType, render_fields, sign, verify_notification};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let mut fields: Fields = [("return_code", "SUCCESS"), ("result_code", "SUCCESS"), ("out_trade_no", "T1")]
///     .into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
/// fields.insert("sign".into(), sign(&fields, &key, SignType::Md5));
/// let body = render_fields(&fields)?;
/// assert_eq!(verify_notification(body.as_bytes(), &key)?["out_trade_no"], "T1");
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn verify_notification(body: &[u8], key: &ApiV2Key) -> Result<Value, V2Error> {
    let fields = parse(body)?.fields;
    check_return_code(&fields)?;
    verify(&fields, key, SignType::of(&fields)?)?;
    super::sign::check_unambiguous(&fields)?;
    Ok(fields_to_json(fields))
}

/// A decrypted refund notification.
///
/// `Debug` shows the names of the fields only: their values are refund and order numbers,
/// ids and amounts.
#[derive(Clone, PartialEq, Eq)]
pub struct RefundNotification {
    /// The outer fields (`return_code`, `appid`, `mch_id`, `nonce_str`, `req_info`, ...),
    /// as received.
    pub outer: Value,
    /// The fields `req_info` decrypts to (`out_refund_no`, `refund_status`, ...).
    pub refund: Value,
}

impl std::fmt::Debug for RefundNotification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefundNotification")
            .field("outer_fields", &crate::error::field_names(&self.outer))
            .field("refund_fields", &crate::error::field_names(&self.refund))
            .finish()
    }
}

/// Reads a refund notification: checks `return_code`, decrypts `req_info` (see
/// [`decrypt_req_info`]) and returns both sets of fields. When the outer document does
/// carry a `sign`, it is checked too.
///
/// ```
/// use wechatpay::protocol::v2::{ApiV2Key, read_refund_notification};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let body = "<xml><return_code>SUCCESS</return_code><req_info>not base64!</req_info></xml>";
/// assert!(read_refund_notification(body.as_bytes(), &key).is_err());
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn read_refund_notification(body: &[u8], key: &ApiV2Key) -> Result<RefundNotification, V2Error> {
    let fields = parse(body)?.fields;
    check_return_code(&fields)?;
    if fields.contains_key(super::sign::SIGN) {
        verify(&fields, key, SignType::of(&fields)?)?;
    }
    let Some(req_info) = fields.get("req_info") else {
        return Err(V2Error::ReqInfo("the notification has no req_info field"));
    };
    let refund = decrypt_req_info(req_info, key)?;
    Ok(RefundNotification {
        outer: fields_to_json(fields),
        refund: fields_to_json(refund),
    })
}

/// Decrypts a refund notification's `req_info`: Base64 (standard alphabet, surrounding
/// whitespace ignored), then AES-256-ECB with PKCS#7 padding under the lower-case hex MD5
/// of the APIv2 key, then a `<root>` document of fields.
///
/// ```
/// use wechatpay::protocol::v2::{ApiV2Key, V2Error, decrypt_req_info};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// assert!(matches!(decrypt_req_info("AAAA", &key), Err(V2Error::ReqInfo(_))));
/// # Ok::<(), V2Error>(())
/// ```
pub fn decrypt_req_info(req_info: &str, key: &ApiV2Key) -> Result<Fields, V2Error> {
    let Some(ciphertext) = base64_decode(req_info.trim_matches([' ', '\t', '\r', '\n'])) else {
        return Err(V2Error::ReqInfo("not valid Base64"));
    };
    let plaintext = legacy::aes_256_ecb_decrypt(&key.refund_key(), &ciphertext).map_err(|e| match e {
        legacy::EcbError::Length(_) => V2Error::ReqInfo("the ciphertext is not a whole number of AES blocks"),
        _ => V2Error::ReqInfo("it does not decrypt under this APIv2 key (bad padding)"),
    })?;
    let document = parse(&plaintext).map_err(|_| V2Error::ReqInfo("the decrypted text is not a flat XML document"))?;
    if document.root != "root" {
        return Err(V2Error::ReqInfo("the decrypted document's root is not <root>"));
    }
    Ok(document.fields)
}

/// Encrypts refund fields into a `req_info` value, the reverse of [`decrypt_req_info`]: the
/// fields as a `<root>` document (see [`render`]), AES-256-ECB with PKCS#7 padding under the
/// lower-case hex MD5 of the APIv2 key, then standard Base64. For tests of a receiver: the
/// platform is the one that encrypts.
///
/// ```
/// use wechatpay::protocol::v2::{ApiV2Key, Fields, decrypt_req_info, encrypt_req_info};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let refund = Fields::from([("out_refund_no".to_owned(), "R1".to_owned())]);
/// let req_info = encrypt_req_info(&refund, &key)?;
/// assert_eq!(decrypt_req_info(&req_info, &key)?, refund);
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn encrypt_req_info(fields: &Fields, key: &ApiV2Key) -> Result<String, V2Error> {
    let document = render(
        "root",
        fields.iter().map(|(name, value)| (name.as_str(), value.as_str())),
    )?;
    let ciphertext = legacy::aes_256_ecb_encrypt(&key.refund_key(), document.as_bytes())
        .map_err(|_| V2Error::ReqInfo("AES-256-ECB encryption failed"))?;
    Ok(crate::crypto::base64_encode(&ciphertext))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::base64_encode;
    use crate::protocol::v2::{SignatureFailure, XmlErrorKind, render_fields, sign};

    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    fn key() -> ApiV2Key {
        ApiV2Key::new(KEY).unwrap()
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn encrypt(plaintext: &str) -> String {
        base64_encode(&legacy::aes_256_ecb_encrypt(&key().refund_key(), plaintext.as_bytes()).unwrap())
    }

    fn refund_notification(req_info: &str) -> String {
        render_fields(&fields(&[
            ("return_code", "SUCCESS"),
            ("appid", "wx2421b1c4370ec43b"),
            ("mch_id", "10000100"),
            ("nonce_str", "TeqClE3i0mvn3DrK"),
            ("req_info", req_info),
        ]))
        .unwrap()
    }

    #[test]
    fn replies_are_exact() {
        assert_eq!(
            SUCCESS_REPLY,
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
        );
        let reply = failure_reply("x]]><evil/>\u{1b}");
        assert_eq!(
            reply,
            "<xml><return_code>FAIL</return_code><return_msg><![CDATA[x]]]]><![CDATA[><evil/>\u{fffd}]]></return_msg></xml>"
        );
        assert_eq!(
            parse(reply.as_bytes()).unwrap().fields["return_msg"],
            "x]]><evil/>\u{fffd}"
        );
        let parsed = parse(SUCCESS_REPLY.as_bytes()).unwrap().fields;
        assert_eq!(
            (parsed["return_code"].as_str(), parsed["return_msg"].as_str()),
            ("SUCCESS", "OK")
        );
    }

    #[test]
    fn signed_notifications_use_their_own_sign_type() {
        for (sign_type, name) in [
            (SignType::Md5, None),
            (SignType::Md5, Some("MD5")),
            (SignType::HmacSha256, Some("HMAC-SHA256")),
        ] {
            let mut f = fields(&[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("out_trade_no", "T1"),
            ]);
            if let Some(name) = name {
                f.insert("sign_type".into(), name.into());
            }
            f.insert("sign".into(), sign(&f, &key(), sign_type));
            let body = render_fields(&f).unwrap();
            let verified = verify_notification(body.as_bytes(), &key()).unwrap();
            assert_eq!(verified["result_code"], "FAIL");

            // The same sign under the other algorithm's name does not pass.
            let mut swapped = f.clone();
            swapped.insert(
                "sign_type".into(),
                if sign_type == SignType::Md5 {
                    "HMAC-SHA256"
                } else {
                    "MD5"
                }
                .into(),
            );
            assert!(verify_notification(render_fields(&swapped).unwrap().as_bytes(), &key()).is_err());
        }
    }

    #[test]
    fn unsigned_tampered_or_odd_notifications_are_refused() {
        let unsigned = render_fields(&fields(&[("return_code", "SUCCESS"), ("out_trade_no", "T1")])).unwrap();
        assert!(matches!(
            verify_notification(unsigned.as_bytes(), &key()),
            Err(V2Error::Signature(SignatureFailure::Missing))
        ));
        let mut f = fields(&[("return_code", "SUCCESS"), ("sign_type", "SHA1")]);
        f.insert("sign".into(), "0".repeat(32));
        assert!(matches!(
            verify_notification(render_fields(&f).unwrap().as_bytes(), &key()),
            Err(V2Error::UnsupportedSignType(_))
        ));
        let refused = "<xml><return_code>FAIL</return_code><return_msg>x</return_msg></xml>";
        assert!(matches!(
            verify_notification(refused.as_bytes(), &key()),
            Err(V2Error::Return { .. })
        ));
        assert!(matches!(
            verify_notification(b"<xml><a>1</a><a>2</a></xml>", &key()),
            Err(V2Error::Xml(e)) if e.kind == XmlErrorKind::Duplicate { name: "a".into() }
        ));
    }

    #[test]
    fn refund_notifications_decrypt_to_their_root_fields() {
        let inner = "<root><out_refund_no><![CDATA[R1]]></out_refund_no><refund_fee>100</refund_fee>\
                     <refund_status>SUCCESS</refund_status></root>";
        let body = refund_notification(&encrypt(inner));
        let notification = read_refund_notification(body.as_bytes(), &key()).unwrap();
        assert_eq!(notification.refund["out_refund_no"], "R1");
        assert_eq!(notification.refund["refund_fee"], "100");
        assert_eq!(notification.outer["mch_id"], "10000100");
        // Line breaks inside the Base64 text's ends are tolerated.
        let wrapped = refund_notification(&format!("\n{}\n", encrypt(inner)));
        assert!(read_refund_notification(wrapped.as_bytes(), &key()).is_ok());
    }

    #[test]
    fn refund_notifications_fail_with_a_typed_error_at_each_step() {
        let reason = |body: String| match read_refund_notification(body.as_bytes(), &key()) {
            Err(V2Error::ReqInfo(reason)) => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(reason(refund_notification("@@@")), "not valid Base64");
        assert_eq!(
            reason(refund_notification(&base64_encode(&[0; 15]))),
            "the ciphertext is not a whole number of AES blocks"
        );
        assert_eq!(
            reason(refund_notification("")),
            "the ciphertext is not a whole number of AES blocks"
        );
        let other_key = ApiV2Key::new(&KEY.replace('0', "1")).unwrap();
        let sealed =
            base64_encode(&legacy::aes_256_ecb_encrypt(&other_key.refund_key(), b"<root><a>1</a></root>").unwrap());
        assert_eq!(
            reason(refund_notification(&sealed)),
            "it does not decrypt under this APIv2 key (bad padding)"
        );
        assert_eq!(
            reason(refund_notification(&encrypt("not xml"))),
            "the decrypted text is not a flat XML document"
        );
        assert_eq!(
            reason(refund_notification(&encrypt("<xml><a>1</a></xml>"))),
            "the decrypted document's root is not <root>"
        );
        let missing = render_fields(&fields(&[("return_code", "SUCCESS")])).unwrap();
        assert_eq!(reason(missing), "the notification has no req_info field");
        let refused = "<xml><return_code>FAIL</return_code><req_info>x</req_info></xml>";
        assert!(matches!(
            read_refund_notification(refused.as_bytes(), &key()),
            Err(V2Error::Return { .. })
        ));
    }

    #[test]
    fn a_sign_on_a_refund_notification_is_checked_when_present() {
        let inner = encrypt("<root><out_refund_no>R1</out_refund_no></root>");
        let mut f = fields(&[("return_code", "SUCCESS"), ("req_info", &inner)]);
        f.insert("sign".into(), sign(&f, &key(), SignType::Md5));
        assert!(read_refund_notification(render_fields(&f).unwrap().as_bytes(), &key()).is_ok());
        f.insert("sign".into(), "0".repeat(32));
        assert!(matches!(
            read_refund_notification(render_fields(&f).unwrap().as_bytes(), &key()),
            Err(V2Error::Signature(SignatureFailure::Mismatch))
        ));
    }
}
