//! Writing a flat APIv2 XML document: `<xml><name>value</name>...</xml>`, no declaration.
//!
//! The rule for values, one for all:
//!
//! - a value with none of `<`, `>`, `&` and CR is written as it is;
//! - any other value is written as CDATA sections: a `]]>` inside the value is split across
//!   two sections (`]]` ends one, `>` starts the next), and each CR is written between
//!   sections as the character reference `&#13;`, because XML parsers turn a raw CR (or
//!   CR LF) into LF, inside CDATA too, which would change the signed value.
//!
//! Values are never trimmed. A value holding a control character that XML cannot carry at
//! all (C0 controls other than tab, LF and CR; U+FFFE; U+FFFF) is refused, as is a name that
//! is not an ASCII XML name.

use super::fields::{is_field_name, is_xml_char};
use super::{Fields, V2Error};

/// Renders `fields` under the root element `root`, in the order given.
///
/// ```
/// use wechatpay::protocol::v2::render;
/// let xml = render("xml", [("body", "a<b"), ("total_fee", "1"), ("attach", "x]]>y")])?;
/// assert_eq!(
///     xml,
///     "<xml><body><![CDATA[a<b]]></body><total_fee>1</total_fee>\
///      <attach><![CDATA[x]]]]><![CDATA[>y]]></attach></xml>"
/// );
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn render<'a>(root: &str, fields: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<String, V2Error> {
    check_name(root)?;
    let mut out = String::with_capacity(256);
    out.push('<');
    out.push_str(root);
    out.push('>');
    for (name, value) in fields {
        check_name(name)?;
        if !value.chars().all(is_xml_char) {
            return Err(V2Error::InvalidField {
                name: name.to_owned(),
                reason: "the value holds a control character that XML cannot carry",
            });
        }
        out.push('<');
        out.push_str(name);
        out.push('>');
        push_value(&mut out, value);
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    out.push_str("</");
    out.push_str(root);
    out.push('>');
    Ok(out)
}

/// Renders `fields` (sorted by name) under `<xml>`, the root of requests and answers.
///
/// ```
/// use wechatpay::protocol::v2::{Fields, render_fields};
/// let fields = Fields::from([("b".to_owned(), "2".to_owned()), ("a".to_owned(), "1".to_owned())]);
/// assert_eq!(render_fields(&fields)?, "<xml><a>1</a><b>2</b></xml>");
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
pub fn render_fields(fields: &Fields) -> Result<String, V2Error> {
    render("xml", fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

fn check_name(name: &str) -> Result<(), V2Error> {
    if is_field_name(name) {
        Ok(())
    } else {
        Err(V2Error::InvalidField {
            name: name.to_owned(),
            reason: "a field name must be an ASCII XML name ([A-Za-z_][A-Za-z0-9_.-]*)",
        })
    }
}

fn push_value(out: &mut String, value: &str) {
    if !value.contains(['<', '>', '&', '\r']) {
        out.push_str(value);
        return;
    }
    for (i, line) in value.split('\r').enumerate() {
        if i > 0 {
            out.push_str("&#13;");
        }
        if !line.is_empty() {
            out.push_str("<![CDATA[");
            out.push_str(&line.replace("]]>", "]]]]><![CDATA[>"));
            out.push_str("]]>");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(value: &str) -> String {
        let xml = render("xml", [("k", value)]).unwrap();
        xml.strip_prefix("<xml><k>")
            .unwrap()
            .strip_suffix("</k></xml>")
            .unwrap()
            .to_owned()
    }

    #[test]
    fn plain_values_are_written_as_they_are() {
        for value in ["", "SUCCESS", "  spaced  ", "中文", "quote\"apos'", "tab\tline\n"] {
            assert_eq!(one(value), value);
        }
    }

    #[test]
    fn values_with_specials_go_in_cdata() {
        assert_eq!(one("a&b"), "<![CDATA[a&b]]>");
        assert_eq!(one("<x/>"), "<![CDATA[<x/>]]>");
        assert_eq!(one("]]>"), "<![CDATA[]]]]><![CDATA[>]]>");
        assert_eq!(one("a]]>b]]>c"), "<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>c]]>");
        assert_eq!(one("]]]>>"), "<![CDATA[]]]]]><![CDATA[>>]]>");
    }

    #[test]
    fn carriage_returns_are_character_references() {
        assert_eq!(one("a\r\nb"), "<![CDATA[a]]>&#13;<![CDATA[\nb]]>");
        assert_eq!(one("\r"), "&#13;");
        assert_eq!(one("\r\r<"), "&#13;&#13;<![CDATA[<]]>");
    }

    #[test]
    fn bad_names_and_unencodable_values_are_refused() {
        for (root, name, value) in [
            ("xml", "a b", "v"),
            ("xml", "", "v"),
            ("x y", "a", "v"),
            ("xml", "a", "nul\u{0}"),
            ("xml", "a", "esc\u{1b}"),
            ("xml", "a", "\u{ffff}"),
        ] {
            assert!(
                matches!(render(root, [(name, value)]), Err(V2Error::InvalidField { .. })),
                "{root} {name} {value:?}"
            );
        }
    }

    #[test]
    fn fields_keep_the_order_given_and_the_root_is_free() {
        assert_eq!(
            render("root", [("z", "1"), ("a", "2")]).unwrap(),
            "<root><z>1</z><a>2</a></root>"
        );
        assert_eq!(render("xml", []).unwrap(), "<xml></xml>");
    }
}
