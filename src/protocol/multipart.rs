//! Uploads: the two-part `multipart/form-data` body of the media endpoints, whose signature
//! covers the `meta` JSON text exactly as sent. Rendering (the client) and parsing (the
//! mock) live side by side so they cannot drift apart.

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::error::{RequestError, Result};

/// The `meta` object: `{"filename", "sha256"}` from the content, with the caller's fields
/// added (they win on conflicts, so a caller can also replace `filename`).
///
/// ```
/// let meta = wechatpay::protocol::multipart::meta_json("a.png", "00ff", None)?;
/// assert_eq!(&meta[..], br#"{"filename":"a.png","sha256":"00ff"}"#);
/// # Ok::<(), wechatpay::Error>(())
/// ```
pub fn meta_json(filename: &str, sha256_hex: &str, extra: Option<&Value>) -> Result<Bytes> {
    let mut meta = Map::new();
    meta.insert("filename".into(), Value::String(filename.to_owned()));
    meta.insert("sha256".into(), Value::String(sha256_hex.to_owned()));
    match extra {
        None => {}
        Some(Value::Object(fields)) => meta.extend(fields.clone()),
        Some(_) => return Err(invalid("meta must be a JSON object")),
    }
    let text = serde_json::to_vec(&Value::Object(meta)).map_err(|e| invalid(e.to_string()))?;
    Ok(Bytes::from(text))
}

fn invalid(reason: impl Into<String>) -> crate::Error {
    RequestError::InvalidUpload { reason: reason.into() }.into()
}

/// The bytes of a multipart body that surround the file's content: everything up to the
/// content (`head`: the meta part and the file part's headers) and after it (`tail`).
#[derive(Debug, Clone)]
pub struct Frame {
    /// The boundary.
    pub boundary: String,
    /// Everything before the file content.
    pub head: Bytes,
    /// Everything after the file content.
    pub tail: Bytes,
}

impl Frame {
    /// The `Content-Type` header value.
    pub fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }
}

/// Frames a file: a `meta` part (`application/json`, the signed text `meta`) then a `file`
/// part with the file name and media type.
///
/// ```
/// use wechatpay::protocol::multipart::frame;
/// let f = frame("B", b"{}", "a.png", "image/png")?;
/// let body = [&f.head[..], b"PNG", &f.tail[..]].concat();
/// assert!(body.starts_with(b"--B\r\nContent-Disposition: form-data; name=\"meta\";\r\n"));
/// assert!(body.ends_with(b"PNG\r\n--B--\r\n"));
/// # Ok::<(), wechatpay::Error>(())
/// ```
pub fn frame(boundary: &str, meta: &[u8], filename: &str, media_type: &str) -> Result<Frame> {
    if filename.is_empty() || filename.contains(['"', '\r', '\n']) {
        return Err(invalid(
            "the file name must be non-empty and hold no quotes or line breaks",
        ));
    }
    if media_type.is_empty() || http::HeaderValue::from_str(media_type).is_err() || media_type.contains(['\r', '\n']) {
        return Err(invalid("the media type must be a valid header value"));
    }
    let mut head = Vec::with_capacity(meta.len() + 256);
    head.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    head.extend_from_slice(b"Content-Disposition: form-data; name=\"meta\";\r\n");
    head.extend_from_slice(b"Content-Type: application/json\r\n\r\n");
    head.extend_from_slice(meta);
    head.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
    head.extend_from_slice(
        format!("Content-Disposition: form-data; name=\"file\"; filename=\"{filename}\";\r\n").as_bytes(),
    );
    head.extend_from_slice(format!("Content-Type: {media_type}\r\n\r\n").as_bytes());
    Ok(Frame {
        boundary: boundary.to_owned(),
        head: Bytes::from(head),
        tail: Bytes::from(format!("\r\n--{boundary}--\r\n")),
    })
}

/// The media type of a file name, from its extension (`application/octet-stream` otherwise).
///
/// ```
/// use wechatpay::protocol::multipart::media_type_of;
/// assert_eq!(media_type_of("logo.PNG"), "image/png");
/// assert_eq!(media_type_of("clip.mp4"), "video/mp4");
/// assert_eq!(media_type_of("notes"), "application/octet-stream");
/// ```
pub fn media_type_of(filename: &str) -> &'static str {
    let extension = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "avi" => "video/x-msvideo",
        "wmv" => "video/x-ms-wmv",
        "mpeg" | "mpg" => "video/mpeg",
        "mov" => "video/quicktime",
        "mkv" => "video/x-matroska",
        "flv" => "video/x-flv",
        "3gp" => "video/3gpp",
        "pdf" => "application/pdf",
        "ofd" => "application/ofd",
        "xml" => "application/xml",
        "csv" => "text/csv",
        "txt" => "text/plain",
        "zip" => "application/zip",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// The parts of a received multipart upload, as the platform reads them.
#[derive(Debug, Clone)]
pub struct Parts {
    /// The `meta` part's text, exactly as received (what the signature covers).
    pub meta_text: Bytes,
    /// The `file` part's file name.
    pub filename: String,
    /// The `file` part's media type.
    pub media_type: String,
    /// The file's content.
    pub content: Bytes,
}

/// Parses a `multipart/form-data` body with `meta` and `file` parts (other parts are
/// skipped); the error says what is malformed. A `Content-Type` without a `boundary`
/// parameter (the bare `multipart/form-data` the platform's documentation names, which some
/// SDKs send as it is) takes the boundary from the body's first line, as the platform does.
///
/// ```
/// use wechatpay::protocol::multipart::{frame, parse};
/// let f = frame("B", br#"{"sha256":"x"}"#, "a.png", "image/png")?;
/// let body = bytes::Bytes::from([&f.head[..], b"PNG", &f.tail[..]].concat());
/// let parts = parse(&f.content_type(), &body).unwrap();
/// assert_eq!((&parts.meta_text[..], &parts.content[..]), (&br#"{"sha256":"x"}"#[..], &b"PNG"[..]));
/// # Ok::<(), wechatpay::Error>(())
/// ```
pub fn parse(content_type: &str, body: &Bytes) -> std::result::Result<Parts, &'static str> {
    let boundary = boundary(content_type, body).ok_or("no multipart boundary")?;
    let delimiter = format!("--{boundary}");
    let mut meta = None;
    let mut file = None;
    let mut rest = body
        .strip_prefix(delimiter.as_bytes())
        .ok_or("the body does not start with the boundary")?;
    let separator = format!("\r\n{delimiter}");
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        rest = rest.strip_prefix(b"\r\n").ok_or("malformed part start")?;
        let end = find(rest, separator.as_bytes()).ok_or("unterminated part")?;
        let part = &rest[..end];
        let header_end = find(part, b"\r\n\r\n").ok_or("part without headers")?;
        let headers = std::str::from_utf8(&part[..header_end]).map_err(|_| "part headers are not text")?;
        let content = body.slice_ref(&part[header_end + 4..]);
        let name = header_param(headers, "name").ok_or("part without a name")?;
        match name.as_str() {
            "meta" => meta = Some(content),
            "file" => {
                let media_type = headers
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("Content-Type:")
                            .or_else(|| l.strip_prefix("content-type:"))
                    })
                    .map(|v| v.trim().to_owned())
                    .unwrap_or_default();
                let filename = header_param(headers, "filename").unwrap_or_default();
                file = Some((filename, media_type, content));
            }
            _ => {}
        }
        rest = &rest[end + separator.len()..];
    }
    let meta_text = meta.ok_or("no meta part")?;
    let (filename, media_type, content) = file.ok_or("no file part")?;
    Ok(Parts {
        meta_text,
        filename,
        media_type,
        content,
    })
}

/// The `Content-Type`'s `boundary` parameter or, without one, the boundary that opens the
/// body: a first line `--BOUNDARY` followed by CRLF, where BOUNDARY keeps RFC 2046's rules
/// (1 to 70 characters of its set, not ending with a space).
fn boundary<'a>(content_type: &'a str, body: &'a [u8]) -> Option<&'a str> {
    if let Some(parameter) = content_type.split(';').find_map(|p| p.trim().strip_prefix("boundary=")) {
        return Some(parameter.trim_matches('"'));
    }
    const MAX: usize = 70;
    let line = body.strip_prefix(b"--")?;
    let end = line.iter().take(MAX + 1).position(|&b| b == b'\r')?;
    let candidate = &line[..end];
    let allowed = |c: &u8| c.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(c);
    let valid = !candidate.is_empty()
        && candidate.last() != Some(&b' ')
        && candidate.iter().all(allowed)
        && line[end..].starts_with(b"\r\n");
    valid.then(|| std::str::from_utf8(candidate).ok()).flatten()
}

/// The first occurrence of `needle`, in time linear in both lengths (the boundary comes
/// from the request: a naive search is quadratic in body size times boundary length).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

fn header_param(headers: &str, param: &str) -> Option<String> {
    let disposition = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    disposition.split(';').find_map(|p| {
        let (key, value) = p.trim().split_once('=')?;
        (key == param).then(|| value.trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_is_filename_and_sha256_with_caller_fields_added() {
        let meta = meta_json("a.png", "00ff", None).unwrap();
        assert_eq!(&meta[..], br#"{"filename":"a.png","sha256":"00ff"}"#);
        let extra = serde_json::json!({"bank_type": "ICBC"});
        let meta = meta_json("a.png", "00ff", Some(&extra)).unwrap();
        assert_eq!(&meta[..], br#"{"bank_type":"ICBC","filename":"a.png","sha256":"00ff"}"#);
        assert!(meta_json("a.png", "00ff", Some(&serde_json::json!([1]))).is_err());
    }

    #[test]
    fn rendered_body_has_the_meta_part_then_the_file_part() {
        let meta = meta_json("logo.png", "abc", None).unwrap();
        let f = frame("B", &meta, "logo.png", media_type_of("logo.png")).unwrap();
        let mut body = f.head.to_vec();
        body.extend_from_slice(b"PNG");
        body.extend_from_slice(&f.tail);
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            "--B\r\nContent-Disposition: form-data; name=\"meta\";\r\nContent-Type: application/json\r\n\r\n\
             {\"filename\":\"logo.png\",\"sha256\":\"abc\"}\r\n--B\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"logo.png\";\r\nContent-Type: image/png\r\n\r\n\
             PNG\r\n--B--\r\n"
        );
    }

    #[test]
    fn refuses_file_names_and_media_types_that_would_break_the_header() {
        assert!(frame("B", b"{}", "a\".png", "image/png").is_err());
        assert!(frame("B", b"{}", "", "image/png").is_err());
        assert!(frame("B", b"{}", "a.png", "image/png\r\nX: y").is_err());
    }

    #[test]
    fn parses_the_two_parts_of_an_upload() {
        let body = Bytes::from_static(
            b"--B\r\nContent-Disposition: form-data; name=\"meta\";\r\nContent-Type: application/json\r\n\r\n\
              {\"filename\":\"a.png\",\"sha256\":\"x\"}\r\n--B\r\n\
              Content-Disposition: form-data; name=\"file\"; filename=\"a.png\";\r\nContent-Type: image/png\r\n\r\n\
              \x89PNG\r\n--B--\r\n",
        );
        let parts = parse("multipart/form-data; boundary=B", &body).unwrap();
        assert_eq!(&parts.meta_text[..], br#"{"filename":"a.png","sha256":"x"}"#);
        assert_eq!(parts.filename, "a.png");
        assert_eq!(parts.media_type, "image/png");
        assert_eq!(&parts.content[..], b"\x89PNG");
        assert!(parse("multipart/form-data; boundary=C", &body).is_err());
    }

    #[test]
    fn without_a_boundary_parameter_the_first_line_names_it() {
        let body = Bytes::from_static(
            b"--x'(+_,-./:=? y)\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{}\r\n--x'(+_,-./:=? y)\r\n\
              Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nPNG\r\n--x'(+_,-./:=? y)--\r\n",
        );
        let parts = parse("multipart/form-data", &body).unwrap();
        assert_eq!((&parts.meta_text[..], &parts.content[..]), (&b"{}"[..], &b"PNG"[..]));
        let longest = format!("--{}\r\n", "b".repeat(70));
        assert_eq!(
            boundary("multipart/form-data", longest.as_bytes()),
            Some(&longest[2..72])
        );
        for refused in [
            format!("--{}\r\n", "b".repeat(71)),
            "--\r\n".to_owned(),
            "--ends with a space \r\n".to_owned(),
            "--semi;colon\r\n".to_owned(),
            "--no line end".to_owned(),
            "--lone\rcarriage return".to_owned(),
            "meta=1".to_owned(),
        ] {
            assert_eq!(boundary("multipart/form-data", refused.as_bytes()), None, "{refused:?}");
        }
    }
}
