//! Sensitive fields: RSA-OAEP (SHA-1, MGF1-SHA-1) encryption with a platform key, and
//! decryption of fields the platform encrypted to the merchant key (PROTOCOL.md section 7).

use serde_json::Value;

use crate::client::Client;
use crate::crypto::{base64_decode, base64_encode};
use crate::error::{Error, Result};

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

impl Client {
    /// Encrypts a sensitive field (a name, ID number, bank account, phone number) with the
    /// platform key the client prefers (the one it names in `Wechatpay-Serial`).
    ///
    /// ```no_run
    /// # async fn f(client: wechatpay::Client) -> wechatpay::Result<()> {
    /// use serde_json::json;
    /// let name = client.encrypt("张三")?;
    /// client
    ///     .chain("v3/profitsharing/receivers/add")
    ///     .post(json!({"type": "PERSONAL_OPENID", "account": "o-MYE42l80oelYMDE34nYD456Xoy", "name": &name}))
    ///     .with_encrypted(&name)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn encrypt(&self, plaintext: &str) -> Result<Encrypted> {
        let keys = self.inner.keys.current();
        let (serial, key) = keys.preferred_at(self.now()).ok_or_else(|| Error::SensitiveField {
            reason: "no platform key to encrypt with (configure one, or load the certificates first)".into(),
        })?;
        Ok(Encrypted {
            ciphertext: base64_encode(&key.encrypt_oaep_sha1(plaintext.as_bytes())?),
            serial: serial.to_owned(),
        })
    }

    /// Decrypts a sensitive field the platform encrypted to the merchant key (Base64
    /// RSA-OAEP SHA-1), such as the names in a complaint or a transfer answer.
    pub fn decrypt(&self, ciphertext: &str) -> Result<String> {
        let bytes = base64_decode(ciphertext).ok_or(Error::Decryption {
            what: "the ciphertext is not valid Base64",
        })?;
        let plaintext = self.inner.signer.key().decrypt_oaep_sha1(&bytes)?;
        String::from_utf8(plaintext).map_err(|_| Error::Decryption {
            what: "the decrypted field is not UTF-8 text",
        })
    }
}

/// Encrypts the strings at `pointers` in `body` with one platform key; returns its id.
pub(crate) fn encrypt_fields(client: &Client, body: &mut Value, pointers: &[String]) -> Result<String> {
    let keys = client.inner.keys.current();
    let (serial, key) = keys.preferred_at(client.now()).ok_or_else(|| Error::SensitiveField {
        reason: "no platform key to encrypt with".into(),
    })?;
    for pointer in pointers {
        let field = body.pointer_mut(pointer).ok_or_else(|| Error::SensitiveField {
            reason: format!("the body has no field at {pointer:?}"),
        })?;
        let Value::String(text) = field else {
            return Err(Error::SensitiveField {
                reason: format!("the field at {pointer:?} is not a string"),
            });
        };
        *text = base64_encode(&key.encrypt_oaep_sha1(text.as_bytes())?);
    }
    Ok(serial.to_owned())
}
