//! Path segments and templates: normalisation of chain segments (as wechatpay-php does it)
//! and RFC 6570 simple expansion of `{name}` variables with percent-encoding.
//!
//! Pure functions, no network: they decide what goes on the wire, so they are tested alone.

use crate::error::{Error, RequestError, Result};

/// Normalises one chain segment the way wechatpay-php does.
///
/// - `camelCase` and `PascalCase` become kebab-case (`extPayment` -> `ext-payment`,
///   `complaintsV2` -> `complaints-v2`);
/// - `_name_` becomes the path variable `{name}`;
/// - digits and underscores are kept (`apply4sub`, `video_upload`);
/// - kebab-case and `{name}` segments are left as they are, so normalising twice changes
///   nothing.
///
/// Because upper-case letters are rewritten, identifiers (order numbers, ids) never belong
/// in a segment: put them in a `{variable}` and pass them with `.param()`.
///
/// ```
/// use wechatpay::path::normalize_segment;
/// assert_eq!(normalize_segment("extPayment"), "ext-payment");
/// assert_eq!(normalize_segment("_out_trade_no_"), "{out_trade_no}");
/// assert_eq!(normalize_segment("complaintsV2"), "complaints-v2");
/// assert_eq!(normalize_segment("video_upload"), "video_upload");
/// ```
pub fn normalize_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len() + 4);
    push_normalized_segment(segment, &mut out);
    out
}

/// Appends the normalised form of one segment to `out` (see [`normalize_segment`]).
fn push_normalized_segment(segment: &str, out: &mut String) {
    if let Some(name) = segment
        .strip_prefix('_')
        .and_then(|s| s.strip_suffix('_'))
        .filter(|name| !name.is_empty())
    {
        out.push('{');
        out.push_str(name);
        out.push('}');
        return;
    }
    if segment.len() >= 2 && segment.starts_with('{') && segment.ends_with('}') {
        out.push_str(segment); // already a variable: its name is kept as written
        return;
    }
    // Neighbours are looked at as bytes: no byte of a multi-byte UTF-8 character is ASCII,
    // so a byte classifies exactly as the character it belongs to.
    let bytes = segment.as_bytes();
    for (i, c) in segment.char_indices() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = bytes[i - 1];
            let next_is_lower = bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            let boundary =
                prev.is_ascii_lowercase() || prev.is_ascii_digit() || (prev.is_ascii_uppercase() && next_is_lower);
            if boundary {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
}

/// Normalises a whole path, or one more piece of one: splits on `/` and normalises each
/// segment. A leading slash is ignored; a trailing slash is kept. Under a first segment
/// `v2` (APIv2, whose paths are not kebab-case) only the variables are normalised: the
/// other segments are kept as written.
///
/// ```
/// use wechatpay::path::normalize_path;
/// assert_eq!(normalize_path("v3/parking/reminders/extPayment"), "v3/parking/reminders/ext-payment");
/// assert_eq!(normalize_path("/v3/ecommerce/applyments/"), "v3/ecommerce/applyments/");
/// assert_eq!(normalize_path("V2/secapi/mch/addInstitutionsub"), "v2/secapi/mch/addInstitutionsub");
/// ```
pub fn normalize_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    push_normalized_path(path, &mut out, true);
    out
}

/// Whether `path` (with or without leading `/`s, which the request's template drops)
/// names an APIv2 endpoint: its first segment is `v2`, in any case.
///
/// ```
/// use wechatpay::path::names_apiv2;
/// assert!(names_apiv2("v2/pay/micropay") && names_apiv2("/V2/pay/orderquery"));
/// assert!(!names_apiv2("v3/pay/transactions/native") && !names_apiv2("v2x/y") && !names_apiv2("hk/v2/x"));
/// ```
pub fn names_apiv2(path: &str) -> bool {
    let path = path.trim_start_matches('/');
    path.split('/').next().is_some_and(|s| s.eq_ignore_ascii_case("v2"))
}

/// Appends the normalised form of `path` to `out` (see [`normalize_path`]); returns the
/// index, among the segments appended, of the first segment that
/// [reads as an identifier](reads_as_identifier) (the first segment of a whole path may be a protocol marker such as
/// `V2`, which is not one).
pub(crate) fn push_normalized_path(path: &str, out: &mut String, first_of_path: bool) -> Option<usize> {
    let path = path.strip_prefix('/').unwrap_or(path);
    // APIv2 paths are not kebab-case: their literal segments are sent as written
    // (`secapi/mch/addInstitutionsub`). `out` holds the path so far when this is a piece.
    let v2 = if first_of_path {
        names_apiv2(path)
    } else {
        out.split('/').next() == Some("v2")
    };
    let mut identifier = None;
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let marker = first_of_path && i == 0 && is_protocol_marker(segment);
        if identifier.is_none() && !marker && reads_as_identifier(segment) {
            identifier = Some(i);
        }
        if v2 && !marker && !is_variable(segment) {
            out.push_str(segment);
        } else {
            push_normalized_segment(segment, out);
        }
    }
    identifier
}

/// `{name}` or `_name_`: a path variable, however written.
fn is_variable(segment: &str) -> bool {
    (segment.starts_with('{') && segment.ends_with('}'))
        || (segment.len() > 2 && segment.starts_with('_') && segment.ends_with('_'))
}

/// `v2` or `v3` in any case: the first segment that names the protocol.
fn is_protocol_marker(segment: &str) -> bool {
    segment.eq_ignore_ascii_case("v2") || segment.eq_ignore_ascii_case("v3")
}

/// A path template as errors and logs show it: a literal segment holding a run of three or
/// more digits, which no documented path has, or one that [reads as an
/// identifier](reads_as_identifier) (a media id in a download URL) is an identifier written
/// into the path and shows as `{…}`.
///
/// ```
/// use wechatpay::path::template_for_logs;
/// assert_eq!(template_for_logs("/v3/pay/transactions/id/4200001999202407041234567890"), "/v3/pay/transactions/id/{…}");
/// assert_eq!(template_for_logs("/v3/merchant-service/images/ChsyMDAwMBgAIKX29P8F"), "/v3/merchant-service/images/{…}");
/// assert_eq!(template_for_logs("/V2/secapi/mch/addInstitutionsub"), "/V2/secapi/mch/addInstitutionsub");
/// assert_eq!(template_for_logs("/v3/applyment4sub/applyment/{applyment_id}"), "/v3/applyment4sub/applyment/{applyment_id}");
/// ```
pub fn template_for_logs(template: &str) -> String {
    let masked: Vec<&str> = template
        .split('/')
        .map(|segment| {
            let digits_run = segment.as_bytes().windows(3).any(|w| w.iter().all(u8::is_ascii_digit));
            let identifier = reads_as_identifier(segment) && !is_protocol_marker(segment);
            if (digits_run || identifier) && !is_variable(segment) {
                "{…}"
            } else {
                segment
            }
        })
        .collect();
    masked.join("/")
}

/// Whether a chain segment reads as an identifier (an order number, an id) rather than a
/// name: no literal segment of an APIv3 path has a capital letter, so capitals come either
/// from camelCase naming (`extPayment`, `ExtPayment`, `complaintsV2`), which is normalised,
/// or from an identifier, which normalising would silently turn into another path. A
/// segment reads as an identifier when it has two capitals in a row (`BASIC`,
/// `TRADE2024ABC`), a capital right after a digit (`2024A`), or starts with a capital and a
/// digit (`R1`). Variables (`{name}`, `_name_`) never do.
///
/// ```
/// use wechatpay::path::reads_as_identifier;
/// for id in ["TRADE2024ABC", "BASIC", "R1", "x2024Ab"] {
///     assert!(reads_as_identifier(id), "{id}");
/// }
/// for name in ["extPayment", "ExtPayment", "complaintsV2", "apply4sub", "video_upload", "{out_trade_no}", "_out_trade_no_", "v3"] {
///     assert!(!reads_as_identifier(name), "{name}");
/// }
/// ```
pub fn reads_as_identifier(segment: &str) -> bool {
    if is_variable(segment) {
        return false;
    }
    let bytes = segment.as_bytes();
    let starts_capital_digit =
        bytes.first().is_some_and(u8::is_ascii_uppercase) && bytes.get(1).is_some_and(u8::is_ascii_digit);
    starts_capital_digit
        || bytes
            .windows(2)
            .any(|pair| pair[1].is_ascii_uppercase() && (pair[0].is_ascii_uppercase() || pair[0].is_ascii_digit()))
}

/// Expands a normalised template such as `v3/pay/transactions/out-trade-no/{out_trade_no}`
/// into an absolute path (`/v3/...`), percent-encoding each value so that it can never
/// change the path's structure.
///
/// Fails before anything is sent when a variable has no value, when a value is given for no
/// variable, when a value is empty, `.` or `..`, or when the template itself is malformed.
///
/// ```
/// use wechatpay::path::expand;
/// let path = expand("v3/refund/domestic/refunds/{out_refund_no}", &[("out_refund_no", "a/b?c")])?;
/// assert_eq!(path, "/v3/refund/domestic/refunds/a%2Fb%3Fc");
/// # Ok::<(), wechatpay::Error>(())
/// ```
pub fn expand(template: &str, params: &[(&str, &str)]) -> Result<String> {
    let invalid = |reason| -> Error {
        RequestError::InvalidPath {
            // As logs show it: an identifier written into the path stays out.
            path: template_for_logs(template),
            reason,
        }
        .into()
    };
    if template.is_empty() {
        return Err(invalid("the path is empty"));
    }
    let mut used = vec![false; params.len()];
    let mut out = String::with_capacity(template.len() + 32);
    let segments: Vec<&str> = template.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        out.push('/');
        if segment.is_empty() {
            if i == last && i > 0 {
                break; // a trailing slash is part of the path
            }
            return Err(invalid("the path has an empty segment"));
        }
        if *segment == "." || *segment == ".." {
            return Err(invalid("dot segments are not allowed"));
        }
        expand_segment(segment, params, &mut used, &mut out).map_err(|e| match e {
            SegmentError::Path(reason) => invalid(reason),
            SegmentError::Other(e) => e,
        })?;
    }
    if let Some(index) = used.iter().position(|u| !u) {
        return Err(RequestError::UnusedParam {
            name: params[index].0.to_owned(),
        }
        .into());
    }
    Ok(out)
}

enum SegmentError {
    Path(&'static str),
    Other(Error),
}

fn expand_segment(
    segment: &str,
    params: &[(&str, &str)],
    used: &mut [bool],
    out: &mut String,
) -> std::result::Result<(), SegmentError> {
    let mut rest = segment;
    while !rest.is_empty() {
        match rest.find('{') {
            Some(0) => {
                let close = rest.find('}').ok_or(SegmentError::Path("unclosed '{' in the path"))?;
                let name = &rest[1..close];
                if !is_variable_name(name) {
                    return Err(SegmentError::Path(
                        "a path variable must be a non-empty [A-Za-z0-9_] name",
                    ));
                }
                let index = params
                    .iter()
                    .position(|(n, _)| *n == name)
                    .ok_or_else(|| SegmentError::Other(RequestError::MissingParam { name: name.to_owned() }.into()))?;
                used[index] = true;
                let value = params[index].1;
                if value.is_empty() || value == "." || value == ".." {
                    return Err(SegmentError::Other(
                        RequestError::InvalidParam {
                            name: name.to_owned(),
                            reason: "an empty, '.' or '..' value would change the path",
                        }
                        .into(),
                    ));
                }
                percent_encode_into(value, out);
                rest = &rest[close + 1..];
            }
            found => {
                let end = found.unwrap_or(rest.len());
                let literal = &rest[..end];
                if literal.contains('}') {
                    return Err(SegmentError::Path("unmatched '}' in the path"));
                }
                if !literal.bytes().all(is_path_literal_byte) {
                    return Err(SegmentError::Path(
                        "a path segment may hold only letters, digits, '-', '_', '.' and '~'",
                    ));
                }
                out.push_str(literal);
                rest = &rest[end..];
            }
        }
    }
    Ok(())
}

fn is_variable_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_path_literal_byte(b: u8) -> bool {
    is_unreserved(b)
}

/// RFC 3986 unreserved characters: the only ones RFC 6570 simple expansion leaves alone.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes everything but unreserved characters (upper-case hex), appending to `out`.
///
/// ```
/// let mut s = String::new();
/// wechatpay::path::percent_encode_into("a b/ü", &mut s);
/// assert_eq!(s, "a%20b%2F%C3%BC");
/// ```
pub fn percent_encode_into(value: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if is_unreserved(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        }
    }
}

/// Appends `key=value` pairs joined by `&` to `out`, each part percent-encoded as by
/// [`percent_encode_into`]: a query string as the request is signed and sent.
pub(crate) fn push_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, out: &mut String) {
    for (i, (key, value)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(key, out);
        out.push('=');
        percent_encode_into(value, out);
    }
}

/// Whether an expanded path matches a template (`{name}` matches any one non-empty segment).
///
/// ```
/// use wechatpay::path::matches_template;
/// assert!(matches_template("/v3/merchant-service/images/abc", "/v3/merchant-service/images/{media_id}"));
/// assert!(!matches_template("/v3/merchant-service/images/a/b", "/v3/merchant-service/images/{media_id}"));
/// ```
pub fn matches_template(path: &str, template: &str) -> bool {
    walk(template, path, |_, _| true)
}

/// The variables of `template` captured from an expanded `path`, percent-decoded, or `None`
/// when the path does not match (or a value does not decode to UTF-8).
///
/// ```
/// use wechatpay::path::capture;
/// let vars = capture("/v3/x/{id}/y", "/v3/x/a%2Fb/y").unwrap();
/// assert_eq!(vars, [("id".to_owned(), "a/b".to_owned())]);
/// assert!(capture("/v3/x/{id}", "/v3/x/a/b").is_none());
/// ```
pub fn capture(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let mut values = Vec::new();
    let matched = walk(template, path, |name, raw| match percent_decode(raw) {
        Some(value) => {
            values.push((name.to_owned(), value));
            true
        }
        None => false,
    });
    matched.then_some(values)
}

/// Walks template and path segment by segment; `on_variable(name, raw_value)` is called for
/// each variable and may refuse the value.
fn walk(template: &str, path: &str, mut on_variable: impl FnMut(&str, &str) -> bool) -> bool {
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) => match ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) if !ps.is_empty() => {
                    if !on_variable(name, ps) {
                        return false;
                    }
                }
                Some(_) => return false,
                None if ts == ps => {}
                None => return false,
            },
            _ => return false,
        }
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_the_cases_wechatpay_php_documents() {
        for (input, expected) in [
            ("v3", "v3"),
            ("extPayment", "ext-payment"),
            ("ExtPayment", "ext-payment"),
            ("ext-payment", "ext-payment"),
            ("apply4sub", "apply4sub"),
            ("applyment4sub", "applyment4sub"),
            ("video_upload", "video_upload"),
            ("complaintsV2", "complaints-v2"),
            ("h5", "h5"),
            ("_out_trade_no_", "{out_trade_no}"),
            ("{out_trade_no}", "{out_trade_no}"),
            ("_outTradeNo_", "{outTradeNo}"),
            ("{outTradeNo}", "{outTradeNo}"),
            ("outTradeNo", "out-trade-no"),
            ("_", "_"),
            ("__", "__"),
        ] {
            assert_eq!(normalize_segment(input), expected, "{input}");
        }
    }

    #[test]
    fn keeps_a_trailing_slash_and_drops_a_leading_one() {
        assert_eq!(
            normalize_path("/v3/applyment4sub/applyment/"),
            "v3/applyment4sub/applyment/"
        );
        assert_eq!(
            expand("v3/applyment4sub/applyment/", &[]).unwrap(),
            "/v3/applyment4sub/applyment/"
        );
    }

    #[test]
    fn percent_encodes_every_reserved_character_of_a_value() {
        let path = expand("v3/x/{id}", &[("id", "a/b?c#d%e f+g&h=i")]).unwrap();
        assert_eq!(path, "/v3/x/a%2Fb%3Fc%23d%25e%20f%2Bg%26h%3Di");
    }

    #[test]
    fn refuses_values_that_are_dot_segments_or_empty() {
        for value in ["", ".", ".."] {
            assert!(matches!(
                expand("v3/x/{id}", &[("id", value)]),
                Err(Error::Request(RequestError::InvalidParam { .. }))
            ));
        }
        // A dot inside a value is harmless and left alone, as RFC 6570 says.
        assert_eq!(expand("v3/x/{id}", &[("id", "a.b")]).unwrap(), "/v3/x/a.b");
    }

    #[test]
    fn missing_and_unused_params_are_errors() {
        assert!(matches!(
            expand("v3/x/{id}", &[]),
            Err(Error::Request(RequestError::MissingParam { name })) if name == "id"
        ));
        assert!(matches!(
            expand("v3/x", &[("id", "1")]),
            Err(Error::Request(RequestError::UnusedParam { name })) if name == "id"
        ));
    }

    #[test]
    fn malformed_templates_are_errors() {
        for template in [
            "", "v3//x", "v3/../x", "v3/./x", "v3/{id", "v3/id}", "v3/{}", "v3/a b", "v3/a?b",
        ] {
            assert!(
                matches!(
                    expand(template, &[("id", "1")]),
                    Err(Error::Request(RequestError::InvalidPath { .. }))
                ),
                "{template}"
            );
        }
    }

    #[test]
    fn template_matching_treats_variables_as_one_segment() {
        assert!(matches_template(
            "/v3/merchant-service/images/abc",
            "/v3/merchant-service/images/{media_id}"
        ));
        assert!(!matches_template(
            "/v3/merchant-service/images/abc/d",
            "/v3/merchant-service/images/{media_id}"
        ));
        assert!(matches_template("/v3/billdownload/file", "/v3/billdownload/file"));
        assert!(!matches_template("/v3/x/", "/v3/x/{id}"));
    }

    #[test]
    fn capture_decodes_variables_and_refuses_empty_or_undecodable_ones() {
        let p = capture("/v3/x/{id}/y", "/v3/x/a%2Fb/y").unwrap();
        assert_eq!(p, [("id".to_owned(), "a/b".to_owned())]);
        assert!(capture("/v3/x/{id}/y", "/v3/x//y").is_none());
        assert!(capture("/v3/x/{id}", "/v3/x/a/b").is_none());
        assert!(capture("/v3/x/", "/v3/x").is_none());
        assert!(capture("/v3/x/{id}", "/v3/x/%ff").is_none());
        assert!(capture("/v3/x/{id}", "/v3/x/%4").is_none());
    }
}
