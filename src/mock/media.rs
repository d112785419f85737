//! The mock's file endpoints: multipart uploads checked like the platform checks them, and
//! downloads of generated content of any size, streamed.

use bytes::Bytes;
use serde_json::Value;

use crate::protocol::downloads::Hasher;

/// An upload the mock received: the parts of its multipart body.
#[derive(Debug, Clone)]
pub struct MockUpload {
    /// The `meta` part's text, exactly as received (what the signature covers).
    pub meta_text: Bytes,
    /// The `meta` part parsed.
    pub meta: Value,
    /// The `file` part's file name.
    pub filename: String,
    /// The `file` part's media type.
    pub media_type: String,
    /// The file's content.
    pub content: Bytes,
}

impl MockUpload {
    /// Reads an upload's parts as the platform does: the meta part must be JSON.
    pub(crate) fn parse(content_type: &str, body: &Bytes) -> Result<MockUpload, &'static str> {
        let parts = crate::protocol::multipart::parse(content_type, body)?;
        let meta = serde_json::from_slice(&parts.meta_text).map_err(|_| "meta is not JSON")?;
        Ok(MockUpload {
            meta_text: parts.meta_text,
            meta,
            filename: parts.filename,
            media_type: parts.media_type,
            content: parts.content,
        })
    }
}

/// Size of the blocks generated content is made of.
const BLOCK: usize = 64 * 1024;

/// A file the mock serves: generated content of any size (streamed, never held whole), or
/// given bytes (gzip-compressed if asked).
#[derive(Debug, Clone)]
pub struct MockFile {
    content: Content,
    corrupt_at: Option<u64>,
}

#[derive(Debug, Clone)]
enum Content {
    Generated(u64),
    Bytes(Bytes),
}

impl MockFile {
    /// `size` bytes of bill-like CSV lines, the same for the same size.
    pub fn generated(size: u64) -> MockFile {
        MockFile {
            content: Content::Generated(size),
            corrupt_at: None,
        }
    }

    /// These bytes.
    pub fn bytes(content: impl Into<Bytes>) -> MockFile {
        MockFile {
            content: Content::Bytes(content.into()),
            corrupt_at: None,
        }
    }

    /// These bytes, gzip-compressed (a bill asked for with `tar_type=GZIP`); the digests are
    /// those of the compressed file.
    pub fn gzip(content: &[u8]) -> MockFile {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(content).expect("writing to memory cannot fail");
        MockFile::bytes(encoder.finish().expect("writing to memory cannot fail"))
    }

    /// Serves the file with the byte at `offset` altered, while its announced digests stay
    /// those of the intact file (a corrupted transfer).
    pub fn corrupt_byte(mut self, offset: u64) -> MockFile {
        self.corrupt_at = Some(offset);
        self
    }

    /// The file's length.
    pub fn len(&self) -> u64 {
        match &self.content {
            Content::Generated(size) => *size,
            Content::Bytes(b) => b.len() as u64,
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// SHA-1 and SHA-256 (hex) of the intact file.
    pub fn digests(&self) -> (String, String) {
        let mut hasher = Hasher::default();
        let mut offset = 0;
        while let Some(chunk) = self.intact_chunk(offset) {
            hasher.update(&chunk);
            offset += chunk.len() as u64;
        }
        let digests = hasher.finish();
        (digests.sha1, digests.sha256)
    }

    /// The chunk served at `offset` (with any corruption), or `None` at the end.
    pub(crate) fn chunk(&self, offset: u64) -> Option<Bytes> {
        let chunk = self.intact_chunk(offset)?;
        match self.corrupt_at {
            Some(at) if (offset..offset + chunk.len() as u64).contains(&at) => {
                let mut altered = chunk.to_vec();
                altered[(at - offset) as usize] ^= 0x20;
                Some(Bytes::from(altered))
            }
            _ => Some(chunk),
        }
    }

    fn intact_chunk(&self, offset: u64) -> Option<Bytes> {
        if offset >= self.len() {
            return None;
        }
        match &self.content {
            Content::Bytes(bytes) => {
                let start = offset as usize;
                Some(bytes.slice(start..(start + BLOCK).min(bytes.len())))
            }
            Content::Generated(size) => {
                let index = offset / BLOCK as u64;
                let length = (size - offset).min(BLOCK as u64) as usize;
                let mut block = template_block().to_vec();
                let stamp = format!("{index:015}");
                block[..stamp.len()].copy_from_slice(stamp.as_bytes());
                block.truncate(length);
                Some(Bytes::from(block))
            }
        }
    }
}

/// One block of bill-like lines, built once.
fn template_block() -> &'static [u8] {
    static BLOCK_TEMPLATE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BLOCK_TEMPLATE.get_or_init(|| {
        let line = "`2026-11-25 10:00:00,`wx8888888888888888,`1900000001,`0,`,`4200000000000000000000000000,\
                    `ORDER0000000000000001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`SUCCESS,`OTHERS,`CNY,`0.01\n";
        line.bytes().cycle().take(BLOCK).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_content_is_deterministic_and_blocks_differ() {
        let file = MockFile::generated(3 * BLOCK as u64 + 10);
        assert_eq!(file.digests(), MockFile::generated(3 * BLOCK as u64 + 10).digests());
        assert_ne!(file.chunk(0), file.chunk(BLOCK as u64));
        assert_eq!(file.chunk(3 * BLOCK as u64).unwrap().len(), 10);
        assert!(file.chunk(3 * BLOCK as u64 + 10).is_none());
    }

    #[test]
    fn corruption_changes_one_byte_but_not_the_announced_digest() {
        let intact = MockFile::generated(1000);
        let corrupt = intact.clone().corrupt_byte(500);
        assert_eq!(intact.digests(), corrupt.digests());
        let (a, b) = (intact.chunk(0).unwrap(), corrupt.chunk(0).unwrap());
        assert_eq!(a.iter().zip(b.iter()).filter(|(x, y)| x != y).count(), 1);
    }
}
