//! Reading a flat APIv2 XML document (an answer, a callback, a decrypted `req_info`) into
//! its root name and fields, safely whatever the input.
//!
//! A small reader written for this one shape rather than a general XML library: APIv2
//! documents are one root element holding one level of text-only elements, so the grammar
//! needed is a few dozen lines, every rule below is enforced in one place, and no
//! configuration of a larger parser has to be trusted to keep DTDs and entities out. One
//! pass over the input, no recursion, no backtracking: time and memory are linear in the
//! input, which is itself capped at [`MAX_DOCUMENT_BYTES`].
//!
//! What is accepted:
//!
//! - UTF-8 only (a byte order mark is skipped; an XML declaration at the very start is
//!   allowed if it names no encoding or UTF-8);
//! - one root element, of any name, with no attributes; whitespace and comments around it
//!   and between its fields;
//! - fields `<name>text</name>` or `<name/>` (empty), names being ASCII XML names, each at
//!   most once; a field's text mixes character data, CDATA sections and comments, and may
//!   be empty;
//! - in character data, the five predefined entities (`&lt;` `&gt;` `&amp;` `&quot;`
//!   `&apos;`) and numeric character references (`&#13;`, `&#x4E2D;`), decoded;
//! - values are kept exactly, never trimmed or line-end-normalised: the signature covers
//!   the value as the platform wrote it.
//!
//! What is refused, each with its own [`XmlErrorKind`]: a document over the size limit,
//! invalid UTF-8, another declared encoding, characters XML forbids (raw or referenced), a
//! `<!DOCTYPE` (so no entity can ever be declared, let alone expanded), any other entity
//! reference, processing instructions, attributes, an element inside a field, a duplicated
//! field, text directly inside the root, mismatched or missing closing tags, and anything
//! after the root element.

use super::fields::{is_name_byte, is_xml_char};
use super::{Fields, XmlError, XmlErrorKind};

/// The largest document [`parse`] reads: 1 MiB, far above any APIv2 answer or callback.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// A parsed flat document: its root element's name and its fields. Its `Debug` shows the
/// field names only (the values hold order numbers and payer data).
#[derive(Clone, PartialEq, Eq)]
pub struct XmlDocument {
    /// The root element's name: `xml` for answers and callbacks, `root` for a decrypted
    /// refund `req_info`.
    pub root: String,
    /// The fields, by name.
    pub fields: Fields,
}

impl std::fmt::Debug for XmlDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlDocument")
            .field("root", &self.root)
            .field("fields", &self.fields.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Parses a flat APIv2 document of at most [`MAX_DOCUMENT_BYTES`].
///
/// ```
/// use wechatpay::protocol::v2::{XmlErrorKind, parse};
/// let doc = parse(b"<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>1</total_fee></xml>")?;
/// assert_eq!(doc.root, "xml");
/// assert_eq!(doc.fields["return_code"], "SUCCESS");
///
/// let bomb = b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><xml><k>&a;</k></xml>";
/// assert_eq!(parse(bomb).unwrap_err().kind, XmlErrorKind::Doctype);
/// # Ok::<(), wechatpay::protocol::v2::XmlError>(())
/// ```
pub fn parse(input: &[u8]) -> Result<XmlDocument, XmlError> {
    parse_with_limit(input, MAX_DOCUMENT_BYTES)
}

/// [`parse`] with another size limit, in bytes.
///
/// ```
/// use wechatpay::protocol::v2::{XmlErrorKind, parse_with_limit};
/// let err = parse_with_limit(b"<xml><a>1</a></xml>", 10).unwrap_err();
/// assert_eq!(err.kind, XmlErrorKind::TooLarge { limit: 10 });
/// ```
pub fn parse_with_limit(input: &[u8], limit: usize) -> Result<XmlDocument, XmlError> {
    if input.len() > limit {
        return Err(XmlError {
            kind: XmlErrorKind::TooLarge { limit },
            offset: limit,
        });
    }
    let text = std::str::from_utf8(input).map_err(|e| XmlError {
        kind: XmlErrorKind::InvalidUtf8,
        offset: e.valid_up_to(),
    })?;
    if let Some((offset, _)) = text.char_indices().find(|&(_, c)| !is_xml_char(c)) {
        return Err(XmlError {
            kind: XmlErrorKind::ForbiddenCharacter,
            offset,
        });
    }
    Reader { text, pos: 0 }.document()
}

struct Reader<'a> {
    text: &'a str,
    /// Always on a character boundary: the reader only steps over ASCII bytes it has seen,
    /// or to positions found by searching for ASCII delimiters.
    pos: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl<'a> Reader<'a> {
    fn error(&self, kind: XmlErrorKind) -> XmlError {
        XmlError { kind, offset: self.pos }
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn at(&self, prefix: &str) -> bool {
        self.rest().starts_with(prefix)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    fn document(mut self) -> Result<XmlDocument, XmlError> {
        if self.at("\u{feff}") {
            self.pos += 3;
        }
        if self.at("<?xml") && self.text.as_bytes().get(self.pos + 5).copied().is_some_and(is_space) {
            self.declaration()?;
        }
        self.misc()?;
        match self.peek() {
            None => return Err(self.error(XmlErrorKind::Truncated)),
            Some(b'<') => {}
            Some(_) => return Err(self.error(XmlErrorKind::UnexpectedText)),
        }
        self.markup_other_than_elements()?;
        self.pos += 1;
        let root = self.name()?;
        let mut fields = Fields::new();
        if !self.tag_end()? {
            loop {
                self.skip_space();
                if self.peek().is_none() {
                    return Err(self.error(XmlErrorKind::Truncated));
                }
                if self.at("</") {
                    self.closing_tag(root)?;
                    break;
                }
                if self.at("<!--") {
                    self.comment()?;
                    continue;
                }
                if self.at("<![CDATA[") || self.peek() != Some(b'<') {
                    return Err(self.error(XmlErrorKind::UnexpectedText));
                }
                self.markup_other_than_elements()?;
                self.field(&mut fields)?;
            }
        }
        self.misc()?;
        if self.peek().is_some() {
            return Err(self.error(XmlErrorKind::TrailingContent));
        }
        Ok(XmlDocument {
            root: root.to_owned(),
            fields,
        })
    }

    /// At `<`: refuses declarations (`<!DOCTYPE`, `<!ENTITY`, ...) and processing
    /// instructions, leaving elements to the caller.
    fn markup_other_than_elements(&self) -> Result<(), XmlError> {
        if self.at("<!DOCTYPE") {
            Err(self.error(XmlErrorKind::Doctype))
        } else if self.at("<!") {
            Err(self.error(XmlErrorKind::Malformed("markup declaration")))
        } else if self.at("<?") {
            Err(self.error(XmlErrorKind::ProcessingInstruction))
        } else {
            Ok(())
        }
    }

    /// `<?xml ... ?>` at the start: only UTF-8 may be declared.
    fn declaration(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        let Some(end) = self.rest().find("?>") else {
            return Err(self.error(XmlErrorKind::Truncated));
        };
        let content = &self.rest()[5..end];
        if let Some(i) = content.find("encoding") {
            let after = content[i + "encoding".len()..].trim_start_matches([' ', '\t', '\r', '\n']);
            let value = after
                .strip_prefix('=')
                .map(|v| v.trim_start_matches([' ', '\t', '\r', '\n']))
                .and_then(|v| {
                    let quote = v.chars().next().filter(|q| matches!(q, '"' | '\''))?;
                    v[1..].split(quote).next().filter(|_| v[1..].contains(quote))
                });
            match value {
                None => {
                    return Err(XmlError {
                        kind: XmlErrorKind::Malformed("XML declaration"),
                        offset: start,
                    });
                }
                Some(name) if !(name.eq_ignore_ascii_case("utf-8") || name.eq_ignore_ascii_case("utf8")) => {
                    return Err(XmlError {
                        kind: XmlErrorKind::UnsupportedEncoding,
                        offset: start,
                    });
                }
                Some(_) => {}
            }
        }
        self.pos += end + 2;
        Ok(())
    }

    /// Whitespace and comments.
    fn misc(&mut self) -> Result<(), XmlError> {
        loop {
            self.skip_space();
            if !self.at("<!--") {
                return Ok(());
            }
            self.comment()?;
        }
    }

    fn comment(&mut self) -> Result<(), XmlError> {
        match self.rest()[4..].find("-->") {
            Some(end) => {
                self.pos += 4 + end + 3;
                Ok(())
            }
            None => {
                self.pos = self.text.len();
                Err(self.error(XmlErrorKind::Truncated))
            }
        }
    }

    /// A name, after `<` or `</`.
    fn name(&mut self) -> Result<&'a str, XmlError> {
        let start = self.pos;
        match self.peek() {
            None => return Err(self.error(XmlErrorKind::Truncated)),
            Some(b'A'..=b'Z' | b'a'..=b'z' | b'_') => self.pos += 1,
            Some(_) => return Err(self.error(XmlErrorKind::InvalidName)),
        }
        while self.peek().is_some_and(is_name_byte) {
            self.pos += 1;
        }
        match self.peek() {
            None => Err(self.error(XmlErrorKind::Truncated)),
            Some(b) if is_space(b) || b == b'>' || b == b'/' => Ok(&self.text[start..self.pos]),
            Some(_) => Err(self.error(XmlErrorKind::InvalidName)),
        }
    }

    /// The end of a start tag: `true` for `/>` (an empty element), `false` for `>`.
    fn tag_end(&mut self) -> Result<bool, XmlError> {
        self.skip_space();
        if self.at("/>") {
            self.pos += 2;
            return Ok(true);
        }
        match self.peek() {
            Some(b'>') => {
                self.pos += 1;
                Ok(false)
            }
            None => Err(self.error(XmlErrorKind::Truncated)),
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => Err(self.error(XmlErrorKind::Attributes)),
            Some(b'/') if self.pos + 1 == self.text.len() => Err(self.error(XmlErrorKind::Truncated)),
            Some(_) => Err(self.error(XmlErrorKind::Malformed("start tag"))),
        }
    }

    /// At `</`: the closing tag of `open`.
    fn closing_tag(&mut self, open: &str) -> Result<(), XmlError> {
        let start = self.pos;
        self.pos += 2;
        let name = self.name()?;
        self.skip_space();
        match self.peek() {
            None => return Err(self.error(XmlErrorKind::Truncated)),
            Some(b'>') => self.pos += 1,
            Some(_) => return Err(self.error(XmlErrorKind::Malformed("closing tag"))),
        }
        if name == open {
            Ok(())
        } else {
            Err(XmlError {
                kind: XmlErrorKind::MismatchedTag {
                    expected: open.to_owned(),
                },
                offset: start,
            })
        }
    }

    /// At `<`: one field, added to `fields`.
    fn field(&mut self, fields: &mut Fields) -> Result<(), XmlError> {
        let start = self.pos;
        self.pos += 1;
        let name = self.name()?;
        let mut value = String::new();
        if !self.tag_end()? {
            loop {
                let rest = self.rest();
                let Some(stop) = rest.find(['<', '&']) else {
                    self.pos = self.text.len();
                    return Err(self.error(XmlErrorKind::Truncated));
                };
                let text = &rest[..stop];
                if let Some(bad) = text.find("]]>") {
                    self.pos += bad;
                    return Err(self.error(XmlErrorKind::Malformed("text: ']]>' outside CDATA")));
                }
                value.push_str(text);
                self.pos += stop;
                if self.peek() == Some(b'&') {
                    value.push(self.reference()?);
                } else if self.at("<![CDATA[") {
                    self.pos += "<![CDATA[".len();
                    let Some(end) = self.rest().find("]]>") else {
                        self.pos = self.text.len();
                        return Err(self.error(XmlErrorKind::Truncated));
                    };
                    value.push_str(&self.rest()[..end]);
                    self.pos += end + 3;
                } else if self.at("</") {
                    self.closing_tag(name)?;
                    break;
                } else if self.at("<!--") {
                    self.comment()?;
                } else {
                    self.markup_other_than_elements()?;
                    let kind = match self.text.as_bytes().get(self.pos + 1) {
                        None => XmlErrorKind::Truncated,
                        Some(&b) if b.is_ascii_alphabetic() || b == b'_' => {
                            XmlErrorKind::Nested { name: name.to_owned() }
                        }
                        Some(_) => XmlErrorKind::Malformed("text: '<' outside CDATA"),
                    };
                    return Err(self.error(kind));
                }
            }
        }
        if fields.contains_key(name) {
            return Err(XmlError {
                kind: XmlErrorKind::Duplicate { name: name.to_owned() },
                offset: start,
            });
        }
        fields.insert(name.to_owned(), value);
        Ok(())
    }

    /// At `&`: a predefined entity or a numeric character reference, decoded.
    fn reference(&mut self) -> Result<char, XmlError> {
        // The longest accepted reference is `&#1114111;` (10 bytes): look no further, so
        // that a stray `&` costs constant time.
        let window = &self.rest().as_bytes()[..self.rest().len().min(12)];
        let Some(semi) = window.iter().position(|&b| b == b';') else {
            return Err(self.error(XmlErrorKind::Entity));
        };
        let name = &self.rest()[1..semi];
        let c = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => match name.strip_prefix('#') {
                None => return Err(self.error(XmlErrorKind::Entity)),
                Some(number) => {
                    let code = match number.strip_prefix('x') {
                        Some(hex) if (1..=6).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                            u32::from_str_radix(hex, 16).ok()
                        }
                        None if (1..=7).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()) => {
                            number.parse().ok()
                        }
                        _ => None,
                    };
                    match code.and_then(char::from_u32).filter(|&c| is_xml_char(c)) {
                        Some(c) => c,
                        None => return Err(self.error(XmlErrorKind::CharacterReference)),
                    }
                }
            },
        };
        self.pos += semi + 1;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_field_names_not_their_values() {
        let document = parse(b"<xml><out_trade_no>T20240704-SECRET</out_trade_no></xml>").unwrap();
        let shown = format!("{document:?}");
        assert!(shown.contains("out_trade_no") && !shown.contains("SECRET"), "{shown}");
    }

    fn kind(input: &[u8]) -> XmlErrorKind {
        match parse(input) {
            Ok(doc) => panic!("{:?} parsed as {doc:?}", String::from_utf8_lossy(input)),
            Err(e) => e.kind,
        }
    }

    fn fields(input: &str) -> Vec<(String, String)> {
        parse(input.as_bytes()).unwrap().fields.into_iter().collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn reads_text_cdata_references_and_empty_fields() {
        let doc = parse(
            b"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<xml>\n  \
              <a><![CDATA[x]]]]><![CDATA[>y]]></a>\n  <b>1 &lt; 2 &amp;&amp; &#x4E2D;&#25991; &quot;&apos;&gt;</b>\
              <c/><d></d><e >  spaced\r\n  </e><f>p<!-- skip -->q<![CDATA[<&>]]>r</f>\n</xml >\n<!-- end -->\n",
        )
        .unwrap();
        assert_eq!(doc.root, "xml");
        assert_eq!(
            doc.fields.into_iter().collect::<Vec<_>>(),
            pairs(&[
                ("a", "x]]>y"),
                ("b", "1 < 2 && 中文 \"'>"),
                ("c", ""),
                ("d", ""),
                ("e", "  spaced\r\n  "),
                ("f", "pq<&>r"),
            ])
        );
    }

    #[test]
    fn any_root_name_and_an_empty_root() {
        assert_eq!(parse(b"<root><refund_id>1</refund_id></root>").unwrap().root, "root");
        let doc = parse(b"<xml/>").unwrap();
        assert_eq!((doc.root.as_str(), doc.fields.len()), ("xml", 0));
        assert!(fields("<xml>\n</xml>").is_empty());
    }

    #[test]
    fn refuses_doctype_and_entities_without_expanding_anything() {
        let billion_laughs = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
            <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><xml><a>&lol2;</a></xml>";
        assert_eq!(kind(billion_laughs), XmlErrorKind::Doctype);
        let xxe = b"<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><a>&xxe;</a></xml>";
        assert_eq!(kind(xxe), XmlErrorKind::Doctype);
        assert_eq!(kind(b"<xml><!DOCTYPE x><a>1</a></xml>"), XmlErrorKind::Doctype);
        assert_eq!(kind(b"<xml><a><!DOCTYPE x></a></xml>"), XmlErrorKind::Doctype);
        assert_eq!(
            kind(b"<!ENTITY a \"b\"><xml/>"),
            XmlErrorKind::Malformed("markup declaration")
        );
        for reference in [
            "&xxe;",
            "&nbsp;",
            "&lt",
            "& ",
            "&;",
            "&#;",
            "&#x;",
            "&averyveryverylongname;",
        ] {
            let input = format!("<xml><a>{reference}</a></xml>");
            let k = kind(input.as_bytes());
            assert!(
                matches!(k, XmlErrorKind::Entity | XmlErrorKind::CharacterReference),
                "{reference}: {k:?}"
            );
        }
    }

    #[test]
    fn character_references_must_name_allowed_characters() {
        for reference in [
            "&#0;",
            "&#x0;",
            "&#27;",
            "&#xD800;",
            "&#x110000;",
            "&#xFFFE;",
            "&#99999999;",
            "&#-1;",
            "&#x-1;",
            "&#1a;",
        ] {
            let input = format!("<xml><a>{reference}</a></xml>");
            assert_eq!(kind(input.as_bytes()), XmlErrorKind::CharacterReference, "{reference}");
        }
        assert_eq!(
            fields("<xml><a>&#9;&#10;&#13;&#x10FFFF;&#1114111;</a></xml>")[0].1,
            "\t\n\r\u{10ffff}\u{10ffff}"
        );
    }

    #[test]
    fn refuses_forbidden_characters_and_bad_utf8_with_offsets() {
        let err = parse(b"<xml><a>\x1b[31m</a></xml>").unwrap_err();
        assert_eq!((err.kind, err.offset), (XmlErrorKind::ForbiddenCharacter, 8));
        let err = parse(b"<xml><a>ok\xff</a></xml>").unwrap_err();
        assert_eq!((err.kind, err.offset), (XmlErrorKind::InvalidUtf8, 10));
        assert_eq!(kind(b"<xml><a>\xe4\xb8</a></xml>"), XmlErrorKind::InvalidUtf8);
        assert_eq!(kind(b"<xml><a>\0</a></xml>"), XmlErrorKind::ForbiddenCharacter);
        assert_eq!(
            kind("<xml><a>\u{ffff}</a></xml>".as_bytes()),
            XmlErrorKind::ForbiddenCharacter
        );
    }

    #[test]
    fn refuses_other_encodings_and_late_declarations() {
        assert_eq!(
            kind(b"<?xml version=\"1.0\" encoding=\"GBK\"?><xml/>"),
            XmlErrorKind::UnsupportedEncoding
        );
        assert_eq!(
            kind(b"<?xml version='1.0' encoding=utf-8?><xml/>"),
            XmlErrorKind::Malformed("XML declaration")
        );
        assert!(parse(b"<?xml version='1.0' encoding = 'utf8' ?><xml/>").is_ok());
        assert!(parse(b"<?xml version='1.0'?><xml/>").is_ok());
        assert_eq!(
            kind(b" <?xml version='1.0'?><xml/>"),
            XmlErrorKind::ProcessingInstruction
        );
        assert_eq!(kind(b"<?pi x?><xml/>"), XmlErrorKind::ProcessingInstruction);
        assert_eq!(kind(b"<xml><?pi x?></xml>"), XmlErrorKind::ProcessingInstruction);
        assert_eq!(kind(b"<xml><a><?pi x?></a></xml>"), XmlErrorKind::ProcessingInstruction);
    }

    #[test]
    fn refuses_duplicates_nesting_attributes_and_stray_text() {
        let err = parse(b"<xml><a>1</a><b/><a>2</a></xml>").unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::Duplicate { name: "a".into() });
        assert_eq!(err.offset, 17);
        assert_eq!(
            kind(b"<xml><a/><a/></xml>"),
            XmlErrorKind::Duplicate { name: "a".into() }
        );
        assert_eq!(
            kind(b"<xml><a><b>1</b></a></xml>"),
            XmlErrorKind::Nested { name: "a".into() }
        );
        assert_eq!(
            kind(b"<xml><a>x<b/></a></xml>"),
            XmlErrorKind::Nested { name: "a".into() }
        );
        assert_eq!(
            kind(b"<xml><a>x< b</a></xml>"),
            XmlErrorKind::Malformed("text: '<' outside CDATA")
        );
        assert_eq!(kind(b"<xml><a id=\"1\">1</a></xml>"), XmlErrorKind::Attributes);
        assert_eq!(kind(b"<xml version=\"1\"/>"), XmlErrorKind::Attributes);
        assert_eq!(kind(b"<xml>text<a>1</a></xml>"), XmlErrorKind::UnexpectedText);
        assert_eq!(kind(b"<xml><a>1</a>tail</xml>"), XmlErrorKind::UnexpectedText);
        assert_eq!(kind(b"<xml><![CDATA[x]]><a>1</a></xml>"), XmlErrorKind::UnexpectedText);
        assert_eq!(kind(b"junk<xml/>"), XmlErrorKind::UnexpectedText);
        assert_eq!(
            kind(b"<xml><a>x]]>y</a></xml>"),
            XmlErrorKind::Malformed("text: ']]>' outside CDATA")
        );
    }

    #[test]
    fn refuses_bad_names_and_mismatched_tags() {
        assert_eq!(kind(b"<1xml/>"), XmlErrorKind::InvalidName);
        assert_eq!(kind(b"<xml><a:b>1</a:b></xml>"), XmlErrorKind::InvalidName);
        assert_eq!(kind("<xml><名>1</名></xml>".as_bytes()), XmlErrorKind::InvalidName);
        assert_eq!(
            kind(b"<xml><a>1</b></xml>"),
            XmlErrorKind::MismatchedTag { expected: "a".into() }
        );
        assert_eq!(
            kind(b"<xml><a>1</a></root>"),
            XmlErrorKind::MismatchedTag { expected: "xml".into() }
        );
        assert_eq!(kind(b"<xml><a>1</a x></xml>"), XmlErrorKind::Malformed("closing tag"));
        assert_eq!(kind(b"<xml><a/ ></xml>"), XmlErrorKind::Malformed("start tag"));
    }

    #[test]
    fn every_truncation_of_a_document_is_an_error() {
        let document = "<xml><a><![CDATA[x]]></a><b>&amp;</b><!-- c --><c/></xml>";
        for end in 0..document.len() {
            let prefix = &document.as_bytes()[..end];
            assert!(parse(prefix).is_err(), "{:?}", String::from_utf8_lossy(prefix));
        }
        assert_eq!(kind(b""), XmlErrorKind::Truncated);
        assert_eq!(kind(b"   "), XmlErrorKind::Truncated);
        assert_eq!(kind(b"<xml><a>1</a>"), XmlErrorKind::Truncated);
        assert_eq!(kind(b"<xml><a><![CDATA[1</a></xml>"), XmlErrorKind::Truncated);
        assert_eq!(kind(b"<xml><!-- </xml>"), XmlErrorKind::Truncated);
        assert!(parse(document.as_bytes()).is_ok());
    }

    #[test]
    fn refuses_a_second_root_and_trailing_content() {
        assert_eq!(kind(b"<xml/><xml/>"), XmlErrorKind::TrailingContent);
        assert_eq!(kind(b"<xml/>x"), XmlErrorKind::TrailingContent);
        assert_eq!(kind(b"<xml/><!DOCTYPE x>"), XmlErrorKind::TrailingContent);
    }

    #[test]
    fn the_size_limit_is_checked_before_anything_else() {
        let big = format!("<xml><a>{}</a></xml>", "x".repeat(MAX_DOCUMENT_BYTES));
        let err = parse(big.as_bytes()).unwrap_err();
        assert_eq!(
            err.kind,
            XmlErrorKind::TooLarge {
                limit: MAX_DOCUMENT_BYTES
            }
        );
        let exact = format!("<xml><a>{}</a></xml>", "x".repeat(MAX_DOCUMENT_BYTES - 18));
        assert_eq!(exact.len(), MAX_DOCUMENT_BYTES);
        assert_eq!(
            parse(exact.as_bytes()).unwrap().fields["a"].len(),
            MAX_DOCUMENT_BYTES - 18
        );
    }

    #[test]
    fn many_stray_ampersands_and_brackets_are_read_once() {
        // Shapes that a reader which rescans would take quadratic time over (it would not
        // finish on a megabyte): each is read once and gets its answer. Speed itself is
        // measured, not asserted: `cargo bench -p wechatpay-perf --bench xml`.
        let expected: [(&str, Result<usize, XmlErrorKind>); 5] = [
            ("&", Err(XmlErrorKind::Entity)),
            ("]]", Ok(1)),
            ("<!--", Err(XmlErrorKind::Truncated)),
            ("<![CDATA[", Err(XmlErrorKind::Truncated)),
            ("]]]]>", Err(XmlErrorKind::Malformed("text: ']]>' outside CDATA"))),
        ];
        for (filler, answer) in expected {
            let input = format!("<xml><a>{}</a></xml>", filler.repeat(MAX_DOCUMENT_BYTES / 10));
            let got = parse(input.as_bytes()).map(|d| d.fields.len()).map_err(|e| e.kind);
            assert_eq!(got, answer, "{filler}");
        }
    }
}
