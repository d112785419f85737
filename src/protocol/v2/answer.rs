//! Reading an APIv2 answer: XML to fields, then the platform's three outcomes in order.
//!
//! 1. `return_code` other than `SUCCESS` (or none): the platform refused the call
//!    ([`V2Error::Return`], with `return_msg`). Such answers are often unsigned, so nothing
//!    in them is trusted beyond "it failed".
//! 2. Otherwise the `sign` must verify, unless the endpoint answers unsigned by design
//!    ([`answers_unsigned`](super::answers_unsigned)) and the answer has none; a missing
//!    `sign` is a failure ([`V2Error::Signature`]), and so is a signed answer lacking
//!    `result_code` while a value holds `&result_code=` (the field folded away:
//!    [`SignatureFailure::Ambiguous`](super::SignatureFailure::Ambiguous)).
//! 3. Then `result_code` = `FAIL` is the platform declining the operation
//!    ([`V2Error::Business`], with `err_code` and `err_code_des`).
//!
//! What passes is a JSON object of strings, every field of the answer (`sign` included).

use serde_json::Value;

use super::sign::check_unambiguous;
use super::{ApiV2Key, Fields, SIGN, SignType, V2Error, answers_unsigned, fields_to_json, parse, verify_answer};

/// How an answer must be signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerSignature {
    /// Signed with the APIv2 key: the value is the request's algorithm (see
    /// [`verify_answer`](super::verify_answer) for how it is chosen).
    Signed(SignType),
    /// Unsigned by design (the endpoint is in
    /// [`UNSIGNED_ANSWERS`](super::UNSIGNED_ANSWERS)): no signature check, unless the
    /// answer carries a `sign` after all, which must then verify.
    Unsigned,
}

impl AnswerSignature {
    /// What the answer of the endpoint at `path` must carry, for a request signed with
    /// `request`.
    ///
    /// ```
    /// use wechatpay::protocol::v2::{AnswerSignature, SignType};
    /// assert_eq!(AnswerSignature::for_endpoint("v2/pay/micropay", SignType::Md5), AnswerSignature::Signed(SignType::Md5));
    /// assert_eq!(AnswerSignature::for_endpoint("v2/mmpaymkttransfers/sendredpack", SignType::Md5), AnswerSignature::Unsigned);
    /// ```
    pub fn for_endpoint(path: &str, request: SignType) -> Self {
        if answers_unsigned(path) {
            Self::Unsigned
        } else {
            Self::Signed(request)
        }
    }
}

/// Reads an answer body (see the module documentation for the order of the checks).
///
/// ```
/// use wechatpay::protocol::v2::{AnswerSignature, ApiV2Key, Fields, SignType, V2Error, read_answer, render_fields, sign};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let mut fields: Fields = [("return_code", "SUCCESS"), ("result_code", "SUCCESS"), ("prepay_id", "wx2017")]
///     .into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
/// fields.insert("sign".into(), sign(&fields, &key, SignType::Md5));
/// let body = render_fields(&fields)?;
///
/// let answer = read_answer(body.as_bytes(), &key, AnswerSignature::Signed(SignType::Md5))?;
/// assert_eq!(answer["prepay_id"], "wx2017");
///
/// let forged = body.replace("wx2017", "wx2018");
/// assert!(matches!(
///     read_answer(forged.as_bytes(), &key, AnswerSignature::Signed(SignType::Md5)),
///     Err(V2Error::Signature(_))
/// ));
/// # Ok::<(), V2Error>(())
/// ```
pub fn read_answer(body: &[u8], key: &ApiV2Key, signature: AnswerSignature) -> Result<Value, V2Error> {
    read_verified(body, key, signature).map(|(fields, _)| fields)
}

/// [`read_answer`], also saying which algorithm verified the answer (`None`: it came
/// unsigned, as its endpoint may).
pub(crate) fn read_verified(
    body: &[u8],
    key: &ApiV2Key,
    signature: AnswerSignature,
) -> Result<(Value, Option<SignType>), V2Error> {
    let fields = parse(body)?.fields;
    check_return_code(&fields)?;
    let verified_by = match signature {
        AnswerSignature::Signed(request) => Some(verify_answer(&fields, key, Some(request))?),
        // An empty sign is outside any signature, like every empty field: not a sign.
        AnswerSignature::Unsigned if fields.get(SIGN).is_some_and(|s| !s.is_empty()) => {
            Some(verify_answer(&fields, key, None)?)
        }
        AnswerSignature::Unsigned => None,
    };
    if verified_by.is_some() {
        check_unambiguous(&fields)?;
    }
    if fields.get("result_code").map(String::as_str) == Some("FAIL") {
        return Err(V2Error::Business {
            err_code: fields.get("err_code").cloned(),
            err_code_des: fields.get("err_code_des").cloned(),
            answer: Box::new(fields_to_json(fields)),
        });
    }
    Ok((fields_to_json(fields), verified_by))
}

/// `return_code` must be `SUCCESS`; otherwise the platform refused the call (an answer) or
/// reports a failure (a callback), with `return_msg`.
pub(super) fn check_return_code(fields: &Fields) -> Result<(), V2Error> {
    if fields.get("return_code").map(String::as_str) == Some("SUCCESS") {
        Ok(())
    } else {
        Err(V2Error::Return {
            return_code: fields.get("return_code").cloned(),
            return_msg: fields.get("return_msg").cloned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protocol::v2::{Fields, SignatureFailure, render_fields, sign};

    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    fn key() -> ApiV2Key {
        ApiV2Key::new(KEY).unwrap()
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn signed(pairs: &[(&str, &str)], sign_type: SignType) -> String {
        let mut f = fields(pairs);
        f.insert("sign".into(), sign(&f, &key(), sign_type));
        render_fields(&f).unwrap()
    }

    const MD5: AnswerSignature = AnswerSignature::Signed(SignType::Md5);

    #[test]
    fn a_signed_success_becomes_a_json_object_of_strings() {
        let body = signed(
            &[
                ("return_code", "SUCCESS"),
                ("return_msg", "OK"),
                ("result_code", "SUCCESS"),
                ("total_fee", "1"),
            ],
            SignType::Md5,
        );
        let answer = read_answer(body.as_bytes(), &key(), MD5).unwrap();
        assert_eq!(answer["total_fee"], json!("1"));
        assert_eq!(answer["result_code"], json!("SUCCESS"));
        assert_eq!(answer.as_object().unwrap().len(), 5);
        assert!(answer.as_object().unwrap().values().all(Value::is_string));
    }

    #[test]
    fn a_refusal_is_reported_before_any_signature_check() {
        let body =
            "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名错误]]></return_msg></xml>";
        match read_answer(body.as_bytes(), &key(), MD5) {
            Err(V2Error::Return {
                return_code,
                return_msg,
            }) => {
                assert_eq!(return_code.as_deref(), Some("FAIL"));
                assert_eq!(return_msg.as_deref(), Some("签名错误"));
            }
            other => panic!("{other:?}"),
        }
        match read_answer(b"<xml><result_code>SUCCESS</result_code></xml>", &key(), MD5) {
            Err(V2Error::Return {
                return_code: None,
                return_msg: None,
            }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_or_wrong_sign_fails_on_signed_endpoints() {
        let unsigned = "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code></xml>";
        assert!(matches!(
            read_answer(unsigned.as_bytes(), &key(), MD5),
            Err(V2Error::Signature(SignatureFailure::Missing))
        ));
        let body = signed(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "SUCCESS"),
                ("total_fee", "1"),
            ],
            SignType::Md5,
        );
        let forged = body.replace("<total_fee>1<", "<total_fee>100<");
        assert!(matches!(
            read_answer(forged.as_bytes(), &key(), MD5),
            Err(V2Error::Signature(SignatureFailure::Mismatch))
        ));
        // A business failure with a bad signature is a signature failure, not a business one.
        let body = signed(
            &[("return_code", "SUCCESS"), ("result_code", "FAIL"), ("err_code", "X")],
            SignType::Md5,
        );
        let forged = body.replace("<err_code>X<", "<err_code>Y<");
        assert!(matches!(
            read_answer(forged.as_bytes(), &key(), MD5),
            Err(V2Error::Signature(_))
        ));
    }

    #[test]
    fn unsigned_endpoints_skip_only_the_signature() {
        let body =
            "<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code><mch_billno>1</mch_billno></xml>";
        let signature = AnswerSignature::for_endpoint("v2/mmpaymkttransfers/sendredpack", SignType::Md5);
        assert_eq!(
            read_answer(body.as_bytes(), &key(), signature).unwrap()["mch_billno"],
            "1"
        );
        let failed = "<xml><return_code>SUCCESS</return_code><result_code>FAIL</result_code>\
                      <err_code>NOTENOUGH</err_code><err_code_des>余额不足</err_code_des></xml>";
        match read_answer(failed.as_bytes(), &key(), signature) {
            Err(V2Error::Business {
                err_code,
                err_code_des,
                answer,
            }) => {
                assert_eq!(err_code.as_deref(), Some("NOTENOUGH"));
                assert_eq!(err_code_des.as_deref(), Some("余额不足"));
                assert_eq!(answer["result_code"], "FAIL");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_answer(b"<xml><return_code>FAIL</return_code></xml>", &key(), signature),
            Err(V2Error::Return { .. })
        ));
    }

    #[test]
    fn a_verified_business_failure_carries_what_the_platform_said() {
        let body = signed(
            &[
                ("return_code", "SUCCESS"),
                ("result_code", "FAIL"),
                ("err_code", "ORDERPAID"),
                ("err_code_des", "该订单已支付\u{9b}2J\u{202e}"),
            ],
            SignType::HmacSha256,
        );
        let err = read_answer(body.as_bytes(), &key(), AnswerSignature::Signed(SignType::HmacSha256)).unwrap_err();
        let shown = err.to_string();
        match err {
            V2Error::Business {
                err_code,
                err_code_des,
                answer,
            } => {
                assert_eq!(err_code.as_deref(), Some("ORDERPAID"));
                // Kept as received, escaped when shown.
                assert_eq!(err_code_des.as_deref(), Some("该订单已支付\u{9b}2J\u{202e}"));
                assert_eq!(answer["err_code"], "ORDERPAID");
            }
            other => panic!("{other:?}"),
        }
        // The C1 control CSI (U+009B) acts like ESC [ on many terminals; U+202E reverses text.
        assert!(!shown.contains(['\u{9b}', '\u{202e}']), "{shown}");
        assert!(shown.contains("该订单已支付\\u{9b}2J\\u{202e}"), "{shown}");
    }

    #[test]
    fn platform_text_in_a_refusal_is_escaped_when_shown() {
        let body = b"<xml><return_code>FAIL\x1b]0;x\x07</return_code><return_msg>a&#x85;b\r\n</return_msg></xml>";
        // Raw ESC and BEL are not XML characters: the document is refused outright.
        assert!(matches!(read_answer(body, &key(), MD5), Err(V2Error::Xml(_))));
        let body = "<xml><return_code>FAIL</return_code><return_msg>a&#x85;b&#x202E;\r\n</return_msg></xml>";
        let err = read_answer(body.as_bytes(), &key(), MD5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the platform refused the call: return_code FAIL, return_msg a\\u{85}b\\u{202e}\\u{d}\\u{a}"
        );
    }

    #[test]
    fn garbage_is_an_xml_error() {
        for body in [&b""[..], b"{\"code\":\"x\"}", b"<html>", b"<xml><a>1</a>"] {
            assert!(
                matches!(read_answer(body, &key(), MD5), Err(V2Error::Xml(_))),
                "{body:?}"
            );
        }
    }
}
