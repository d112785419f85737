//! The APIv2 key: the 32-character secret shared with the platform, which keys every APIv2
//! signature and (through its MD5) the encryption of refund notifications.

use std::fmt;

use zeroize::{Zeroize as _, Zeroizing};

use super::V2Error;
use crate::crypto::legacy;

/// The length of an APIv2 key, in characters.
pub const API_V2_KEY_LEN: usize = 32;

/// The merchant's APIv2 key: exactly 32 printable ASCII characters (the merchant platform
/// issues 32 letters and digits).
///
/// The bytes are wiped from memory when the value is dropped, and neither `Debug` nor any
/// error ever shows them: an invalid key is reported by its length or the kind of problem
/// only.
///
/// ```
/// use wechatpay::protocol::v2::ApiV2Key;
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// assert_eq!(format!("{key:?}"), "ApiV2Key(<redacted>)");
///
/// let err = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d\n").unwrap_err();
/// assert!(err.to_string().contains("33"));
/// assert!(!err.to_string().contains("1920"));
/// # Ok::<(), wechatpay::protocol::v2::V2Error>(())
/// ```
#[derive(Clone)]
pub struct ApiV2Key(Zeroizing<[u8; API_V2_KEY_LEN]>);

impl ApiV2Key {
    /// Checks and keeps `key`.
    pub fn new(key: &str) -> Result<Self, V2Error> {
        let chars = key.chars().count();
        if chars != API_V2_KEY_LEN || key.len() != API_V2_KEY_LEN {
            return Err(V2Error::InvalidKey(format!(
                "an APIv2 key is {API_V2_KEY_LEN} characters, this one has {chars}"
            )));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(V2Error::InvalidKey(
                "an APIv2 key is printable ASCII, this one holds a space or a control character".to_owned(),
            ));
        }
        let mut bytes = Zeroizing::new([0; API_V2_KEY_LEN]);
        bytes.copy_from_slice(key.as_bytes());
        Ok(Self(bytes))
    }

    /// The key's bytes, for signing.
    pub(super) fn expose(&self) -> &[u8] {
        &self.0[..]
    }

    /// The AES-256 key of refund notifications: the lower-case hex MD5 of the APIv2 key,
    /// its 32 ASCII characters used as the 32 key bytes.
    pub(super) fn refund_key(&self) -> Zeroizing<[u8; 32]> {
        let mut digest = legacy::md5(self.expose());
        let mut hex = Zeroizing::new(legacy::hex_lower(&digest));
        digest.zeroize();
        let mut key = Zeroizing::new([0; 32]);
        key.copy_from_slice(hex.as_bytes());
        hex.zeroize();
        key
    }
}

impl fmt::Debug for ApiV2Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV2Key(<redacted>)")
    }
}

impl std::str::FromStr for ApiV2Key {
    type Err = V2Error;

    /// Same as [`ApiV2Key::new`].
    fn from_str(key: &str) -> Result<Self, V2Error> {
        Self::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

    #[test]
    fn accepts_exactly_32_printable_ascii_characters() {
        assert_eq!(ApiV2Key::new(KEY).unwrap().expose(), KEY.as_bytes());
        assert!(ApiV2Key::new("!~#$%&'()*+,-./0123456789:;<=>?@").is_ok());
        for bad in [
            "",
            &KEY[..31],
            &format!("{KEY}0"),
            &format!(" {}", &KEY[1..]),
            &format!("{}\n", &KEY[..31]),
            &format!("{}\u{e9}", &KEY[..30]),
            &format!("{}中", &KEY[..29]),
        ] {
            assert!(matches!(ApiV2Key::new(bad), Err(V2Error::InvalidKey(_))), "{bad:?}");
        }
    }

    #[test]
    fn the_key_never_shows_in_debug_or_errors() {
        let key: ApiV2Key = KEY.parse().unwrap();
        assert!(!format!("{key:?}").contains(&KEY[..8]));
        let err = ApiV2Key::new(&KEY[..31]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid APIv2 key: an APIv2 key is 32 characters, this one has 31"
        );
        let err = ApiV2Key::new(&format!("{}\u{7}", &KEY[..31])).unwrap_err();
        assert!(!format!("{err} {err:?}").contains(&KEY[..8]));
    }

    #[test]
    fn the_refund_key_is_the_lower_case_hex_md5_of_the_key() {
        // Python: hashlib.md5(b"192006250b4c09247ec02edce69f6a2d").hexdigest()
        let key = ApiV2Key::new(KEY).unwrap();
        assert_eq!(&key.refund_key()[..], b"d96eb16afdd491fa1e705096edbc2205");
    }
}
