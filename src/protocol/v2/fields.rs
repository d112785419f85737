//! The fields of an APIv2 document, and their conversion from and to JSON.
//!
//! An APIv2 request, answer or callback is a flat set of named text values. They are held
//! in a [`Fields`] map, sorted by name in byte order (the order signatures use).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::V2Error;

/// The fields of a flat APIv2 document, sorted by name (byte order).
pub type Fields = BTreeMap<String, String>;

/// Whether `name` can be a field (or root) name: an ASCII XML name,
/// `[A-Za-z_][A-Za-z0-9_.-]*`. Every APIv2 field name is one.
///
/// ```
/// use wechatpay::protocol::v2::is_field_name;
/// assert!(is_field_name("out_trade_no"));
/// assert!(!is_field_name("1st") && !is_field_name("a b") && !is_field_name("") && !is_field_name("a:b"));
/// ```
pub fn is_field_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'A'..=b'Z' | b'a'..=b'z' | b'_')) && bytes.all(is_name_byte)
}

/// A byte that may continue a name.
pub(super) fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// Whether XML 1.0 allows `c` in a document: every character except the C0 controls other
/// than tab, LF and CR, and U+FFFE and U+FFFF (Rust's `char` already excludes surrogates).
pub(super) fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// The fields of a JSON request body: an object whose values are strings, numbers
/// (written as their JSON text: `1`, `-2`, `0.5`) or booleans (`true`, `false`). A `null`
/// value leaves its field out. An object or array value is refused: fields that hold JSON,
/// such as `detail`, must be passed as a JSON string (`serde_json::to_string(&detail)`),
/// which is what the platform expects.
///
/// ```
/// use serde_json::json;
/// use wechatpay::protocol::v2::fields_from_json;
/// let fields = fields_from_json(&json!({"total_fee": 1, "body": "test", "attach": null, "profit_sharing": false}))?;
/// assert_eq!(fields.get("total_fee").map(String::as_str), Some("1"));
/// assert_eq!(fields.get("profit_sharing").map(String::as_str), Some("false"));
/// assert!(!fields.contains_key("attach"));
/// assert!(fields_from_json(&json!({"detail": {"goods_detail": []}})).is_err());
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn fields_from_json(body: &Value) -> Result<Fields, V2Error> {
    let Value::Object(object) = body else {
        return Err(V2Error::NotAnObject);
    };
    let mut fields = Fields::new();
    for (name, value) in object {
        if !is_field_name(name) {
            return Err(V2Error::InvalidField {
                name: name.clone(),
                reason: "a field name must be an ASCII XML name ([A-Za-z_][A-Za-z0-9_.-]*)",
            });
        }
        let text = match value {
            Value::Null => continue,
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            Value::Object(_) | Value::Array(_) => {
                return Err(V2Error::InvalidField {
                    name: name.clone(),
                    reason: "an object or array value must be passed as a JSON string (serde_json::to_string)",
                });
            }
        };
        fields.insert(name.clone(), text);
    }
    Ok(fields)
}

/// The fields as a JSON object of strings.
///
/// ```
/// use wechatpay::protocol::v2::{Fields, fields_to_json};
/// let fields = Fields::from([("return_code".to_owned(), "SUCCESS".to_owned())]);
/// assert_eq!(fields_to_json(fields), serde_json::json!({"return_code": "SUCCESS"}));
/// ```
pub fn fields_to_json(fields: Fields) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect::<Map<_, _>>(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn scalars_become_their_text_and_nulls_are_left_out() {
        let fields = fields_from_json(&json!({
            "s": "文本 <&>", "i": 100, "n": -5, "f": 0.5, "t": true, "e": "", "z": null,
        }))
        .unwrap();
        let expected: Vec<(&str, &str)> = vec![
            ("e", ""),
            ("f", "0.5"),
            ("i", "100"),
            ("n", "-5"),
            ("s", "文本 <&>"),
            ("t", "true"),
        ];
        assert_eq!(
            fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>(),
            expected
        );
    }

    #[test]
    fn nested_values_and_bad_names_are_refused_with_the_field_named() {
        for (body, field) in [
            (json!({"detail": {"cost_price": 1}}), "detail"),
            (json!({"goods": [1, 2]}), "goods"),
            (json!({"bad name": "x"}), "bad name"),
            (json!({"<x>": "x"}), "<x>"),
            (json!({"": "x"}), ""),
        ] {
            match fields_from_json(&body) {
                Err(V2Error::InvalidField { name, .. }) => assert_eq!(name, field),
                other => panic!("{body}: {other:?}"),
            }
        }
        assert!(matches!(fields_from_json(&json!([1])), Err(V2Error::NotAnObject)));
        assert!(matches!(fields_from_json(&json!("x")), Err(V2Error::NotAnObject)));
    }

    #[test]
    fn a_json_string_detail_is_passed_through_as_text() {
        let detail = serde_json::to_string(&json!({"goods_detail": [{"goods_id": "1"}]})).unwrap();
        let fields = fields_from_json(&json!({ "detail": detail })).unwrap();
        assert_eq!(fields["detail"], r#"{"goods_detail":[{"goods_id":"1"}]}"#);
    }

    #[test]
    fn names_follow_the_ascii_xml_name_rule() {
        for good in ["a", "_a", "A.b-c_9", "xml", "nonce_str"] {
            assert!(is_field_name(good), "{good}");
        }
        for bad in ["", "9a", "-a", ".a", "a b", "a:b", "名字", "a\u{0}", "a>"] {
            assert!(!is_field_name(bad), "{bad}");
        }
    }
}
