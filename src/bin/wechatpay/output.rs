//! Output: dates in plain words, bodies and JSON on standard output.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};

/// The latest time `--at` takes: 9999-12-31 23:59:59 in Beijing time, 15:59:59 UTC (later
/// ones would need a five-digit year, and mean nothing for a callback).
pub const LATEST_UNIX_SECONDS: i64 = 253_402_271_999;

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_unix(secs: i64) -> String {
    format!("{} UTC", wechatpay::clock::CivilTime::from_unix(secs))
}

/// The local clock, Unix seconds.
pub fn now() -> i64 {
    use wechatpay::clock::Clock as _;
    wechatpay::clock::SystemClock.now()
}

/// Writes a body to standard output: on a terminal, pretty JSON or text, with whatever
/// would act on the terminal escaped (see [`body_for_terminal`]); otherwise the bytes as
/// received, to keep.
pub fn print_body(body: &[u8]) {
    if body.is_empty() {
        return;
    }
    if std::io::stdout().is_terminal() {
        emit(format!("{}\n", body_for_terminal(body)).as_bytes());
    } else {
        emit(body);
    }
}

/// Writes `bytes` to standard output. A reader that has gone (`| head -1`) is not an error:
/// the rest is dropped and the command ends with its own status. Any other failure (a full
/// disk behind `> file`) ends the command with status 1, said on standard error: the output
/// is incomplete.
pub fn emit(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            note!("error: cannot write to standard output: {error}");
            std::process::exit(i32::from(crate::exit::FAILURE));
        }
        _ => {}
    }
}

/// A body as a terminal shows it: JSON pretty, with DEL, C1 and hidden characters as JSON
/// escapes (the same value); other text line by line, each line's control and hidden
/// characters escaped (`\u{1b}`), so that nothing from the network, verified or not (an
/// unsigned download), can act on the terminal.
pub fn body_for_terminal(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => escape_json_text(&serde_json::to_string_pretty(&value).unwrap_or_default()),
        Err(_) => String::from_utf8_lossy(body)
            .trim_end_matches('\n')
            .split('\n')
            .map(|line| wechatpay::text::visible(line.strip_suffix('\r').unwrap_or(line)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Writes text that was not verified (an error answer's body) to standard output with its
/// control characters escaped, whatever standard output is: it is information to read, not
/// data to keep.
pub fn print_escaped(text: &str) {
    emit(format!("{}\n", wechatpay::text::visible(text)).as_bytes());
}

/// Writes a JSON value to standard output: pretty on a terminal, compact otherwise. The
/// characters that act on a terminal or reorder text and that serde_json leaves as they are
/// (DEL, the C1 controls, the invisible ones of `text::is_hidden`) are written as JSON
/// escapes, so the output is the same JSON value and safe to show.
pub fn print_json(value: &serde_json::Value) {
    let text = if std::io::stdout().is_terminal() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .unwrap_or_default();
    emit(format!("{}\n", escape_json_text(&text)).as_bytes());
}

/// JSON text with DEL, the C1 controls and the hidden characters written as `\uXXXX`. They
/// can only be inside strings (serde_json already escaped the C0 controls there, so a raw
/// line feed is layout and is kept), and all are in the Basic Multilingual Plane.
pub fn escape_json_text(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c != '\n' && (c.is_control() || wechatpay::text::is_hidden(c)) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_keeps_its_value_and_shows_no_hidden_character() {
        let value = serde_json::json!({"m": "a\u{9b}2J\u{7f}\u{202e}b\n中", "n": [1]});
        for text in [serde_json::to_string(&value), serde_json::to_string_pretty(&value)] {
            let escaped = escape_json_text(&text.unwrap());
            assert!(!escaped.contains(['\u{9b}', '\u{7f}', '\u{202e}']), "{escaped}");
            assert_eq!(serde_json::from_str::<serde_json::Value>(&escaped).unwrap(), value);
        }
    }

    #[test]
    fn bodies_shown_on_a_terminal_cannot_act_on_it() {
        let json = br#"{"note":"A\u009b31mRED\u202eDESREVER"}"#;
        let shown = body_for_terminal(json);
        assert!(!shown.contains(['\u{9b}', '\u{202e}']), "{shown}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&shown).unwrap(),
            serde_json::from_slice::<serde_json::Value>(json).unwrap()
        );
        let bill = b"2024,\x1b[2J\x1b]0;pwned\x07\xc2\x9b31mRED\r\n2024,ok\r\n";
        let shown = body_for_terminal(bill);
        assert!(!shown.contains(['\u{1b}', '\u{7}', '\u{9b}', '\r']), "{shown:?}");
        assert_eq!(shown.lines().count(), 2, "{shown:?}");
        assert!(shown.ends_with("2024,ok"), "{shown:?}");
    }

    #[test]
    fn formats_dates() {
        assert_eq!(format_unix(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_unix(2_335_219_200), "2044-01-01 00:00:00 UTC");
        assert_eq!(format_unix(1_709_210_096), "2024-02-29 12:34:56 UTC");
    }
}
