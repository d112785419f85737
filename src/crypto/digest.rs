//! Streaming SHA-1 and SHA-256, for download integrity checks and upload metadata, on the
//! selected backend.

use super::backend;

/// An incremental SHA-1 (downloads announce SHA-1 digests; not used for signatures).
pub struct Sha1(backend::Sha1Hasher);

/// An incremental SHA-256.
///
/// ```
/// let mut h = wechatpay::crypto::digest::Sha256::new();
/// h.update(b"");
/// assert_eq!(h.finish_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// ```
pub struct Sha256(backend::Sha256Hasher);

impl Sha1 {
    /// A fresh hasher.
    pub fn new() -> Self {
        Self(backend::Sha1Hasher::new())
    }

    /// Feeds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes)
    }

    /// The digest, lower-case hex.
    pub fn finish_hex(self) -> String {
        super::hex_lower(&self.0.finish())
    }
}

impl Sha256 {
    /// A fresh hasher.
    pub fn new() -> Self {
        Self(backend::Sha256Hasher::new())
    }

    /// Feeds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes)
    }

    /// The digest, lower-case hex.
    pub fn finish_hex(self) -> String {
        super::hex_lower(&self.0.finish())
    }
}

impl std::fmt::Debug for Sha1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sha1")
    }
}

impl std::fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sha256")
    }
}

impl Default for Sha1 {
    fn default() -> Self {
        Self::new()
    }
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers_for_abc_fed_in_pieces() {
        let mut sha1 = Sha1::new();
        let mut sha256 = Sha256::new();
        for piece in [&b"a"[..], b"b", b"c"] {
            sha1.update(piece);
            sha256.update(piece);
        }
        assert_eq!(sha1.finish_hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            sha256.finish_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
