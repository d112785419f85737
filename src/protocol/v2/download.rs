//! Telling a bill download's success from its error: `pay/downloadbill` and
//! `pay/downloadfundflow` answer the bill itself (CSV text, or a gzip file when
//! `tar_type=GZIP` was asked) on success, and an unsigned `<xml>` answer on error (such
//! as "no bill for this date").

/// The endpoints that answer a file on success.
pub const DOWNLOAD_ENDPOINTS: [&str; 3] = [
    "pay/downloadbill",
    "pay/downloadfundflow",
    "sandboxnew/pay/downloadbill",
];

/// What a download endpoint answered, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadKind {
    /// The bill as CSV text.
    Csv,
    /// The bill as a gzip file.
    Gzip,
    /// An `<xml>` answer: an error, to read with [`read_answer`](super::read_answer).
    Xml,
}

/// Whether `path` (in any form [`endpoint`](super::endpoint) accepts) is a download
/// endpoint.
///
/// ```
/// use wechatpay::protocol::v2::is_download_endpoint;
/// assert!(is_download_endpoint("v2/pay/downloadbill"));
/// assert!(!is_download_endpoint("v2/pay/orderquery"));
/// ```
pub fn is_download_endpoint(path: &str) -> bool {
    DOWNLOAD_ENDPOINTS.contains(&super::endpoint(path))
}

/// Classifies a download answer by its first bytes (pass at least the first 16, or the
/// whole answer when shorter): the gzip magic number `1F 8B` is gzip; `<` after an optional
/// UTF-8 byte order mark and whitespace is XML; anything else, an empty answer included,
/// is CSV (a bill starts with its header line).
///
/// ```
/// use wechatpay::protocol::v2::{DownloadKind, classify_download};
/// assert_eq!(classify_download("交易时间,公众账号ID".as_bytes()), DownloadKind::Csv);
/// assert_eq!(classify_download(b"\x1f\x8b\x08\x00"), DownloadKind::Gzip);
/// assert_eq!(classify_download(b"<xml><return_code>FAIL</return_code>"), DownloadKind::Xml);
/// ```
pub fn classify_download(first_bytes: &[u8]) -> DownloadKind {
    if first_bytes.starts_with(&[0x1f, 0x8b]) {
        return DownloadKind::Gzip;
    }
    let text = first_bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(first_bytes);
    match text.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
        Some(b'<') => DownloadKind::Xml,
        _ => DownloadKind::Csv,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    #[test]
    fn a_real_gzip_stream_is_gzip() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all("交易时间,公众账号ID\n".as_bytes()).unwrap();
        let gzip = encoder.finish().unwrap();
        assert_eq!(classify_download(&gzip), DownloadKind::Gzip);
        assert_eq!(classify_download(&gzip[..2]), DownloadKind::Gzip);
    }

    #[test]
    fn xml_errors_are_found_after_a_bom_and_whitespace() {
        for answer in [
            &b"<xml><return_code><![CDATA[FAIL]]></return_code></xml>"[..],
            b"\xef\xbb\xbf<xml>",
            b"\r\n  <xml>",
            b"<?xml version=\"1.0\"?><xml>",
        ] {
            assert_eq!(classify_download(answer), DownloadKind::Xml, "{answer:?}");
        }
    }

    #[test]
    fn bills_are_csv_with_or_without_a_bom() {
        for answer in [
            "交易时间,公众账号ID,商户号".as_bytes(),
            b"\xef\xbb\xbf\xe4\xba\xa4",
            b"`2024-01-01 00:00:00,`wx",
            b"",
            b"\x1f",
        ] {
            assert_eq!(classify_download(answer), DownloadKind::Csv, "{answer:?}");
        }
    }

    #[test]
    fn only_the_two_bill_endpoints_download() {
        assert!(is_download_endpoint("/pay/downloadfundflow"));
        assert!(is_download_endpoint("V2/pay/downloadbill"));
        assert!(!is_download_endpoint("v3/bill/tradebill"));
        assert!(!is_download_endpoint("pay/downloadbills"));
    }
}
