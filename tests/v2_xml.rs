//! The APIv2 XML reader against hostile documents (each refused with its own typed error,
//! nothing expanded, no panic, linear time), and property tests: what the writer renders,
//! the reader reads back exactly, and what `prepare` signs, `verify` accepts.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use wechatpay::protocol::v2::{
    AnswerSignature, ApiV2Key, Fields, MAX_DOCUMENT_BYTES, SignType, V2Error, XmlErrorKind, parse, prepare,
    read_answer, render, render_fields, sign, verify,
};

fn kind(input: &[u8]) -> XmlErrorKind {
    match parse(input) {
        Ok(doc) => panic!("{:?} was accepted: {doc:?}", String::from_utf8_lossy(input)),
        Err(e) => e.kind,
    }
}

/// A real answer, as the platform writes them.
const ANSWER: &str = "<xml><return_code><![CDATA[SUCCESS]]></return_code>\n\
<return_msg><![CDATA[OK]]></return_msg>\n<appid><![CDATA[wx2421b1c4370ec43b]]></appid>\n\
<mch_id><![CDATA[10000100]]></mch_id>\n<nonce_str><![CDATA[IITRi8Iabbblz1Jc]]></nonce_str>\n\
<sign><![CDATA[7921E432F65EB8ED0CE9755F0E86D72F]]></sign>\n<result_code><![CDATA[SUCCESS]]></result_code>\n\
<prepay_id><![CDATA[wx201411101639507cbf6ffd8b0779950874]]></prepay_id>\n\
<trade_type><![CDATA[JSAPI]]></trade_type>\n</xml>";

#[test]
fn a_real_answer_parses() {
    let doc = parse(ANSWER.as_bytes()).unwrap();
    assert_eq!(doc.root, "xml");
    assert_eq!(doc.fields.len(), 9);
    assert_eq!(doc.fields["prepay_id"], "wx201411101639507cbf6ffd8b0779950874");
}

#[test]
fn entity_attacks_are_refused_before_any_expansion() {
    // Billion laughs, external entities (XXE), parameter entities, an external DTD.
    let attacks: [&[u8]; 5] = [
        b"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n \
          <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n \
          <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n]>\n\
          <xml><return_code>&lol2;</return_code></xml>",
        b"<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><return_msg>&xxe;</return_msg></xml>",
        b"<!DOCTYPE xml [<!ENTITY % p SYSTEM \"http://127.0.0.1/x.dtd\"> %p;]><xml/>",
        b"<!DOCTYPE xml SYSTEM \"http://127.0.0.1/x.dtd\"><xml><a>&x;</a></xml>",
        b"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?><!-- hi --><!DOCTYPE xml><xml/>",
    ];
    for attack in attacks {
        assert_eq!(
            kind(attack),
            XmlErrorKind::Doctype,
            "{}",
            String::from_utf8_lossy(attack)
        );
    }
    // Without a DTD, undeclared entities are refused, not left as text or dropped.
    assert_eq!(kind(b"<xml><return_msg>&xxe;</return_msg></xml>"), XmlErrorKind::Entity);
    assert_eq!(kind(b"<xml><return_msg>&amp</return_msg></xml>"), XmlErrorKind::Entity);
}

#[test]
fn cdata_cannot_smuggle_fields_and_split_sections_round_trip() {
    // A value that looks like markup stays one value.
    let injected = "SUCCESS]]></return_code><return_code><![CDATA[FAIL";
    let xml = render("xml", [("return_code", injected)]).unwrap();
    let doc = parse(xml.as_bytes()).unwrap();
    assert_eq!(doc.fields.len(), 1);
    assert_eq!(doc.fields["return_code"], injected);
    // Raw, the same text is refused (a second return_code, or ']]>' outside CDATA).
    let raw = format!("<xml><return_code><![CDATA[{injected}]]></return_code></xml>");
    assert_eq!(
        kind(raw.as_bytes()),
        XmlErrorKind::Duplicate {
            name: "return_code".into()
        }
    );
}

#[test]
fn malformed_documents_get_their_own_errors() {
    let cases: [(&[u8], XmlErrorKind); 12] = [
        (
            b"<xml><a>1</a><a>1</a></xml>",
            XmlErrorKind::Duplicate { name: "a".into() },
        ),
        (b"<xml><a><b>1</b></a></xml>", XmlErrorKind::Nested { name: "a".into() }),
        (b"<xml><a>\xc3\x28</a></xml>", XmlErrorKind::InvalidUtf8),
        (b"<xml><a>\x00</a></xml>", XmlErrorKind::ForbiddenCharacter),
        (b"<xml><a>&#0;</a></xml>", XmlErrorKind::CharacterReference),
        (b"<xml><a x='1'>1</a></xml>", XmlErrorKind::Attributes),
        (
            b"<xml><a>1</b></xml>",
            XmlErrorKind::MismatchedTag { expected: "a".into() },
        ),
        (b"<xml>oops<a>1</a></xml>", XmlErrorKind::UnexpectedText),
        (b"<xml><a>1</a></xml><xml/>", XmlErrorKind::TrailingContent),
        (b"<xml><?php x ?></xml>", XmlErrorKind::ProcessingInstruction),
        (
            b"<?xml version=\"1.0\" encoding=\"GB2312\"?><xml/>",
            XmlErrorKind::UnsupportedEncoding,
        ),
        (b"<xml><a>1</a>", XmlErrorKind::Truncated),
    ];
    for (input, expected) in cases {
        assert_eq!(kind(input), expected, "{}", String::from_utf8_lossy(input));
    }
}

#[test]
fn every_prefix_of_a_real_answer_is_refused_and_every_byte_flip_is_safe() {
    let answer = ANSWER.as_bytes();
    for end in 0..answer.len() {
        assert!(parse(&answer[..end]).is_err(), "prefix of {end} bytes accepted");
    }
    // Flipping any one byte to each of a few hostile values never panics; what parses is
    // still flat and unique by construction.
    for i in 0..answer.len() {
        for b in [b'<', b'>', b'&', b'/', b'!', b'?', 0, 0xff, b']'] {
            let mut mutated = answer.to_vec();
            mutated[i] = b;
            let _ = parse(&mutated);
        }
    }
}

#[test]
fn oversized_and_deeply_nested_documents_fail_fast() {
    let oversized = format!("<xml><a>{}</a></xml>", "x".repeat(MAX_DOCUMENT_BYTES));
    assert_eq!(
        kind(oversized.as_bytes()),
        XmlErrorKind::TooLarge {
            limit: MAX_DOCUMENT_BYTES
        }
    );
    // Deep nesting cannot exhaust the stack: the reader does not recurse, and stops at the
    // first element inside a field.
    let deep = "<a>".repeat(MAX_DOCUMENT_BYTES / 4);
    assert_eq!(kind(deep.as_bytes()), XmlErrorKind::Nested { name: "a".into() });
    // Many fields and long values: all read (speed: `cargo bench -p wechatpay-perf --bench xml`).
    let mut many = String::from("<xml>");
    let mut n = 0;
    while many.len() < MAX_DOCUMENT_BYTES - 64 {
        many.push_str(&format!("<f{n}>&amp;&#x4E2D;<![CDATA[v]]></f{n}>"));
        n += 1;
    }
    many.push_str("</xml>");
    assert_eq!(parse(many.as_bytes()).unwrap().fields.len(), n);
}

#[test]
fn hostile_answers_become_typed_errors_not_panics() {
    let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap();
    let signature = AnswerSignature::Signed(SignType::Md5);
    for body in [
        &b"<!DOCTYPE x><xml/>"[..],
        b"",
        b"\xff\xfe<\x00x\x00",
        b"<xml><return_code>SUCCESS</return_code>",
    ] {
        assert!(
            matches!(read_answer(body, &key, signature), Err(V2Error::Xml(_))),
            "{body:?}"
        );
    }
}

/// A field name: an ASCII XML name.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_.-]{0,11}"
}

/// A printable value: any characters other than controls, with XML specials, `]]>`, tab,
/// LF and CR mixed in.
fn value() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => "\\PC",
            1 => prop::sample::select(vec!["<", ">", "&", "]]>", "]]", "\t", "\n", "\r", "\r\n", "&amp;", "<![CDATA[", " "])
                .prop_map(str::to_owned),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn field_map() -> impl Strategy<Value = Fields> {
    prop::collection::btree_map(name(), value(), 0..12)
}

proptest! {
    #[test]
    fn render_then_parse_is_the_identity(fields in field_map(), root in name()) {
        let xml = render(&root, fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        let doc = parse(xml.as_bytes()).unwrap();
        prop_assert_eq!(doc.root, root);
        prop_assert_eq!(doc.fields, fields);
    }

    #[test]
    fn prepared_requests_parse_back_and_verify(fields in field_map()) {
        let key = ApiV2Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
        let mut body: Map<String, Value> = fields.into_iter().filter(|(k, _)| k != "sign").map(|(k, v)| (k, json!(v))).collect();
        body.remove("sign_type");
        body.remove("mch_id");
        body.remove("mchid");
        body.remove("combine_mch_id");
        let request = prepare(&Value::Object(body), "10000100", &key).unwrap();
        let parsed = parse(request.xml().as_bytes()).unwrap();
        prop_assert_eq!(&parsed.fields, request.fields());
        prop_assert!(verify(&parsed.fields, &key, SignType::Md5).is_ok());
    }

    #[test]
    fn changing_any_signed_value_breaks_the_signature(fields in field_map(), pick in any::<prop::sample::Index>()) {
        let key = ApiV2Key::new("0123456789abcdefghijklmnopqrstuv").unwrap();
        let mut fields = fields;
        fields.remove("sign");
        fields.insert("nonce_str".into(), "n".into());
        for sign_type in [SignType::Md5, SignType::HmacSha256] {
            let mut signed = fields.clone();
            signed.insert("sign".into(), sign(&signed, &key, sign_type));
            let answer = render_fields(&signed).unwrap();
            prop_assert!(verify(&parse(answer.as_bytes()).unwrap().fields, &key, sign_type).is_ok());
            let names: Vec<String> = fields.keys().cloned().collect();
            let target = &names[pick.index(names.len())];
            let mut changed = signed.clone();
            changed.get_mut(target).unwrap().push('x');
            prop_assert!(verify(&changed, &key, sign_type).is_err());
        }
    }
}
