//! Output: dates in plain words, bodies and JSON on standard output.

use std::io::{IsTerminal as _, Write as _};

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_unix(secs: i64) -> String {
    format!("{} UTC", wechatpay::clock::CivilTime::from_unix(secs))
}

/// The local clock, Unix seconds.
pub fn now() -> i64 {
    use wechatpay::clock::Clock as _;
    wechatpay::clock::SystemClock.now()
}

/// Writes a body to standard output: pretty JSON on a terminal, the bytes as received
/// otherwise.
pub fn print_body(body: &[u8]) {
    if body.is_empty() {
        return;
    }
    let mut out = std::io::stdout().lock();
    if std::io::stdout().is_terminal() {
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(value) => {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&value).unwrap_or_default());
            }
            Err(_) => {
                let _ = out.write_all(body);
                if !body.ends_with(b"\n") {
                    let _ = writeln!(out);
                }
            }
        }
    } else {
        let _ = out.write_all(body);
    }
    let _ = out.flush();
}

/// Writes text that was not verified (an error answer's body) to standard output with its
/// control characters escaped, whatever standard output is: it is information to read, not
/// data to keep.
pub fn print_escaped(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", wechatpay::text::visible(text));
    let _ = out.flush();
}

/// Writes a JSON value to standard output: pretty on a terminal, compact otherwise.
pub fn print_json(value: &serde_json::Value) {
    let text = if std::io::stdout().is_terminal() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(format_unix(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_unix(2_335_219_200), "2044-01-01 00:00:00 UTC");
        assert_eq!(format_unix(1_709_210_096), "2024-02-29 12:34:56 UTC");
    }
}
