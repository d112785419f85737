//! Property tests over the pure functions that decide what goes on the wire: path
//! normalisation and expansion (`wechatpay::path`) and the `Authorization` header
//! (`wechatpay::auth::signing`). Default case counts (256 per property): a few seconds.

use proptest::prelude::*;
use wechatpay::auth::signing::{SCHEME, authorization, parse_authorization};
use wechatpay::path::{expand, normalize_path, normalize_segment, percent_encode_into};

/// One kebab-case word as the catalogue uses them: `[a-z][a-z0-9]*`.
fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,7}"
}

/// A kebab-case segment: one to four words joined by `-`.
fn kebab_words() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(word(), 1..5)
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Whether camel-casing `words` (the first one too when `pascal`) yields a run of capitals
/// that reads as an acronym: a one-letter word, capitalised, followed by a word that then
/// does not continue in lower case (`a-b-c` -> `aBC` reads as `a-bc`, `ABc` as `a-bc`).
/// Such words have no unambiguous camelCase; the normaliser keeps acronyms together.
fn camel_is_ambiguous(words: &[String], pascal: bool) -> bool {
    let first_capital = if pascal { 0 } else { 1 };
    words.windows(2).enumerate().any(|(i, pair)| {
        i >= first_capital && pair[0].len() == 1 && !pair[1].as_bytes().get(1).is_some_and(|b| b.is_ascii_lowercase())
    })
}

/// A variable name as templates use them.
fn var_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,11}"
}

/// A value a caller may pass to `.param()`: any text except the refused `""`, `.` and `..`.
fn param_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9/?#%&=+ .~_-]{1,12}",
        Just("../..".to_owned()),
        Just("%2F".to_owned()),
    ]
    .prop_filter("empty, '.' and '..' are refused", |v| {
        !matches!(v.as_str(), "" | "." | "..")
    })
}

/// One template segment: a literal kebab segment or a whole-segment variable.
#[derive(Clone, Debug)]
enum Piece {
    Literal(String),
    Variable(String),
}

/// A template whose variables are all distinct (`v0`, `v1`, ...), with a value for each.
fn template_with_values() -> impl Strategy<Value = (Vec<Piece>, Vec<String>, bool)> {
    (
        prop::collection::vec(
            prop_oneof![kebab_words().prop_map(|w| Some(w.join("-"))), Just(None)],
            1..7,
        ),
        prop::collection::vec(param_value(), 6),
        any::<bool>(),
    )
        .prop_map(|(slots, values, trailing_slash)| {
            let mut pieces = Vec::new();
            let mut used = Vec::new();
            for slot in slots {
                match slot {
                    Some(literal) => pieces.push(Piece::Literal(literal)),
                    None => {
                        pieces.push(Piece::Variable(format!("v{}", used.len())));
                        used.push(values[used.len()].clone());
                    }
                }
            }
            (pieces, used, trailing_slash)
        })
}

fn render(pieces: &[Piece], trailing_slash: bool) -> String {
    let mut template = pieces
        .iter()
        .map(|p| match p {
            Piece::Literal(s) => s.clone(),
            Piece::Variable(name) => format!("{{{name}}}"),
        })
        .collect::<Vec<_>>()
        .join("/");
    if trailing_slash {
        template.push('/');
    }
    template
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Every `%` starts an escape of two upper-case hex digits, and nothing else is reserved.
fn is_well_encoded(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b));
                if !(hex(bytes.get(i + 1)) && hex(bytes.get(i + 2))) {
                    return false;
                }
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') => i += 1,
            _ => return false,
        }
    }
    true
}

/// Arbitrary-looking segments, biased toward the characters the normaliser cares about,
/// `_Name_` variables with upper-case names included.
fn segment_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-zA-Z0-9_{}.-]{0,16}", "_[a-zA-Z0-9_]{1,10}_"].prop_map(|s| s.replace('/', ""))
}

/// Several segments; an empty first one only alone (`//x` loses one slash per pass, and
/// `expand` refuses such a path anyway).
fn path_segments() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(segment_text(), 1..6)
        .prop_filter("an empty first segment", |s| !s[0].is_empty() || s.len() == 1)
}

/// The segment rule spelled out on characters, as `normalize_segment`'s documentation
/// states it: the oracle for the implementation, which works on bytes.
fn normalize_segment_by_chars(segment: &str) -> String {
    if let Some(name) = segment
        .strip_prefix('_')
        .and_then(|s| s.strip_suffix('_'))
        .filter(|n| !n.is_empty())
    {
        return format!("{{{name}}}");
    }
    if segment.len() >= 2 && segment.starts_with('{') && segment.ends_with('}') {
        return segment.to_owned();
    }
    let chars: Vec<char> = segment.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_is_lower) {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

proptest! {
    #[test]
    fn segment_normalisation_follows_the_character_rule(
        segment in prop_oneof![segment_text(), "[A-Za-z0-9ÄÖÜäöüßé€😀_-]{0,12}"],
    ) {
        prop_assert_eq!(normalize_segment(&segment), normalize_segment_by_chars(&segment));
    }

    #[test]
    fn segment_normalisation_is_idempotent(segment in segment_text()) {
        let once = normalize_segment(&segment);
        prop_assert_eq!(normalize_segment(&once), once);
    }

    #[test]
    fn path_normalisation_is_idempotent(segments in path_segments(), leading in any::<bool>()) {
        let path = format!("{}{}", if leading { "/" } else { "" }, segments.join("/"));
        let once = normalize_path(&path);
        prop_assert_eq!(normalize_path(&once), once.clone());
        prop_assert_eq!(once.split('/').count(), segments.len(), "normalisation adds or drops no segment");
    }

    #[test]
    fn kebab_segments_are_fixed_points(words in kebab_words()) {
        let kebab = words.join("-");
        prop_assert_eq!(normalize_segment(&kebab), kebab.clone());
        prop_assert_eq!(normalize_path(&format!("v3/{kebab}/")), format!("v3/{kebab}/"));
    }

    #[test]
    fn camel_and_pascal_case_normalise_back_to_kebab(
        (words, pascal) in (kebab_words(), any::<bool>())
            .prop_filter("no unambiguous camelCase", |(w, pascal)| !camel_is_ambiguous(w, *pascal)),
    ) {
        let kebab = words.join("-");
        let camel: String = words
            .iter()
            .enumerate()
            .map(|(i, w)| if i > 0 || pascal { capitalize(w) } else { w.clone() })
            .collect();
        prop_assert_eq!(normalize_segment(&camel), kebab);
    }

    #[test]
    fn underscored_names_become_variables(name in "[A-Za-z0-9_]{1,20}") {
        prop_assert_eq!(normalize_segment(&format!("_{name}_")), format!("{{{name}}}"));
    }

    #[test]
    fn variables_are_fixed_points(name in "[a-z0-9_]{1,20}") {
        let var = format!("{{{name}}}");
        prop_assert_eq!(normalize_segment(&var), var.clone());
    }

    #[test]
    fn percent_encoding_round_trips_and_escapes_everything_reserved(value in any::<String>()) {
        let mut encoded = String::new();
        percent_encode_into(&value, &mut encoded);
        prop_assert!(is_well_encoded(&encoded), "{encoded:?}");
        prop_assert_eq!(percent_decode(&encoded), Some(value.clone().into_bytes()));
        let reserved = value.bytes().filter(|b| !(b.is_ascii_alphanumeric() || b"-._~".contains(b))).count();
        prop_assert_eq!(encoded.len(), value.len() + 2 * reserved);
    }

    #[test]
    fn expansion_keeps_the_template_structure((pieces, values, trailing_slash) in template_with_values()) {
        let template = render(&pieces, trailing_slash);
        let params: Vec<(String, &str)> =
            values.iter().enumerate().map(|(i, v)| (format!("v{i}"), v.as_str())).collect();
        let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        let path = expand(&template, &params).map_err(|e| TestCaseError::fail(format!("{template}: {e}")))?;

        prop_assert!(path.starts_with('/'));
        prop_assert_eq!(path.matches('/').count(), template.matches('/').count() + 1, "{} -> {}", template, path);
        prop_assert!(!path.contains('?') && !path.contains('#'), "{}", path);
        let segments: Vec<&str> = path[1..].split('/').collect();
        prop_assert_eq!(segments.len(), pieces.len() + usize::from(trailing_slash));
        for (segment, piece) in segments.iter().zip(&pieces) {
            prop_assert!(is_well_encoded(segment), "{segment:?}");
            match piece {
                Piece::Literal(literal) => prop_assert_eq!(segment, literal),
                Piece::Variable(name) => {
                    let value = &values[name[1..].parse::<usize>().unwrap()];
                    prop_assert_eq!(percent_decode(segment), Some(value.clone().into_bytes()));
                }
            }
        }
        if trailing_slash {
            prop_assert_eq!(segments.last().copied(), Some(""));
        }
    }

    #[test]
    fn a_value_inside_a_segment_is_encoded_in_place(
        prefix in "[a-z0-9-]{0,6}", suffix in "[a-z0-9.~_-]{0,6}", name in var_name(), value in param_value(),
    ) {
        let template = format!("v3/x/{prefix}{{{name}}}{suffix}");
        let path = expand(&template, &[(name.as_str(), value.as_str())]).unwrap();
        let last = path.rsplit('/').next().unwrap();
        prop_assert_eq!(path.matches('/').count(), 3);
        prop_assert!(last.starts_with(prefix.as_str()) && last.ends_with(suffix.as_str()));
        let middle = &last[prefix.len()..last.len() - suffix.len()];
        prop_assert_eq!(percent_decode(middle), Some(value.into_bytes()));
    }

    #[test]
    fn expand_never_panics_on_arbitrary_input(
        template in prop_oneof![any::<String>(), "[a-zA-Z0-9{}/._%?# -]{0,40}"],
        params in prop::collection::vec((prop_oneof![any::<String>(), var_name()], any::<String>()), 0..4),
    ) {
        let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        if let Ok(path) = expand(&template, &params) {
            // Whatever it accepts is an absolute path of unreserved text and escapes.
            prop_assert!(path.starts_with('/'));
            prop_assert!(path[1..].split('/').all(is_well_encoded), "{path:?}");
        }
    }

    #[test]
    fn authorization_round_trips(
        mchid in "[0-9]{1,20}",
        serial in "[0-9A-Fa-f]{1,48}",
        nonce in "[!#-+\\--\\[\\]-~]{1,40}",
        timestamp in any::<i64>(),
        signature in prop_oneof!["[A-Za-z0-9+/]{1,350}={0,2}", "[!#-+\\--\\[\\]-~]{1,40}"],
    ) {
        let header = authorization(&mchid, &serial, &nonce, timestamp, &signature)
            .map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let fields = parse_authorization(&header).map_err(|e| TestCaseError::fail(format!("{header:?}: {e}")))?;
        prop_assert_eq!(fields.mchid, mchid);
        prop_assert_eq!(fields.serial_no, serial);
        prop_assert_eq!(fields.nonce, nonce);
        prop_assert_eq!(fields.timestamp, timestamp.to_string());
        prop_assert_eq!(fields.signature, signature);
    }

    #[test]
    fn authorization_refuses_any_field_that_could_close_its_quotes(
        field in 0..4usize,
        evil in "[^\"]{0,8}[\"\\\\,\r\n ][^\"]{0,8}",
    ) {
        let mut values = ["1900000001".to_owned(), "ABC".to_owned(), "nonce".to_owned(), "c2ln".to_owned()];
        values[field] = evil;
        let [mchid, serial, nonce, signature] = &values;
        prop_assert!(authorization(mchid, serial, nonce, 1, signature).is_err(), "{values:?}");
    }

    #[test]
    fn parse_authorization_never_panics(
        header in prop_oneof![
            any::<String>(),
            "[a-z_]{0,10}=?\"?[^,]{0,10}\"?(,[ a-z_]{0,10}=?\"?[^,]{0,10}\"?){0,6}".prop_map(|s| format!("{SCHEME} {s}")),
        ],
    ) {
        if let Ok(fields) = parse_authorization(&header) {
            // Accepted fields hold no quote and no comma: they cannot smuggle another field.
            for value in [&fields.mchid, &fields.serial_no, &fields.nonce, &fields.timestamp, &fields.signature] {
                prop_assert!(!value.contains('"') && !value.contains(','), "{header:?}");
            }
        }
    }
}
