//! Preparing an APIv2 request: from a JSON body to the signed fields, then to the XML body
//! of a POST or the query string of a GET.

use serde_json::Value;

use super::sign::{NONCE_STR, SIGN};
use super::{ApiV2Key, Fields, SignType, V2Error, fields_from_json, nonce_str, render_fields, sign};

/// The fields that name the merchant; when a body has one, it must be the configured
/// merchant id.
pub const MERCHANT_FIELDS: [&str; 3] = ["mch_id", "mchid", "combine_mch_id"];

/// A signed APIv2 request body.
///
/// `Debug` shows the names of the fields and the algorithm, not the values (order numbers,
/// ids), as `RequestBuilder` does.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    fields: Fields,
    sign_type: SignType,
    xml: String,
}

/// Prepares `body` for sending as merchant `merchant_id`:
///
/// 1. the body must be a JSON object of strings, numbers and booleans (see
///    [`fields_from_json`]) and must not hold `sign`, which is computed here;
/// 2. a body that names a merchant (`mch_id`, `mchid` or `combine_mch_id`) must name
///    `merchant_id`;
/// 3. `sign_type` (absent, `MD5` or `HMAC-SHA256`) picks the algorithm, and is signed
///    like any other field;
/// 4. a `nonce_str` is drawn when the body has none (or an empty one);
/// 5. the fields are signed and the XML body is rendered.
///
/// ```
/// use serde_json::json;
/// use wechatpay::protocol::v2::{ApiV2Key, SignType, prepare};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let request = prepare(
///     &json!({"appid": "wxd930ea5d5a258f4f", "mch_id": "10000100", "device_info": 1000,
///             "body": "test", "nonce_str": "ibuaiVcKdpRxkhJA"}),
///     "10000100",
///     &key,
/// )?;
/// assert_eq!(request.sign_type(), SignType::Md5);
/// assert_eq!(request.fields()["sign"], "9A0A8659F005D6984697E2CA0A9CF3B7");
/// assert!(request.xml().starts_with("<xml><appid>wxd930ea5d5a258f4f</appid><body>test</body>"));
/// assert!(request.xml().ends_with("<sign>9A0A8659F005D6984697E2CA0A9CF3B7</sign></xml>"));
///
/// assert!(prepare(&json!({"mch_id": "10000101"}), "10000100", &key).is_err());
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn prepare(body: &Value, merchant_id: &str, key: &ApiV2Key) -> Result<PreparedRequest, V2Error> {
    let mut fields = fields_from_json(body)?;
    if fields.contains_key(SIGN) {
        return Err(V2Error::InvalidField {
            name: SIGN.to_owned(),
            reason: "the sign is computed by the client: leave it out of the body",
        });
    }
    for field in MERCHANT_FIELDS {
        if let Some(found) = fields.get(field)
            && found != merchant_id
        {
            return Err(V2Error::MerchantMismatch {
                field,
                expected: merchant_id.to_owned(),
                found: found.clone(),
            });
        }
    }
    let sign_type = SignType::of(&fields)?;
    if fields.get(NONCE_STR).is_none_or(String::is_empty) {
        fields.insert(NONCE_STR.to_owned(), nonce_str()?);
    }
    let signature = sign(&fields, key, sign_type);
    fields.insert(SIGN.to_owned(), signature);
    let xml = render_fields(&fields)?;
    Ok(PreparedRequest { fields, sign_type, xml })
}

impl std::fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("fields", &self.fields.keys().collect::<Vec<_>>())
            .field("sign_type", &self.sign_type)
            .finish_non_exhaustive()
    }
}

impl PreparedRequest {
    /// Every field sent, `nonce_str` and `sign` included.
    ///
    /// ```
    /// # use wechatpay::protocol::v2::{ApiV2Key, prepare};
    /// # let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
    /// let request = prepare(&serde_json::json!({"out_trade_no": "T1"}), "10000100", &key)?;
    /// assert_eq!(request.fields()["nonce_str"].len(), 32);
    /// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
    /// ```
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The algorithm that signed the request; its answer is checked with the same one
    /// (see [`verify_answer`](super::verify_answer)).
    ///
    /// ```
    /// # use wechatpay::protocol::v2::{ApiV2Key, SignType, prepare};
    /// # let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
    /// let request = prepare(&serde_json::json!({"sign_type": "HMAC-SHA256"}), "10000100", &key)?;
    /// assert_eq!(request.sign_type(), SignType::HmacSha256);
    /// assert_eq!(request.fields()["sign"].len(), 64);
    /// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
    /// ```
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }

    /// The POST body: `<xml>` with every field, sorted by name (see
    /// [`render`](super::render) for how values are written). Send it as
    /// `text/xml; charset=utf-8`.
    ///
    /// ```
    /// # use wechatpay::protocol::v2::{ApiV2Key, prepare};
    /// # let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
    /// let request = prepare(&serde_json::json!({"body": "<b>", "nonce_str": "n"}), "10000100", &key)?;
    /// assert!(request.xml().starts_with("<xml><body><![CDATA[<b>]]></body><nonce_str>n</nonce_str><sign>"));
    /// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
    /// ```
    pub fn xml(&self) -> &str {
        &self.xml
    }

    /// The same fields as a URL query string (without the `?`), for the few APIv2
    /// operations called with GET: `name=value` pairs sorted by name, joined by `&`,
    /// names and values percent-encoded as UTF-8 (every byte other than `A-Z a-z 0-9 - . _
    /// ~` becomes `%XX`; a space is `%20`). The signature covers the values before
    /// encoding.
    ///
    /// ```
    /// # use wechatpay::protocol::v2::{ApiV2Key, prepare};
    /// # let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
    /// let request = prepare(&serde_json::json!({"body": "a b&中", "nonce_str": "n"}), "10000100", &key)?;
    /// assert!(request.query().starts_with("body=a%20b%26%E4%B8%AD&nonce_str=n&sign="));
    /// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
    /// ```
    pub fn query(&self) -> String {
        let mut out = String::new();
        crate::protocol::path::push_query(self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())), &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::protocol::v2::{parse, verify};

    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    fn key() -> ApiV2Key {
        ApiV2Key::new(KEY).unwrap()
    }

    #[test]
    fn the_prepared_body_parses_back_to_the_signed_fields() {
        let request = prepare(
            &json!({"mch_id": 10000100, "body": "商品 <描述> & ]]> x\r\n", "total_fee": 1, "sign_type": "HMAC-SHA256"}),
            "10000100",
            &key(),
        )
        .unwrap();
        let parsed = parse(request.xml().as_bytes()).unwrap();
        assert_eq!(parsed.root, "xml");
        assert_eq!(&parsed.fields, request.fields());
        assert_eq!(parsed.fields["mch_id"], "10000100");
        verify(&parsed.fields, &key(), SignType::HmacSha256).unwrap();
    }

    #[test]
    fn a_nonce_is_added_only_when_missing_or_empty() {
        let given = prepare(&json!({"nonce_str": "abc"}), "1", &key()).unwrap();
        assert_eq!(given.fields()["nonce_str"], "abc");
        for body in [json!({}), json!({"nonce_str": ""}), json!({"nonce_str": null})] {
            let drawn = prepare(&body, "1", &key()).unwrap();
            let nonce = &drawn.fields()["nonce_str"];
            assert!(
                nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_alphanumeric()),
                "{body}"
            );
            verify(drawn.fields(), &key(), SignType::Md5).unwrap();
        }
    }

    #[test]
    fn every_merchant_field_must_name_the_configured_merchant() {
        for field in MERCHANT_FIELDS {
            assert!(prepare(&json!({ field: "1900000001" }), "1900000001", &key()).is_ok());
            match prepare(&json!({ field: "1900000002" }), "1900000001", &key()) {
                Err(V2Error::MerchantMismatch {
                    field: f,
                    expected,
                    found,
                }) => {
                    assert_eq!(
                        (f, expected.as_str(), found.as_str()),
                        (field, "1900000001", "1900000002")
                    );
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        // Numbers are compared by their text; other fields naming merchants are free.
        assert!(prepare(&json!({"mch_id": 1900000001u64}), "1900000001", &key()).is_ok());
        assert!(prepare(&json!({"sub_mch_id": "1900000002"}), "1900000001", &key()).is_ok());
    }

    #[test]
    fn refuses_a_caller_sign_an_unknown_sign_type_and_nested_values() {
        assert!(matches!(
            prepare(&json!({"sign": "X"}), "1", &key()),
            Err(V2Error::InvalidField { name, .. }) if name == "sign"
        ));
        assert!(matches!(
            prepare(&json!({"sign_type": "RSA"}), "1", &key()),
            Err(V2Error::UnsupportedSignType(t)) if t == "RSA"
        ));
        assert!(matches!(
            prepare(&json!({"detail": {"goods_detail": []}}), "1", &key()),
            Err(V2Error::InvalidField { name, .. }) if name == "detail"
        ));
        assert!(matches!(
            prepare(&json!({"body": "bell\u{7}"}), "1", &key()),
            Err(V2Error::InvalidField { name, .. }) if name == "body"
        ));
        assert!(matches!(prepare(&json!(null), "1", &key()), Err(V2Error::NotAnObject)));
    }

    #[test]
    fn the_query_string_encodes_everything_but_unreserved_bytes() {
        let request = prepare(
            &json!({"nonce_str": "n", "a": "A-z_0.9~", "b": " +&=?/#%中", "c": ""}),
            "1",
            &key(),
        )
        .unwrap();
        let signature = &request.fields()["sign"];
        assert_eq!(
            request.query(),
            format!("a=A-z_0.9~&b=%20%2B%26%3D%3F%2F%23%25%E4%B8%AD&c=&nonce_str=n&sign={signature}")
        );
        // The signature covers the raw values.
        let expected = sign(
            &[("a", "A-z_0.9~"), ("b", " +&=?/#%中"), ("nonce_str", "n")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            &key(),
            SignType::Md5,
        );
        assert_eq!(signature, &expected);
    }
}
