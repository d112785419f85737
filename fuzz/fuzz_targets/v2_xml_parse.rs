//! `protocol::v2::parse` (the APIv2 XML reader) on arbitrary bytes. What it accepts must
//! be flat fields with ASCII XML names, and must survive `render` then `parse` unchanged;
//! the size limit must refuse an input one byte over it, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechatpay::protocol::v2::{XmlErrorKind, is_field_name, parse, parse_with_limit, render};

fuzz_target!(|data: &[u8]| {
    let parsed = parse(data);
    assert_eq!(parse_with_limit(data, data.len()), parsed);
    if let Some(limit) = data.len().checked_sub(1) {
        let refused = parse_with_limit(data, limit).expect_err("one byte over the limit");
        assert_eq!(refused.kind, XmlErrorKind::TooLarge { limit });
    }
    let Ok(doc) = parsed else {
        return;
    };
    assert!(is_field_name(&doc.root), "{doc:?}");
    for name in doc.fields.keys() {
        assert!(is_field_name(name), "{doc:?}");
    }
    let xml = render(&doc.root, doc.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .expect("what was read can be written");
    assert_eq!(parse(xml.as_bytes()).as_ref(), Ok(&doc), "{xml}");
});
