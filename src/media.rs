//! Uploads: the two-part `multipart/form-data` body of the media endpoints, whose signature
//! covers the `meta` JSON text exactly as sent (PROTOCOL.md section 7).

use std::path::PathBuf;

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Where the file part's content comes from. `Debug` shows the size, not the content.
#[derive(Clone)]
pub(crate) enum Source {
    /// Content already in memory.
    Memory(Bytes),
    /// A file streamed from disk (read twice: once to hash it, once to send it).
    File(PathBuf),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Memory(content) => write!(f, "Memory({} bytes)", content.len()),
            Source::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

/// The upload part of a request: the file and any caller-supplied meta fields.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub(crate) filename: String,
    pub(crate) source: Source,
    pub(crate) meta: Option<Value>,
    pub(crate) media_type: Option<String>,
}

/// A rendered multipart body: the signed meta text, and the bytes around the file content.
#[derive(Debug, Clone)]
pub(crate) struct Multipart {
    pub(crate) boundary: String,
    pub(crate) meta: Bytes,
    pub(crate) head: Bytes,
    pub(crate) source: Source,
    pub(crate) tail: Bytes,
    pub(crate) content_length: u64,
    /// The content's SHA-256 (hex), as signed in the meta part.
    pub(crate) sha256: String,
}

impl Multipart {
    /// The `Content-Type` header value.
    pub(crate) fn content_type(&self) -> String {
        format!("multipart/form-data; boundary={}", self.boundary)
    }

    /// The total body length (head, file, tail).
    pub(crate) fn body_length(&self) -> u64 {
        self.head.len() as u64 + self.content_length + self.tail.len() as u64
    }
}

/// The `meta` object: `{"filename", "sha256"}` from the content, with the caller's fields
/// added (they win on conflicts, so a caller can also replace `filename`).
pub fn meta_json(filename: &str, sha256_hex: &str, extra: Option<&Value>) -> Result<Bytes> {
    let mut meta = Map::new();
    meta.insert("filename".into(), Value::String(filename.to_owned()));
    meta.insert("sha256".into(), Value::String(sha256_hex.to_owned()));
    match extra {
        None => {}
        Some(Value::Object(fields)) => meta.extend(fields.clone()),
        Some(_) => {
            return Err(Error::InvalidUpload {
                reason: "meta must be a JSON object".into(),
            });
        }
    }
    Ok(Bytes::from(
        serde_json::to_vec(&Value::Object(meta)).map_err(Error::Decode)?,
    ))
}

/// Renders the multipart body around the file content.
pub(crate) fn render(upload: &Upload, sha256_hex: &str, content_length: u64, boundary: String) -> Result<Multipart> {
    if upload.filename.is_empty() || upload.filename.contains(['"', '\r', '\n']) {
        return Err(Error::InvalidUpload {
            reason: "the file name must be non-empty and hold no quotes or line breaks".into(),
        });
    }
    let meta = meta_json(&upload.filename, sha256_hex, upload.meta.as_ref())?;
    let media_type = upload
        .media_type
        .clone()
        .unwrap_or_else(|| media_type_of(&upload.filename).to_owned());
    if media_type.is_empty() || http::HeaderValue::from_str(&media_type).is_err() || media_type.contains(['\r', '\n']) {
        return Err(Error::InvalidUpload {
            reason: "the media type must be a valid header value".into(),
        });
    }
    let mut head = Vec::with_capacity(meta.len() + 256);
    head.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    head.extend_from_slice(b"Content-Disposition: form-data; name=\"meta\";\r\n");
    head.extend_from_slice(b"Content-Type: application/json\r\n\r\n");
    head.extend_from_slice(&meta);
    head.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
    head.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"file\"; filename=\"{}\";\r\n",
            upload.filename
        )
        .as_bytes(),
    );
    head.extend_from_slice(format!("Content-Type: {media_type}\r\n\r\n").as_bytes());
    let tail = Bytes::from(format!("\r\n--{boundary}--\r\n"));
    Ok(Multipart {
        boundary,
        meta,
        head: Bytes::from(head),
        source: upload.source.clone(),
        tail,
        content_length,
        sha256: sha256_hex.to_owned(),
    })
}

/// A fresh multipart boundary.
pub(crate) fn boundary() -> Result<String> {
    Ok(format!("wechatpay-rust-{}", crate::auth::signing::nonce()?))
}

/// The media type of a file name, from its extension (`application/octet-stream` otherwise).
///
/// ```
/// assert_eq!(wechatpay::media::media_type_of("logo.PNG"), "image/png");
/// assert_eq!(wechatpay::media::media_type_of("clip.mp4"), "video/mp4");
/// assert_eq!(wechatpay::media::media_type_of("notes"), "application/octet-stream");
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

/// In-memory uploads larger than this are hashed on tokio's blocking pool (256 KiB hash in
/// about 0.13 ms; 2 MiB in about 1 ms, too long to hold an executor thread).
const INLINE_HASH_LIMIT: usize = 256 * 1024;

/// The SHA-256 (hex) and length of an upload's content; a file is read in chunks.
pub(crate) async fn upload_digest(source: &crate::media::Source) -> Result<(String, u64)> {
    match source {
        crate::media::Source::Memory(content) if content.len() <= INLINE_HASH_LIMIT => {
            Ok((crate::crypto::sha256_hex(content), content.len() as u64))
        }
        crate::media::Source::Memory(content) => {
            // Hashing megabytes takes milliseconds: off the executor, so other tasks run.
            let content = content.clone();
            let length = content.len() as u64;
            let digest = tokio::task::spawn_blocking(move || crate::crypto::sha256_hex(&content))
                .await
                .map_err(|_| Error::Crypto("hashing the upload failed"))?;
            Ok((digest, length))
        }
        crate::media::Source::File(path) => {
            use tokio::io::AsyncReadExt as _;
            let mut file = tokio::fs::File::open(path).await.map_err(|e| Error::InvalidUpload {
                reason: format!("cannot read {}: {e}", path.display()),
            })?;
            let mut hasher = crate::crypto::digest::Sha256::new();
            let mut buffer = vec![0u8; 64 * 1024];
            let mut length = 0u64;
            loop {
                let n = file.read(&mut buffer).await?;
                if n == 0 {
                    break;
                }
                hasher.update(&buffer[..n]);
                length += n as u64;
            }
            Ok((hasher.finish_hex(), length))
        }
    }
}

/// The multipart body: in memory, or streamed from the file (which must not have changed).
pub(crate) fn multipart_body(multipart: &crate::media::Multipart) -> reqwest::Body {
    match &multipart.source {
        crate::media::Source::Memory(content) => {
            // Reference-counted pieces: nothing is copied, however many attempts.
            let pieces = [multipart.head.clone(), content.clone(), multipart.tail.clone()];
            reqwest::Body::wrap_stream(futures_util::stream::iter(pieces.map(Ok::<_, std::io::Error>)))
        }
        crate::media::Source::File(path) => {
            use tokio::io::AsyncReadExt as _;
            enum State {
                Head,
                File(tokio::fs::File, u64, Box<crate::crypto::digest::Sha256>),
                Tail,
                Done,
            }
            let (head, tail, path, expected, expected_sha256) = (
                multipart.head.clone(),
                multipart.tail.clone(),
                path.clone(),
                multipart.content_length,
                multipart.sha256.clone(),
            );
            // The file is hashed again as it is sent: if it changed since its meta was
            // signed, the body is cut short (the platform then refuses it) instead of
            // sending content that does not match the signed sha256.
            let changed = || Err(std::io::Error::other("the file changed while it was uploaded"));
            let stream = futures_util::stream::unfold(State::Head, move |state| {
                let (head, tail, path, expected_sha256) =
                    (head.clone(), tail.clone(), path.clone(), expected_sha256.clone());
                async move {
                    match state {
                        State::Head => match tokio::fs::File::open(&path).await {
                            Ok(file) => Some((Ok(head), State::File(file, 0, Box::default()))),
                            Err(e) => Some((Err(e), State::Done)),
                        },
                        State::File(mut file, sent, mut hasher) => {
                            let mut buffer = vec![0u8; 64 * 1024];
                            match file.read(&mut buffer).await {
                                Ok(0) => {
                                    if sent == expected && hasher.finish_hex() == expected_sha256 {
                                        Some((Ok(tail), State::Tail))
                                    } else {
                                        Some((changed(), State::Done))
                                    }
                                }
                                Ok(n) if sent + n as u64 > expected => Some((changed(), State::Done)),
                                Ok(n) => {
                                    buffer.truncate(n);
                                    hasher.update(&buffer);
                                    Some((Ok(Bytes::from(buffer)), State::File(file, sent + n as u64, hasher)))
                                }
                                Err(e) => Some((Err(e), State::Done)),
                            }
                        }
                        State::Tail | State::Done => None,
                    }
                }
            });
            reqwest::Body::wrap_stream(stream)
        }
    }
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
        let upload = Upload {
            filename: "logo.png".into(),
            source: Source::Memory(Bytes::from_static(b"PNG")),
            meta: None,
            media_type: None,
        };
        let m = render(&upload, "abc", 3, "B".into()).unwrap();
        let mut body = m.head.to_vec();
        body.extend_from_slice(b"PNG");
        body.extend_from_slice(&m.tail);
        let text = String::from_utf8(body).unwrap();
        assert_eq!(
            text,
            "--B\r\nContent-Disposition: form-data; name=\"meta\";\r\nContent-Type: application/json\r\n\r\n\
             {\"filename\":\"logo.png\",\"sha256\":\"abc\"}\r\n--B\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"logo.png\";\r\nContent-Type: image/png\r\n\r\n\
             PNG\r\n--B--\r\n"
        );
        assert_eq!(m.body_length(), text.len() as u64);
    }

    #[test]
    fn refuses_file_names_that_would_break_the_header() {
        let upload = Upload {
            filename: "a\".png".into(),
            source: Source::Memory(Bytes::new()),
            meta: None,
            media_type: None,
        };
        assert!(render(&upload, "x", 0, "B".into()).is_err());
    }
}
