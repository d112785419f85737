//! `normalize_path` and `expand` on arbitrary input.
//!
//! Input: text (invalid UTF-8 replaced); the first line is a path as a caller would chain it,
//! every further line a `name=value` parameter. Both the raw path and its normalised form
//! are expanded; whatever `expand` accepts must keep the template's structure.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wechatpay::path::{expand, normalize_path, normalize_segment};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let path = lines.next().unwrap_or_default();
    let params: Vec<(&str, &str)> = lines.map(|line| line.split_once('=').unwrap_or((line, ""))).collect();

    let template = normalize_path(path);
    let raw = path.strip_prefix('/').unwrap_or(path);
    assert_eq!(
        template.split('/').count(),
        raw.split('/').count(),
        "normalisation changed the segment count"
    );
    for (segment, normalised) in raw.split('/').zip(template.split('/')) {
        assert_eq!(normalize_segment(segment), normalised);
    }

    for template in [template.as_str(), path] {
        if let Ok(expanded) = expand(template, &params) {
            check_expansion(template, &expanded, &params);
        }
    }
});

/// What any accepted expansion must satisfy.
fn check_expansion(template: &str, expanded: &str, params: &[(&str, &str)]) {
    assert!(expanded.starts_with('/'), "{expanded:?}");
    assert_eq!(
        expanded.matches('/').count(),
        template.matches('/').count() + 1,
        "{template:?} -> {expanded:?}: a value added or removed a '/'"
    );
    for (t, e) in template.split('/').zip(expanded[1..].split('/')) {
        assert!(
            is_well_encoded(e),
            "{template:?} -> {expanded:?}: {e:?} is not percent-encoded"
        );
        let whole_variable = t.strip_prefix('{').and_then(|t| t.strip_suffix('}'));
        if let Some(name) = whole_variable.filter(|name| !name.contains(['{', '}'])) {
            let value = params
                .iter()
                .find(|(n, _)| *n == name)
                .expect("expand used a missing parameter")
                .1;
            assert_eq!(
                percent_decode(e).as_deref(),
                Some(value.as_bytes()),
                "{template:?} -> {expanded:?}"
            );
        } else if !t.contains('{') {
            assert_eq!(t, e, "a literal segment changed");
        }
    }
}

/// Only unreserved characters and `%XX` escapes (upper-case hex).
fn is_well_encoded(text: &str) -> bool {
    let bytes = text.as_bytes();
    let hex = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b));
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if hex(bytes.get(i + 1)) && hex(bytes.get(i + 2)) => i += 3,
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') => i += 1,
            _ => return false,
        }
    }
    true
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(text.get(i + 1..i + 3)?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}
