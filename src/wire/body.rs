//! An upload's body on the wire: the multipart frame around the file's content, streamed
//! from memory or from disk, the file hashed again as it goes.

use std::path::PathBuf;

use bytes::Bytes;
use tokio::io::AsyncReadExt as _;

use crate::crypto::digest::Sha256;
use crate::protocol::multipart::Frame;

/// Where the file part's content comes from. `Debug` shows the size, not the content.
#[derive(Clone)]
pub(crate) enum Content {
    /// Content already in memory.
    Memory(Bytes),
    /// A file streamed from disk (read twice: once to hash it, once to send it).
    File(PathBuf),
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Content::Memory(content) => write!(f, "Memory({} bytes)", content.len()),
            Content::File(path) => f.debug_tuple("File").field(path).finish(),
        }
    }
}

/// A rendered upload: the signed meta text, the frame around the content, the content.
#[derive(Debug, Clone)]
pub(crate) struct Multipart {
    /// The `meta` part's text, which the signature covers.
    pub(crate) meta: Bytes,
    pub(crate) frame: Frame,
    pub(crate) content: Content,
    /// The content's length and SHA-256 (hex), as signed in the meta part.
    pub(crate) length: u64,
    pub(crate) sha256: String,
}

impl Multipart {
    /// The total body length (head, content, tail).
    pub(crate) fn body_length(&self) -> u64 {
        self.frame.head.len() as u64 + self.length + self.frame.tail.len() as u64
    }

    /// The body as a stream: in memory, or read from the file, which must not have changed
    /// since its digest was signed.
    pub(crate) fn stream(&self) -> reqwest::Body {
        match &self.content {
            Content::Memory(content) => {
                // Reference-counted pieces: nothing is copied, however many attempts.
                let pieces = [self.frame.head.clone(), content.clone(), self.frame.tail.clone()];
                reqwest::Body::wrap_stream(futures_util::stream::iter(pieces.map(Ok::<_, std::io::Error>)))
            }
            Content::File(path) => reqwest::Body::wrap_stream(file_stream(
                self.frame.head.clone(),
                self.frame.tail.clone(),
                path.clone(),
                self.length,
                self.sha256.clone(),
            )),
        }
    }
}

/// Where a file upload's stream stands.
enum State {
    Head,
    File(tokio::fs::File, u64, Box<Sha256>),
    Tail,
    Done,
}

/// The head, the file in 64 KiB chunks, the tail. The file is hashed again as it is sent: if
/// it changed since its meta was signed, the body is cut short (the platform then refuses
/// it) instead of sending content that does not match the signed sha256.
fn file_stream(
    head: Bytes,
    tail: Bytes,
    path: PathBuf,
    expected_length: u64,
    expected_sha256: String,
) -> impl futures_util::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let changed = || Err(std::io::Error::other("the file changed while it was uploaded"));
    futures_util::stream::unfold(State::Head, move |state| {
        let (head, tail, path, expected_sha256) = (head.clone(), tail.clone(), path.clone(), expected_sha256.clone());
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
                            if sent == expected_length && hasher.finish_hex() == expected_sha256 {
                                Some((Ok(tail), State::Tail))
                            } else {
                                Some((changed(), State::Done))
                            }
                        }
                        Ok(n) if sent + n as u64 > expected_length => Some((changed(), State::Done)),
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
    })
}
