//! The `format`s the validator checks: RFC 3339 date-times and dates (errors), and a few
//! others the description uses loosely (warnings).

use serde_json::Value;

/// Whether a broken `format` is an error: only for the date-time formats, whose shape the
/// platform parses. The others (`int32`, `base64`, `url`, ...) are hints.
pub(super) fn is_strict(format: &str) -> bool {
    matches!(format, "rfc3339" | "date-time" | "date")
}

/// What a format asks for, for messages.
pub(super) fn describe(format: &str) -> String {
    match format {
        "rfc3339" | "date-time" => "an RFC 3339 date-time (2024-07-04T15:30:00+08:00)".into(),
        "date" => "a date (2024-07-04)".into(),
        "int32" | "int64" | "uint" | "uint32" | "uint64" => format!("an {format} integer"),
        other => format!("{other} format"),
    }
}

/// Checks a value against a format: `Some(false)` when it breaks it, `None` when the format
/// is not one this module knows (or does not apply to that kind of value).
pub(super) fn check(format: &str, value: &Value) -> Option<bool> {
    match value {
        Value::String(s) => check_text(format, s),
        Value::Number(n) => {
            let (lo, hi) = int_range(format)?;
            Some(match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => (lo..=hi).contains(&i128::from(i)),
                (None, Some(u)) => (lo..=hi).contains(&i128::from(u)),
                _ => false, // not integral
            })
        }
        _ => None,
    }
}

/// Checks a string (a JSON string, or the wire text of a v2 field or parameter).
pub(super) fn check_text(format: &str, s: &str) -> Option<bool> {
    match format {
        "rfc3339" | "date-time" => Some(date_time(s)),
        "date" => Some(full_date(s.as_bytes())),
        "base64" => Some(base64(s)),
        "url" => Some(s.starts_with("https://") || s.starts_with("http://")),
        _ => {
            let (lo, hi) = int_range(format)?;
            Some(s.parse::<i128>().is_ok_and(|i| (lo..=hi).contains(&i)))
        }
    }
}

fn int_range(format: &str) -> Option<(i128, i128)> {
    Some(match format {
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN.into(), i64::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "uint" | "uint64" => (0, u64::MAX.into()),
        _ => return None,
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, RFC 3339 section 5.6, every field in
/// range (`T` and `Z` in either case, a leap second allowed).
pub(super) fn date_time(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !full_date(&b[..10]) || !matches!(b[10], b'T' | b't') {
        return false;
    }
    let Some(rest) = time(&b[11..]) else { return false };
    let rest = match rest.first() {
        Some(b'.') => {
            let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return false;
            }
            &rest[1 + digits..]
        }
        _ => rest,
    };
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            two(*h1, *h2).is_some_and(|h| h < 24) && two(*m1, *m2).is_some_and(|m| m < 60)
        }
        _ => false,
    }
}

/// `HH:MM:SS`; returns what follows.
fn time(b: &[u8]) -> Option<&[u8]> {
    match b {
        [h1, h2, b':', m1, m2, b':', s1, s2, rest @ ..]
            if two(*h1, *h2)? < 24 && two(*m1, *m2)? < 60 && two(*s1, *s2)? <= 60 =>
        {
            Some(rest)
        }
        _ => None,
    }
}

/// `YYYY-MM-DD`, with the month's true length.
fn full_date(b: &[u8]) -> bool {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *b else {
        return false;
    };
    let (Some(hi), Some(lo), Some(month), Some(day)) = (two(y1, y2), two(y3, y4), two(m1, m2), two(d1, d2)) else {
        return false;
    };
    let year = u32::from(hi) * 100 + u32::from(lo);
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn two(a: u8, b: u8) -> Option<u8> {
    (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'))
}

/// Standard base64 with padding (the platform's ciphertexts and signatures).
fn base64(s: &str) -> bool {
    let b = s.as_bytes();
    let body = b.iter().rposition(|&c| c != b'=').map_or(0, |i| i + 1);
    !b.is_empty()
        && b.len().is_multiple_of(4)
        && b.len() - body <= 2
        && b[..body]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn date_times_are_checked_field_by_field() {
        for good in [
            "2024-07-04T15:30:00+08:00",
            "2020-05-20T13:29:35.120+08:00",
            "2024-02-29T00:00:00Z",
            "2016-12-31t23:59:60z",
        ] {
            assert!(date_time(good), "{good}");
        }
        for bad in [
            "2025-07-24T00:00+08:00", // no seconds
            "2023-02-29T00:00:00Z",   // not a leap year
            "2024-07-04 15:30:00+08:00",
            "2024-07-04T24:00:00Z",
            "2024-07-04T15:30:00", // no offset
            "2024-07-04T15:30:00.+08:00",
            "2024-07-04T15:30:00+0800",
            "20240704153000",
            "",
            "２０２４-07-04T15:30:00Z",
        ] {
            assert!(!date_time(bad), "{bad}");
        }
    }

    #[test]
    fn dates_have_the_month_length() {
        assert!(full_date(b"2000-02-29"));
        assert!(!full_date(b"1900-02-29"));
        assert!(!full_date(b"2024-04-31"));
        assert!(!full_date(b"2024-00-10"));
        assert!(!full_date(b"2024-7-04"));
        assert_eq!(check("date", &json!("2024-07-04")), Some(true));
    }

    #[test]
    fn loose_formats_check_what_they_can() {
        assert_eq!(check("int32", &json!(2147483647)), Some(true));
        assert_eq!(check("int32", &json!(2147483648_i64)), Some(false));
        assert_eq!(check("uint64", &json!(-1)), Some(false));
        assert_eq!(check("int64", &json!(1.5)), Some(false));
        assert_eq!(check_text("int32", "12x"), Some(false));
        assert_eq!(check("base64", &json!("ZXhhbXBsZQ==")), Some(true));
        assert_eq!(check("base64", &json!("ZXhhbXBsZQ=")), Some(false));
        assert_eq!(check("base64", &json!("not base64!")), Some(false));
        assert_eq!(check("url", &json!("https://example.com/a")), Some(true));
        assert_eq!(check("url", &json!("example.com")), Some(false));
        assert_eq!(check("MediaId", &json!("anything")), None);
        assert_eq!(check("rfc3339", &json!(12)), None);
        assert!(is_strict("rfc3339") && is_strict("date") && !is_strict("base64"));
    }
}
