//! Showing text that came from the network (or from a user) in an error, a log line or a
//! terminal, where raw control characters could forge output.

/// A short, printable rendering of a value for an error message: printable ASCII only
/// (anything else becomes `?`), at most 64 characters.
///
/// ```
/// use wechatpay::text::sanitize;
/// assert_eq!(sanitize("PUB_KEY_ID_1 <x>\u{1b}[2J"), "PUB_KEY_ID_1?<x>?[2J");
/// assert_eq!(sanitize(&"a".repeat(100)).len(), 64);
/// ```
pub fn sanitize(value: &str) -> String {
    value
        .chars()
        .take(64)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

/// The text with its control characters (C0, DEL, C1) and its invisible characters escaped
/// (`\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`, ...), so every character shows, none acts on a
/// terminal and none reorders or hides the text around it (see [`is_hidden`]). Other
/// characters, Chinese text included, are kept.
///
/// ```
/// use wechatpay::text::visible;
/// assert_eq!(visible("a\r\nb\u{1b}[2J 签名错误"), "a\\r\\nb\\u{1b}[2J 签名错误");
/// assert_eq!(visible("abc\u{202e}fed"), "abc\\u{202e}fed");
/// ```
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || is_hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `c` is one of the invisible characters that reorder or hide text on display: the
/// bidirectional controls, the zero-width characters, the line and paragraph separators and
/// the byte order mark.
///
/// ```
/// assert!(wechatpay::text::is_hidden('\u{202e}') && !wechatpay::text::is_hidden('中'));
/// ```
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{061c}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}
