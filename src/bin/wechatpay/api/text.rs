//! Text for a terminal: display widths (Chinese characters take two columns), wrapping,
//! shortening, and quoting for a shell.

/// The columns a character takes on a terminal: 2 for the wide East Asian ranges (CJK
/// ideographs and punctuation, kana, Hangul, full-width forms), 0 for controls and
/// combining marks, 1 otherwise.
pub fn char_width(c: char) -> usize {
    let u = c as u32;
    if c.is_control() || (0x300..0x370).contains(&u) || (0x200b..0x2010).contains(&u) {
        return 0;
    }
    let wide = (0x1100..=0x115f).contains(&u)
        || (0x2e80..=0x303e).contains(&u)
        || (0x3041..=0x33ff).contains(&u)
        || (0x3400..=0x4dbf).contains(&u)
        || (0x4e00..=0x9fff).contains(&u)
        || (0xa000..=0xa4cf).contains(&u)
        || (0xac00..=0xd7a3).contains(&u)
        || (0xf900..=0xfaff).contains(&u)
        || (0xfe30..=0xfe4f).contains(&u)
        || (0xff00..=0xff60).contains(&u)
        || (0xffe0..=0xffe6).contains(&u)
        || (0x1f300..=0x1f64f).contains(&u)
        || (0x20000..=0x3fffd).contains(&u);
    if wide { 2 } else { 1 }
}

/// The columns a text takes.
pub fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// The text cut to at most `columns` columns, ending in `…` when it was cut.
pub fn shorten(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w + 1 > columns {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Splits a piece wider than `columns` into pieces that fit.
fn split_wide(piece: &str, columns: usize) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let mut used = 0;
    for c in piece.chars() {
        let w = char_width(c);
        if used + w > columns && used > 0 {
            pieces.push(String::new());
            used = 0;
        }
        used += w;
        if let Some(last) = pieces.last_mut() {
            last.push(c);
        }
    }
    pieces
}

/// Lays `pieces` out, `separator` between them, on lines of at most `columns` columns (the
/// separator's trailing `,` included); a piece wider than a line is split. Always at least
/// one line.
pub fn wrap(pieces: &[String], separator: &str, columns: usize) -> Vec<String> {
    let trail = separator.trim_end();
    let room = columns.max(8) - width(trail);
    let mut lines = vec![String::new()];
    for piece in pieces.iter().flat_map(|p| split_wide(p, room)) {
        let Some(line) = lines.last_mut() else { break };
        if line.is_empty() {
            line.push_str(&piece);
        } else if width(line) + width(separator) + width(&piece) <= room {
            line.push_str(separator);
            line.push_str(&piece);
        } else {
            line.push_str(trail);
            lines.push(piece);
        }
    }
    lines
}

/// The first line of a description, its runs of white space made single spaces.
pub fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text quoted for a POSIX shell when it holds anything but letters, digits and
/// `-_=./:,@%+`.
pub fn shell_quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_=./:,@%+".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// A number as the description would write it: `64`, `0.01`.
pub fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_takes_two_columns() {
        assert_eq!(width("停车a"), 5);
        assert_eq!(width("（，）"), 6);
        assert_eq!(width("e\u{301}"), 1);
    }

    #[test]
    fn shortening_keeps_within_the_columns() {
        assert_eq!(shorten("商户订单号码", 7), "商户订…");
        assert_eq!(shorten("short", 10), "short");
        assert!(width(&shorten(&"停".repeat(50), 20)) <= 20);
    }

    #[test]
    fn wrapping_keeps_within_the_columns_and_splits_long_pieces() {
        let pieces: Vec<String> = ["alpha", "beta", "gamma", "delta"].map(String::from).into();
        assert_eq!(wrap(&pieces, ", ", 12), ["alpha, beta,", "gamma,", "delta"]);
        let long = vec!["x".repeat(25)];
        assert_eq!(wrap(&long, ", ", 10).len(), 3);
        assert_eq!(wrap(&[], ", ", 10), [""]);
    }

    #[test]
    fn quoting_for_a_shell() {
        assert_eq!(shell_quote("out_trade_no=T1"), "out_trade_no=T1");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("$(x)"), "'$(x)'");
    }

    #[test]
    fn numbers_drop_a_zero_fraction() {
        assert_eq!(number(64.0), "64");
        assert_eq!(number(0.01), "0.01");
        assert_eq!(number(-1.0), "-1");
    }
}
