//! The upload part of a request: the file and the caller's meta fields, hashed before the
//! request is signed (the meta part carries the SHA-256) and framed as multipart.

use serde_json::Value;

use crate::error::{Error, RequestError, Result};
use crate::protocol::multipart;
use crate::wire::{Content, Multipart};

/// In-memory uploads larger than this are hashed on tokio's blocking pool (256 KiB hash in
/// about 0.13 ms; 2 MiB in about 1 ms, too long to hold an executor thread).
const INLINE_HASH_LIMIT: usize = 256 * 1024;

/// A file to upload and the caller's additions to its `meta` part.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub(crate) filename: String,
    pub(crate) content: Content,
    pub(crate) meta: Option<Value>,
    pub(crate) media_type: Option<String>,
}

/// The SHA-256 (hex) and length of an upload's content.
#[derive(Debug, Clone)]
pub(crate) struct ContentDigest {
    pub(crate) sha256: String,
    pub(crate) length: u64,
}

impl Upload {
    /// Hashes the content: in memory (off the executor when large), or a file read in chunks.
    pub(crate) async fn digest(&self) -> Result<ContentDigest> {
        match &self.content {
            Content::Memory(content) if content.len() <= INLINE_HASH_LIMIT => Ok(ContentDigest {
                sha256: crate::crypto::sha256_hex(content),
                length: content.len() as u64,
            }),
            Content::Memory(content) => {
                // Hashing megabytes takes milliseconds: off the executor, so other tasks run.
                let content = content.clone();
                let length = content.len() as u64;
                let sha256 = tokio::task::spawn_blocking(move || crate::crypto::sha256_hex(&content))
                    .await
                    .map_err(|_| Error::Crypto("hashing the upload failed"))?;
                Ok(ContentDigest { sha256, length })
            }
            Content::File(path) => {
                use tokio::io::AsyncReadExt as _;
                let mut file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| RequestError::InvalidUpload {
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
                Ok(ContentDigest {
                    sha256: hasher.finish_hex(),
                    length,
                })
            }
        }
    }

    /// The multipart body: meta `{"filename","sha256"}` plus the caller's fields, then the
    /// file with its media type (the caller's, or the file name's).
    pub(crate) fn render(&self, digest: &ContentDigest) -> Result<Multipart> {
        let meta = multipart::meta_json(&self.filename, &digest.sha256, self.meta.as_ref())?;
        let media_type = self
            .media_type
            .as_deref()
            .unwrap_or_else(|| multipart::media_type_of(&self.filename));
        let boundary = format!("wechatpay-rust-{}", crate::auth::signing::nonce()?);
        let frame = multipart::frame(&boundary, &meta, &self.filename, media_type)?;
        Ok(Multipart {
            meta,
            frame,
            content: self.content.clone(),
            length: digest.length,
            sha256: digest.sha256.clone(),
        })
    }
}
