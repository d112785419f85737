//! Sensitive fields: RSA-OAEP (SHA-1, MGF1-SHA-1) encryption with a platform key, and
//! decryption of fields the platform encrypted to the merchant key. A request carrying an
//! encrypted field must name the key that encrypted it in `Wechatpay-Serial`.

use serde_json::Value;

use crate::auth::PlatformKeys;
use crate::crypto::{RsaPrivateKey, RsaPublicKey};
use crate::error::{Error, RequestError, Result};

/// A field encrypted with a platform key: the Base64 ciphertext and the key's id, which the
/// request must name in `Wechatpay-Serial` (pass it to
/// [`RequestBuilder::with_encrypted`](crate::RequestBuilder::with_encrypted), or let
/// [`RequestBuilder::encrypt`](crate::RequestBuilder::encrypt) do both at once).
#[derive(Clone, PartialEq, Eq)]
pub struct Encrypted {
    ciphertext: String,
    serial: String,
}

impl std::fmt::Debug for Encrypted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encrypted")
            .field("serial", &self.serial)
            .finish_non_exhaustive()
    }
}

impl Encrypted {
    /// The Base64 ciphertext, to put in the request body.
    pub fn ciphertext(&self) -> &str {
        &self.ciphertext
    }

    /// The platform public key id or certificate serial that encrypted it.
    pub fn serial(&self) -> &str {
        &self.serial
    }
}

/// Serialises as the Base64 ciphertext, so `json!({"name": &encrypted})` puts it in a body.
impl serde::Serialize for Encrypted {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.ciphertext)
    }
}

impl From<Encrypted> for Value {
    fn from(e: Encrypted) -> Value {
        Value::String(e.ciphertext)
    }
}

impl From<&Encrypted> for Value {
    fn from(e: &Encrypted) -> Value {
        Value::String(e.ciphertext.clone())
    }
}

fn refused(reason: impl Into<String>) -> Error {
    RequestError::SensitiveField { reason: reason.into() }.into()
}

/// The platform key sensitive fields are encrypted with at `now`: the one the client names
/// in `Wechatpay-Serial`.
fn preferred(keys: &PlatformKeys, now: i64) -> Result<(&str, &RsaPublicKey)> {
    keys.preferred_at(now)
        .ok_or_else(|| refused("no platform key to encrypt with (configure one, or load the certificates first)"))
}

/// Encrypts one field with the preferred platform key.
pub(crate) fn encrypt(keys: &PlatformKeys, now: i64, plaintext: &str) -> Result<Encrypted> {
    let (serial, key) = preferred(keys, now)?;
    Ok(Encrypted {
        ciphertext: key.encrypt_field(plaintext)?,
        serial: serial.to_owned(),
    })
}

/// Encrypts the strings at `pointers` (RFC 6901) of `body` with one platform key; returns
/// its id.
pub(crate) fn encrypt_fields(keys: &PlatformKeys, now: i64, body: &mut Value, pointers: &[String]) -> Result<String> {
    let (serial, key) = preferred(keys, now)?;
    for pointer in pointers {
        let field = body
            .pointer_mut(pointer)
            .ok_or_else(|| refused(format!("the body has no field at {pointer:?}")))?;
        let Value::String(text) = field else {
            return Err(refused(format!("the field at {pointer:?} is not a string")));
        };
        *text = key.encrypt_field(text)?;
    }
    Ok(serial.to_owned())
}

/// Decrypts a field the platform encrypted to the merchant key (Base64 RSA-OAEP SHA-1).
pub(crate) fn decrypt(key: &RsaPrivateKey, ciphertext: &str) -> Result<String> {
    key.decrypt_field(ciphertext)
}
