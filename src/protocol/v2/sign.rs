//! APIv2 signatures: the string to sign, MD5 and HMAC-SHA256 signing, checking a received
//! `sign`, and `nonce_str`.
//!
//! The rule: take every field except `sign` whose value is not empty, sorted by name in
//! byte order; join them as `name=value` with `&`, values as they are (no URL-encoding);
//! append `&key=` and the APIv2 key. The signature is the MD5 of that text, or its
//! HMAC-SHA256 keyed with the APIv2 key, in upper-case hex.

use zeroize::Zeroizing;

use super::{ApiV2Key, Fields, SignatureFailure, V2Error};
use crate::crypto::legacy;

/// The field that carries the signature.
pub const SIGN: &str = "sign";

/// The field that names the signature algorithm.
pub const SIGN_TYPE: &str = "sign_type";

/// The field that carries the request's nonce.
pub const NONCE_STR: &str = "nonce_str";

/// An APIv2 signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignType {
    /// MD5: the default when `sign_type` is absent.
    #[default]
    Md5,
    /// HMAC-SHA256 keyed with the APIv2 key (`sign_type` = `HMAC-SHA256`).
    HmacSha256,
}

impl SignType {
    /// The algorithm named by a `sign_type` value: absent or empty (an empty field is not
    /// sent to the signature, so the platform falls back to its default) means MD5, and
    /// the platform's two names, `MD5` and `HMAC-SHA256`, are accepted exactly as written.
    ///
    /// ```
    /// use wechatpay::protocol::v2::SignType;
    /// assert_eq!(SignType::from_field(None)?, SignType::Md5);
    /// assert_eq!(SignType::from_field(Some("HMAC-SHA256"))?, SignType::HmacSha256);
    /// assert!(SignType::from_field(Some("SHA256")).is_err());
    /// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
    /// ```
    pub fn from_field(value: Option<&str>) -> Result<Self, V2Error> {
        match value {
            None | Some("" | "MD5") => Ok(Self::Md5),
            Some("HMAC-SHA256") => Ok(Self::HmacSha256),
            Some(other) => Err(V2Error::UnsupportedSignType(other.to_owned())),
        }
    }

    /// The algorithm named by the `sign_type` field of `fields`.
    ///
    /// ```
    /// use wechatpay::protocol::v2::{Fields, SignType};
    /// let fields = Fields::from([("sign_type".to_owned(), "HMAC-SHA256".to_owned())]);
    /// assert_eq!(SignType::of(&fields)?, SignType::HmacSha256);
    /// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
    /// ```
    pub fn of(fields: &Fields) -> Result<Self, V2Error> {
        Self::from_field(fields.get(SIGN_TYPE).map(String::as_str))
    }

    /// The platform's name: `MD5` or `HMAC-SHA256`.
    ///
    /// ```
    /// assert_eq!(wechatpay::protocol::v2::SignType::HmacSha256.as_str(), "HMAC-SHA256");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::HmacSha256 => "HMAC-SHA256",
        }
    }

    /// The length of this algorithm's signature in hex characters: 32 or 64.
    ///
    /// ```
    /// assert_eq!(wechatpay::protocol::v2::SignType::Md5.sign_len(), 32);
    /// ```
    pub fn sign_len(self) -> usize {
        match self {
            Self::Md5 => 32,
            Self::HmacSha256 => 64,
        }
    }
}

/// The string to sign without its secret tail: `a=1&b=2` over the non-empty fields other
/// than `sign`, sorted by name. The signature covers this text followed by `&key=<APIv2
/// key>`; the key is added only inside [`sign`], so that this value can be logged.
///
/// ```
/// use wechatpay::protocol::v2::{Fields, string_to_sign};
/// let fields = Fields::from([
///     ("mch_id".to_owned(), "10000100".to_owned()),
///     ("body".to_owned(), "a&b=c".to_owned()),
///     ("attach".to_owned(), "".to_owned()),
///     ("sign".to_owned(), "XYZ".to_owned()),
/// ]);
/// assert_eq!(string_to_sign(&fields), "body=a&b=c&mch_id=10000100");
/// ```
pub fn string_to_sign(fields: &Fields) -> String {
    let mut out = String::new();
    for (name, value) in fields {
        if name == SIGN || value.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// The signature of `fields` under `key` with `sign_type`, in upper-case hex.
///
/// ```
/// use wechatpay::protocol::v2::{ApiV2Key, Fields, SignType, sign};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let fields: Fields = [("appid", "wxd930ea5d5a258f4f"), ("mch_id", "10000100"), ("device_info", "1000"),
///     ("body", "test"), ("nonce_str", "ibuaiVcKdpRxkhJA")]
///     .into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
/// assert_eq!(sign(&fields, &key, SignType::Md5), "9A0A8659F005D6984697E2CA0A9CF3B7");
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn sign(fields: &Fields, key: &ApiV2Key, sign_type: SignType) -> String {
    let head = string_to_sign(fields);
    // Sized up front: the buffer that receives the key is never reallocated, so no copy of
    // the key is left behind; it is wiped on drop.
    let mut message = Zeroizing::new(Vec::with_capacity(head.len() + 5 + key.expose().len()));
    message.extend_from_slice(head.as_bytes());
    message.extend_from_slice(b"&key=");
    message.extend_from_slice(key.expose());
    let hex = match sign_type {
        SignType::Md5 => legacy::hex_lower(&Zeroizing::new(legacy::md5(&message))[..]),
        SignType::HmacSha256 => legacy::hex_lower(&Zeroizing::new(legacy::hmac_sha256(key.expose(), &message))[..]),
    };
    hex.to_ascii_uppercase()
}

/// Checks the `sign` field of `fields` with `sign_type`, comparing in constant time. The
/// signature is expected in upper-case hex, as the platform writes it.
///
/// ```
/// use wechatpay::protocol::v2::{ApiV2Key, Fields, SignType, sign, verify};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let mut fields = Fields::from([("return_code".to_owned(), "SUCCESS".to_owned())]);
/// let signature = sign(&fields, &key, SignType::Md5);
/// fields.insert("sign".to_owned(), signature);
/// verify(&fields, &key, SignType::Md5)?;
/// assert!(verify(&fields, &key, SignType::HmacSha256).is_err());
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn verify(fields: &Fields, key: &ApiV2Key, sign_type: SignType) -> Result<(), V2Error> {
    let received = received_sign(fields)?;
    let expected = sign(fields, key, sign_type);
    if legacy::constant_time_eq(expected.as_bytes(), received.as_bytes()) {
        Ok(())
    } else {
        Err(V2Error::Signature(SignatureFailure::Mismatch))
    }
}

/// Checks the `sign` of an answer to a request signed with `requested` (`None` when the
/// request's algorithm is not known), and returns the algorithm that verified it.
///
/// The algorithm is the request's, except that a 64-character sign is always HMAC-SHA256
/// (some answers to MD5-signed requests come back signed that way); with no request
/// algorithm, a 32-character sign is MD5. An answer to an HMAC-SHA256 request is never
/// accepted with MD5.
///
/// ```
/// use wechatpay::protocol::v2::{ApiV2Key, Fields, SignType, sign, verify_answer};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let mut fields = Fields::from([("return_code".to_owned(), "SUCCESS".to_owned())]);
/// fields.insert("sign".to_owned(), sign(&fields, &key, SignType::HmacSha256));
/// assert_eq!(verify_answer(&fields, &key, Some(SignType::Md5))?, SignType::HmacSha256);
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn verify_answer(fields: &Fields, key: &ApiV2Key, requested: Option<SignType>) -> Result<SignType, V2Error> {
    let received = received_sign(fields)?;
    let sign_type = match (received.len(), requested) {
        (64, _) => SignType::HmacSha256,
        (_, Some(requested)) => requested,
        (32, None) => SignType::Md5,
        (len, None) => return Err(V2Error::Signature(SignatureFailure::UnexpectedLength(len))),
    };
    verify(fields, key, sign_type)?;
    Ok(sign_type)
}

/// The fields whose absence means something to a reader of an answer or a callback (no
/// `result_code` is read as no business failure).
const MEANINGFUL_WHEN_ABSENT: [&str; 2] = ["return_code", "result_code"];

/// Refuses a signed document that lacks one of [`MEANINGFUL_WHEN_ABSENT`] (or has it empty,
/// which the string to sign leaves out just the same) while a value holds `&name=`: the
/// string to sign joins pairs with `&` unescaped, so such a document signs exactly as the
/// one with the field present, and a field can be folded away without the key. A value
/// holding `&` for other reasons (a URL's query) is not refused.
pub(crate) fn check_unambiguous(fields: &Fields) -> Result<(), V2Error> {
    for field in MEANINGFUL_WHEN_ABSENT {
        if fields.get(field).is_some_and(|value| !value.is_empty()) {
            continue;
        }
        let marker = format!("&{field}=");
        if fields.values().any(|value| value.contains(&marker)) {
            return Err(V2Error::Signature(SignatureFailure::Ambiguous { field }));
        }
    }
    Ok(())
}

fn received_sign(fields: &Fields) -> Result<&str, V2Error> {
    match fields.get(SIGN) {
        Some(sign) if !sign.is_empty() => Ok(sign),
        _ => Err(V2Error::Signature(SignatureFailure::Missing)),
    }
}

/// A fresh `nonce_str`: 32 characters of `[0-9A-Za-z]` drawn uniformly from the
/// cryptography backend's random source.
///
/// ```
/// let nonce = wechatpay::protocol::v2::nonce_str()?;
/// assert_eq!(nonce.len(), 32);
/// assert!(nonce.bytes().all(|b| b.is_ascii_alphanumeric()));
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn nonce_str() -> Result<String, V2Error> {
    crate::crypto::nonce().map_err(|_| V2Error::Random)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn platform_example() -> Fields {
        fields(&[
            ("appid", "wxd930ea5d5a258f4f"),
            ("mch_id", "10000100"),
            ("device_info", "1000"),
            ("body", "test"),
            ("nonce_str", "ibuaiVcKdpRxkhJA"),
        ])
    }

    #[test]
    fn the_platform_example_signs_to_its_published_values() {
        let key = ApiV2Key::new(KEY).unwrap();
        let example = platform_example();
        assert_eq!(
            string_to_sign(&example),
            "appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA"
        );
        assert_eq!(sign(&example, &key, SignType::Md5), "9A0A8659F005D6984697E2CA0A9CF3B7");
        assert_eq!(
            sign(&example, &key, SignType::HmacSha256),
            "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
        );
    }

    #[test]
    fn sign_and_empty_values_are_left_out_and_order_is_by_bytes() {
        let f = fields(&[
            ("b", "2"),
            ("B", "1"),
            ("a_", "3"),
            ("a", "4"),
            ("sign", "x"),
            ("e", ""),
            ("a.", "5"),
        ]);
        // Byte order: 'B' (0x42) < 'a' < "a." (0x2e) < "a_" (0x5f) < 'b'.
        assert_eq!(string_to_sign(&f), "B=1&a=4&a.=5&a_=3&b=2");
        // Values are not encoded, whatever they hold.
        let f = fields(&[("body", "a b&c=d%20中")]);
        assert_eq!(string_to_sign(&f), "body=a b&c=d%20中");
        assert_eq!(string_to_sign(&Fields::new()), "");
    }

    #[test]
    fn sign_type_names_are_exact() {
        assert_eq!(SignType::from_field(Some("")).unwrap(), SignType::Md5);
        assert_eq!(SignType::from_field(Some("MD5")).unwrap(), SignType::Md5);
        for bad in ["md5", "hmac-sha256", "HMAC-SHA1", "HMAC-SHA256 ", "RSA"] {
            match SignType::from_field(Some(bad)) {
                Err(V2Error::UnsupportedSignType(name)) => assert_eq!(name, bad),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn verification_catches_any_change_to_fields_key_or_sign() {
        let key = ApiV2Key::new(KEY).unwrap();
        for sign_type in [SignType::Md5, SignType::HmacSha256] {
            let mut f = platform_example();
            f.insert(SIGN.into(), sign(&f, &key, sign_type));
            verify(&f, &key, sign_type).unwrap();

            let mut changed = f.clone();
            changed.insert("body".into(), "test2".into());
            assert!(matches!(
                verify(&changed, &key, sign_type),
                Err(V2Error::Signature(SignatureFailure::Mismatch))
            ));
            let mut added = f.clone();
            added.insert("extra".into(), "1".into());
            assert!(verify(&added, &key, sign_type).is_err());
            // An empty field may be added or removed: it is not signed.
            let mut empty = f.clone();
            empty.insert("extra".into(), String::new());
            verify(&empty, &key, sign_type).unwrap();

            let other_key = ApiV2Key::new(&KEY.replace('1', "2")).unwrap();
            assert!(verify(&f, &other_key, sign_type).is_err());

            let mut lower = f.clone();
            lower.insert(SIGN.into(), f[SIGN].to_ascii_lowercase());
            assert!(verify(&lower, &key, sign_type).is_err());

            let mut missing = f.clone();
            missing.remove(SIGN);
            assert!(matches!(
                verify(&missing, &key, sign_type),
                Err(V2Error::Signature(SignatureFailure::Missing))
            ));
            missing.insert(SIGN.into(), String::new());
            assert!(matches!(
                verify(&missing, &key, sign_type),
                Err(V2Error::Signature(SignatureFailure::Missing))
            ));
        }
    }

    #[test]
    fn answers_pick_the_algorithm_by_request_then_length() {
        let key = ApiV2Key::new(KEY).unwrap();
        let mut md5 = platform_example();
        md5.insert(SIGN.into(), sign(&md5, &key, SignType::Md5));
        let mut hmac = platform_example();
        hmac.insert(SIGN.into(), sign(&hmac, &key, SignType::HmacSha256));

        assert_eq!(verify_answer(&md5, &key, None).unwrap(), SignType::Md5);
        assert_eq!(verify_answer(&md5, &key, Some(SignType::Md5)).unwrap(), SignType::Md5);
        assert_eq!(verify_answer(&hmac, &key, None).unwrap(), SignType::HmacSha256);
        assert_eq!(
            verify_answer(&hmac, &key, Some(SignType::Md5)).unwrap(),
            SignType::HmacSha256
        );
        assert_eq!(
            verify_answer(&hmac, &key, Some(SignType::HmacSha256)).unwrap(),
            SignType::HmacSha256
        );
        // No downgrade: an HMAC-SHA256 request does not accept an MD5-signed answer.
        assert!(matches!(
            verify_answer(&md5, &key, Some(SignType::HmacSha256)),
            Err(V2Error::Signature(SignatureFailure::Mismatch))
        ));
        let mut odd = md5.clone();
        odd.insert(SIGN.into(), "ABC".into());
        assert!(matches!(
            verify_answer(&odd, &key, None),
            Err(V2Error::Signature(SignatureFailure::UnexpectedLength(3)))
        ));
        assert!(matches!(
            verify_answer(&odd, &key, Some(SignType::Md5)),
            Err(V2Error::Signature(SignatureFailure::Mismatch))
        ));
    }

    #[test]
    fn nonces_are_fresh() {
        let a = nonce_str().unwrap();
        let b = nonce_str().unwrap();
        assert_ne!(a, b);
        assert!(a.len() == 32 && a.bytes().all(|c| c.is_ascii_alphanumeric()));
    }
}
