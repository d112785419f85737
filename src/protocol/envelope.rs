//! The encrypted-resource envelope: how the platform sends data encrypted with the
//! merchant's APIv3 key, in a callback's `resource` and in each `encrypt_certificate` of a
//! certificate download. AES-256-GCM; the nonce and the associated data travel as text.

use serde::{Deserialize, Serialize};

use crate::crypto::aes_gcm;
use crate::error::{Error, Result};

/// The only algorithm the platform uses for encrypted resources.
pub const AEAD_AES_256_GCM: &str = "AEAD_AES_256_GCM";

/// An encrypted resource as it appears in the JSON the platform sends.
///
/// ```
/// use wechatpay::protocol::envelope::EncryptedResource;
/// let key = b"0123456789abcdef0123456789abcdef";
/// let sealed = EncryptedResource::seal(key, "a1B2c3D4e5F6", "transaction", b"{\"ok\":1}")?;
/// assert_eq!(sealed.open(key)?, b"{\"ok\":1}");
/// # Ok::<(), wechatpay::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    /// The algorithm: [`AEAD_AES_256_GCM`].
    pub algorithm: String,
    /// What the plaintext is (`transaction`, `refund`, ...), in callbacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_type: Option<String>,
    /// Base64 of the encrypted bytes followed by the 16-byte tag.
    pub ciphertext: String,
    /// The associated data, as text (may be empty; absent or `null` reads as empty).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub associated_data: String,
    /// The nonce, as text (12 characters).
    pub nonce: String,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

impl EncryptedResource {
    /// Encrypts `plaintext` under the APIv3 key, as the platform does.
    pub fn seal(apiv3_key: &[u8], nonce: &str, associated_data: &str, plaintext: &[u8]) -> Result<Self> {
        Ok(Self {
            algorithm: AEAD_AES_256_GCM.to_owned(),
            original_type: None,
            ciphertext: aes_gcm::encrypt(apiv3_key, nonce.as_bytes(), associated_data.as_bytes(), plaintext)?,
            associated_data: associated_data.to_owned(),
            nonce: nonce.to_owned(),
        })
    }

    /// Whether the algorithm is the one this crate decrypts ([`AEAD_AES_256_GCM`]).
    pub fn is_supported(&self) -> bool {
        self.algorithm == AEAD_AES_256_GCM
    }

    /// Decrypts and authenticates the resource with the APIv3 key.
    ///
    /// # Errors
    ///
    /// [`Error::Decryption`] for another algorithm (check [`Self::is_supported`] first to
    /// say so in your own words), or when the tag does not authenticate.
    pub fn open(&self, apiv3_key: &[u8]) -> Result<Vec<u8>> {
        if !self.is_supported() {
            return Err(Error::Decryption {
                what: "unsupported algorithm (expected AEAD_AES_256_GCM)",
            });
        }
        aes_gcm::decrypt(
            apiv3_key,
            self.nonce.as_bytes(),
            self.associated_data.as_bytes(),
            &self.ciphertext,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn reads_the_platform_json_with_or_without_associated_data() {
        let sealed = EncryptedResource::seal(KEY, "a1B2c3D4e5F6", "", b"x").unwrap();
        let json = format!(
            r#"{{"algorithm":"AEAD_AES_256_GCM","ciphertext":"{}","nonce":"a1B2c3D4e5F6"}}"#,
            sealed.ciphertext
        );
        let parsed: EncryptedResource = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed.open(KEY).unwrap(), b"x");
        let with_null = json.replace(r#""nonce""#, r#""associated_data":null,"nonce""#);
        let parsed: EncryptedResource = serde_json::from_str(&with_null).unwrap();
        assert_eq!(parsed.open(KEY).unwrap(), b"x");
    }

    #[test]
    fn refuses_another_algorithm_and_other_associated_data() {
        let mut sealed = EncryptedResource::seal(KEY, "a1B2c3D4e5F6", "certificate", b"x").unwrap();
        sealed.associated_data = "transaction".into();
        assert!(matches!(sealed.open(KEY), Err(Error::Decryption { .. })));
        sealed.algorithm = "AEAD_SM4_GCM".into();
        assert!(!sealed.is_supported());
        assert!(matches!(sealed.open(KEY), Err(Error::Decryption { .. })));
    }
}
