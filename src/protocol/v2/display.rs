//! Making text that came from the network safe to show: what the platform says in
//! `return_msg` or `err_code_des` (or what an attacker says in its place) is kept as
//! received in the errors, and goes through [`escape_for_display`] whenever it is shown.

use std::fmt::Write as _;

/// At most this many characters of one value are shown; the rest is counted, not shown.
pub const MAX_DISPLAY_CHARS: usize = 256;

/// `text` made safe for a terminal or a log line: control characters (C0, DEL and C1,
/// which include ESC, CR and LF), the invisible characters that reorder or hide text (the
/// bidirectional controls, zero-width characters, line and paragraph separators, the byte
/// order mark) and the backslash are written as Rust-style escapes (`\u{1b}`, `\\`);
/// everything else, Chinese text included, is kept. Past [`MAX_DISPLAY_CHARS`] characters
/// the text is cut and the number of characters left out is appended.
///
/// ```
/// use wechatpay::protocol::v2::escape_for_display;
/// assert_eq!(escape_for_display("签名错误"), "签名错误");
/// assert_eq!(escape_for_display("bad\x1b[2J\nnews"), "bad\\u{1b}[2J\\u{a}news");
/// ```
pub fn escape_for_display(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_DISPLAY_CHARS * 4));
    let mut chars = text.chars();
    for c in chars.by_ref().take(MAX_DISPLAY_CHARS) {
        if c == '\\' {
            out.push_str("\\\\");
        } else if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    let rest = chars.count();
    if rest > 0 {
        let _ = write!(out, "... ({rest} more characters)");
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control() || crate::text::is_hidden(c)
}

/// Formats an optional platform text for an error message: escaped, or `-` when absent.
pub(super) fn shown(text: &Option<String>) -> String {
    text.as_deref().map_or_else(|| "-".to_owned(), escape_for_display)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_never_pass_raw() {
        let hostile = "ok\x1b]0;pwned\x07\r\x08\x7f\u{9b}31m\u{202e}gnp.exe\u{200b}\u{feff}";
        let shown = escape_for_display(hostile);
        assert!(shown.chars().all(|c| !needs_escape(c)), "{shown}");
        assert_eq!(
            shown,
            "ok\\u{1b}]0;pwned\\u{7}\\u{d}\\u{8}\\u{7f}\\u{9b}31m\\u{202e}gnp.exe\\u{200b}\\u{feff}"
        );
    }

    #[test]
    fn backslashes_are_doubled_so_escapes_cannot_be_forged() {
        assert_eq!(escape_for_display(r"a\u{1b}b"), r"a\\u{1b}b");
    }

    #[test]
    fn printable_text_is_kept_and_long_text_is_cut() {
        assert_eq!(
            escape_for_display("订单已支付 (ORDERPAID) <ok> & \"q\""),
            "订单已支付 (ORDERPAID) <ok> & \"q\""
        );
        let long = "错".repeat(MAX_DISPLAY_CHARS + 10);
        let shown = escape_for_display(&long);
        assert!(shown.starts_with(&"错".repeat(MAX_DISPLAY_CHARS)));
        assert!(shown.ends_with("... (10 more characters)"), "{shown}");
        assert_eq!(
            escape_for_display(&"a".repeat(MAX_DISPLAY_CHARS)),
            "a".repeat(MAX_DISPLAY_CHARS)
        );
    }
}
