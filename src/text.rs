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

/// The text with its control characters escaped (`\n`, `\r`, `\t`, `\u{1b}`, ...), so every
/// character shows and none acts on a terminal. Other characters, Chinese text included,
/// are kept.
///
/// ```
/// use wechatpay::text::visible;
/// assert_eq!(visible("a\r\nb\u{1b}[2J 签名错误"), "a\\r\\nb\\u{1b}[2J 签名错误");
/// ```
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
