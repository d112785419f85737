//! Signing a request: the five-line message `METHOD\nTARGET\nTIMESTAMP\nNONCE\nBODY\n`, its
//! RSA signature, and the `Authorization` header that carries it.

pub use crate::crypto::nonce;
use crate::crypto::{RsaPrivateKey, base64_encode};
use crate::error::{Error, Result};
pub use crate::protocol::SCHEME;
use crate::text::sanitize;

pub use crate::crypto::NONCE_LEN;

/// The message a request signature covers: five lines, each ended by `\n`.
///
/// ```
/// let m = wechatpay::auth::signing::message("GET", "/v3/certificates", 1554208460,
///     "593BEC0C930BF1AFEB40B4A08C8FB242", b"");
/// assert_eq!(m, b"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n");
/// ```
pub fn message(method: &str, target: &str, timestamp: i64, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(method.len() + target.len() + nonce.len() + body.len() + 24);
    m.extend_from_slice(method.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(target.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(timestamp.to_string().as_bytes());
    m.push(b'\n');
    m.extend_from_slice(nonce.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(body);
    m.push(b'\n');
    m
}

/// The `Authorization` header value, fields in a fixed order.
///
/// ```
/// let h = wechatpay::auth::signing::authorization("1900000001", "ABC", "n", 1, "c2ln")?;
/// assert_eq!(h, r#"WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="n",signature="c2ln",timestamp="1",serial_no="ABC""#);
/// // A value that would add or change a field is refused.
/// assert!(wechatpay::auth::signing::authorization("1900000001", "ABC", "n\",mchid=\"2", 1, "c2ln").is_err());
/// # Ok::<(), wechatpay::Error>(())
/// ```
///
/// # Errors
///
/// A merchant id that is not decimal digits, a serial that is not hex, or a nonce or
/// signature that is empty or holds anything but printable ASCII other than `"`, `\` and `,`.
pub fn authorization(mchid: &str, serial_no: &str, nonce: &str, timestamp: i64, signature: &str) -> Result<String> {
    check_mchid(mchid)?;
    check_serial(serial_no)?;
    check_field("nonce_str", nonce)?;
    check_field("signature", signature)?;
    Ok(format!(
        r#"{SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",timestamp="{timestamp}",serial_no="{serial_no}""#
    ))
}

/// A quoted field of the `Authorization` header: printable ASCII that cannot close the
/// quotes or start another field.
fn check_field(name: &str, value: &str) -> Result<()> {
    let fits = |b: u8| b.is_ascii_graphic() && !matches!(b, b'"' | b'\\' | b',');
    if value.is_empty() || !value.bytes().all(fits) {
        return Err(Error::config(format!(
            "the Authorization field {name} must be printable ASCII without quotes, backslashes or commas, got {:?}",
            sanitize(value)
        )));
    }
    Ok(())
}

/// Checks a merchant id: decimal digits, as the platform issues them.
///
/// ```
/// use wechatpay::auth::signing::check_mchid;
/// assert!(check_mchid("1900000001").is_ok());
/// assert!(check_mchid("19000000O1").is_err());
/// ```
pub fn check_mchid(mchid: &str) -> Result<()> {
    if mchid.is_empty() || !mchid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::config(format!(
            "mchid must be decimal digits, got {:?}",
            sanitize(mchid)
        )));
    }
    Ok(())
}

/// Checks a merchant API certificate serial: hex digits.
///
/// ```
/// use wechatpay::auth::signing::check_serial;
/// assert!(check_serial("3775B6A45ACD588826D15E583A95F5DD00000000").is_ok());
/// assert!(check_serial("3775B6A4-5ACD").is_err());
/// ```
pub fn check_serial(serial: &str) -> Result<()> {
    if serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::config(format!(
            "merchant_serial must be the hex serial of the merchant API certificate, got {:?}",
            sanitize(serial)
        )));
    }
    Ok(())
}

/// The merchant's signing identity: merchant id, API certificate serial and private key.
///
/// ```
/// use wechatpay::auth::signing::Signer;
/// let pem = std::fs::read_to_string("src/mock/keys/merchant_key.pem")?;
/// let signer = Signer::new("1900000001", "3775B6A45ACD588826D15E583A95F5DD00000000", &pem)?;
/// let header = signer.authorize_with("GET", "/v3/certificates", b"", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242")?;
/// assert!(header.starts_with("WECHATPAY2-SHA256-RSA2048 mchid=\"1900000001\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Signer {
    mchid: String,
    serial: String,
    key: RsaPrivateKey,
}

impl Signer {
    /// Builds a signer from the merchant id (decimal digits), the merchant API certificate
    /// serial (hex) and the PEM private key (PKCS#1 or PKCS#8).
    pub fn new(mchid: &str, serial: &str, private_key_pem: &str) -> Result<Self> {
        check_mchid(mchid)?;
        check_serial(serial)?;
        Ok(Self::from_parts(
            mchid.into(),
            serial.into(),
            RsaPrivateKey::from_pem(private_key_pem)?,
        ))
    }

    pub(crate) fn from_parts(mchid: String, serial: String, key: RsaPrivateKey) -> Self {
        Self { mchid, serial, key }
    }

    /// The merchant id.
    pub fn mchid(&self) -> &str {
        &self.mchid
    }

    /// The merchant API certificate serial.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    pub(crate) fn key(&self) -> &RsaPrivateKey {
        &self.key
    }

    /// Signs with the given timestamp and nonce (deterministic: the basis of known-answer tests).
    pub fn authorize_with(
        &self,
        method: &str,
        target: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> Result<String> {
        let signature = self.sign(&message(method, target, timestamp, nonce, body))?;
        authorization(&self.mchid, &self.serial, nonce, timestamp, &signature)
    }

    /// Base64 RSASSA-PKCS1-v1_5 SHA-256 signature of an arbitrary message with the merchant
    /// key (as used by JSAPI/APP payment parameters).
    pub fn sign(&self, message: &[u8]) -> Result<String> {
        Ok(base64_encode(&self.key.sign_sha256(message)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_use_the_whole_alphabet_and_differ() {
        let a = nonce().unwrap();
        let b = nonce().unwrap();
        assert_ne!(a, b);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..200 {
            seen.extend(nonce().unwrap().bytes());
        }
        assert_eq!(
            seen.len(),
            62,
            "every alphanumeric character should appear in 6400 draws"
        );
    }
}

/// The fields of an `Authorization` header, as parsed by [`parse_authorization`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationFields {
    /// `mchid`
    pub mchid: String,
    /// `serial_no`
    pub serial_no: String,
    /// `nonce_str`
    pub nonce: String,
    /// `timestamp`, as sent
    pub timestamp: String,
    /// `signature`, Base64
    pub signature: String,
}

/// Parses an `Authorization: WECHATPAY2-SHA256-RSA2048 k="v",...` header the way the
/// platform does (fields in any order, each exactly once). Used by the mock server.
///
/// ```
/// use wechatpay::auth::signing::{authorization, parse_authorization};
/// let header = authorization("1900000001", "ABC", "n", 1, "c2ln")?;
/// let fields = parse_authorization(&header).unwrap();
/// assert_eq!((fields.mchid.as_str(), fields.timestamp.as_str()), ("1900000001", "1"));
/// # Ok::<(), wechatpay::Error>(())
/// ```
pub fn parse_authorization(header: &str) -> std::result::Result<AuthorizationFields, &'static str> {
    let rest = header
        .strip_prefix(SCHEME)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or("the scheme is not WECHATPAY2-SHA256-RSA2048")?;
    let (mut mchid, mut serial_no, mut nonce, mut timestamp, mut signature) = (None, None, None, None, None);
    for field in rest.split(',') {
        let (key, value) = field.trim().split_once('=').ok_or("a field is not key=\"value\"")?;
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .filter(|v| !v.contains('"'))
            .ok_or("a field value is not quoted")?;
        let slot = match key {
            "mchid" => &mut mchid,
            "serial_no" => &mut serial_no,
            "nonce_str" => &mut nonce,
            "timestamp" => &mut timestamp,
            "signature" => &mut signature,
            _ => return Err("unknown field"),
        };
        if slot.replace(value.to_owned()).is_some() {
            return Err("a field appears twice");
        }
    }
    Ok(AuthorizationFields {
        mchid: mchid.ok_or("mchid is missing")?,
        serial_no: serial_no.ok_or("serial_no is missing")?,
        nonce: nonce.ok_or("nonce_str is missing")?,
        timestamp: timestamp.ok_or("timestamp is missing")?,
        signature: signature.ok_or("signature is missing")?,
    })
}
