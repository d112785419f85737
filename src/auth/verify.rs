//! Verifying a signed answer, response or callback: four `Wechatpay-*` headers, a
//! replay window, a trusted key, an RSA signature over `TIMESTAMP\nNONCE\nBODY\n`.

use http::HeaderMap;

use super::PlatformKeys;
use crate::crypto::base64_decode;
use crate::error::{Result, VerificationError};
pub use crate::protocol::MAX_SKEW_SECONDS;
pub use crate::protocol::headers::{NONCE, SERIAL, SIGNATURE, SIGNATURE_TYPE, TIMESTAMP};
use crate::text::sanitize;

/// The message an answer's signature covers: `TIMESTAMP\nNONCE\nBODY\n`.
///
/// ```
/// assert_eq!(wechatpay::auth::verify::message("1", "n", b"{}"), b"1\nn\n{}\n");
/// ```
pub fn message(timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    m.extend_from_slice(timestamp.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(nonce.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(body);
    m.push(b'\n');
    m
}

/// Verifies the `Wechatpay-*` signature of an answer over its exact body bytes, at local
/// time `now` (Unix seconds), against the trusted `keys`. Returns the id of the key that
/// verified it.
///
/// The checks, in order: all four headers present exactly once and ASCII; the timestamp is
/// decimal digits within [`MAX_SKEW_SECONDS`] of `now`; the serial names a trusted key; the
/// signature is valid Base64 and verifies. A `WECHATPAY/SIGNTEST/` probe fails the last check.
pub fn verify(headers: &HeaderMap, body: &[u8], now: i64, keys: &PlatformKeys) -> Result<String> {
    let timestamp = single_header(headers, TIMESTAMP)?;
    let nonce = single_header(headers, NONCE)?;
    let signature = single_header(headers, SIGNATURE)?;
    let serial = single_header(headers, SERIAL)?;
    if let Some(kind) = optional_header(headers, SIGNATURE_TYPE)?
        && kind != crate::protocol::SCHEME
    {
        return Err(VerificationError::MalformedHeader {
            header: SIGNATURE_TYPE,
            reason: "unsupported signature type (only WECHATPAY2-SHA256-RSA2048 is supported)",
        }
        .into());
    }
    let signed_at = parse_timestamp(timestamp)?;
    let skew = now.saturating_sub(signed_at);
    if skew.saturating_abs() > MAX_SKEW_SECONDS {
        return Err(VerificationError::ClockSkew {
            skew_seconds: skew,
            allowed_seconds: MAX_SKEW_SECONDS,
        }
        .into());
    }
    let (key_id, key) = keys
        .find_at(serial, now)
        .ok_or_else(|| VerificationError::UnknownPlatformKey {
            serial: sanitize(serial),
        })?;
    let bad_signature = || VerificationError::BadSignature {
        key_id: key_id.to_owned(),
    };
    let signature = base64_decode(signature).ok_or_else(bad_signature)?;
    if !key.verify_sha256(&message(timestamp, nonce, body), &signature) {
        return Err(bad_signature().into());
    }
    Ok(key_id.to_owned())
}

/// A Unix timestamp header: 1 to 18 ASCII digits, nothing else.
fn parse_timestamp(text: &str) -> Result<i64> {
    let malformed = |reason| VerificationError::MalformedHeader {
        header: TIMESTAMP,
        reason,
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("not decimal digits").into());
    }
    if text.len() > 18 {
        return Err(malformed("out of range").into());
    }
    Ok(text.parse().map_err(|_| malformed("out of range"))?)
}

/// The one value of a required header, as ASCII text.
pub(crate) fn single_header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str> {
    Ok(optional_header(headers, name)?.ok_or(VerificationError::MissingHeader { header: name })?)
}

fn optional_header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<Option<&'a str>> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let malformed = |reason| VerificationError::MalformedHeader { header: name, reason };
    if values.next().is_some() {
        return Err(malformed("sent more than once").into());
    }
    let text = value.to_str().map_err(|_| malformed("not ASCII text"))?;
    if text.is_empty() {
        return Err(malformed("empty").into());
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RsaPrivateKey;
    use crate::error::Error;
    use http::HeaderValue;

    // The mock's platform public key pair plays the platform here.
    const PLATFORM_PRIVATE: &str = include_str!("../mock/keys/platform_pub_key_private.pem");
    const PLATFORM_PUBLIC: &str = include_str!("../mock/keys/platform_public_key.pem");
    const KEY_ID: &str = "PUB_KEY_ID_0114232134912410000000000000";
    const NOW: i64 = 1_719_128_975;

    fn keys() -> PlatformKeys {
        let mut keys = PlatformKeys::default();
        keys.add_public_key(KEY_ID, PLATFORM_PUBLIC).unwrap();
        keys
    }

    fn signed(body: &[u8], timestamp: i64) -> HeaderMap {
        let key = RsaPrivateKey::from_pem(PLATFORM_PRIVATE).unwrap();
        let ts = timestamp.to_string();
        let sig = crate::crypto::base64_encode(&key.sign_sha256(&message(&ts, "nonce", body)).unwrap());
        let mut h = HeaderMap::new();
        h.insert(TIMESTAMP, ts.parse().unwrap());
        h.insert(NONCE, HeaderValue::from_static("nonce"));
        h.insert(SIGNATURE, sig.parse().unwrap());
        h.insert(SERIAL, HeaderValue::from_static(KEY_ID));
        h
    }

    #[test]
    fn accepts_a_good_signature_and_names_the_key() {
        assert_eq!(verify(&signed(b"{}", NOW), b"{}", NOW, &keys()).unwrap(), KEY_ID);
    }

    #[test]
    fn skew_boundary_is_inclusive_at_300_seconds_both_ways() {
        let k = keys();
        assert!(verify(&signed(b"", NOW - 300), b"", NOW, &k).is_ok());
        assert!(verify(&signed(b"", NOW + 300), b"", NOW, &k).is_ok());
        assert!(matches!(
            verify(&signed(b"", NOW - 301), b"", NOW, &k),
            Err(Error::Verification(VerificationError::ClockSkew {
                skew_seconds: 301,
                ..
            }))
        ));
        assert!(matches!(
            verify(&signed(b"", NOW + 301), b"", NOW, &k),
            Err(Error::Verification(VerificationError::ClockSkew {
                skew_seconds: -301,
                ..
            }))
        ));
    }

    #[test]
    fn rejects_malformed_timestamps() {
        for bad in [
            "-1",
            "+1719128975",
            "1719128975.0",
            " 1719128975",
            "99999999999999999999",
        ] {
            let mut h = signed(b"", NOW);
            h.insert(TIMESTAMP, HeaderValue::from_str(bad).unwrap());
            assert!(
                matches!(
                    verify(&h, b"", NOW, &keys()),
                    Err(Error::Verification(VerificationError::MalformedHeader {
                        header: TIMESTAMP,
                        ..
                    }))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn rejects_duplicated_and_empty_headers() {
        let mut h = signed(b"", NOW);
        h.append(SIGNATURE, HeaderValue::from_static("AAAA"));
        assert!(matches!(
            verify(&h, b"", NOW, &keys()),
            Err(Error::Verification(VerificationError::MalformedHeader {
                header: SIGNATURE,
                ..
            }))
        ));
        let mut h = signed(b"", NOW);
        h.insert(SIGNATURE, HeaderValue::from_static(""));
        assert!(matches!(
            verify(&h, b"", NOW, &keys()),
            Err(Error::Verification(VerificationError::MalformedHeader {
                header: SIGNATURE,
                ..
            }))
        ));
    }

    #[test]
    fn rejects_a_signtest_probe_as_a_bad_signature() {
        let mut h = signed(b"", NOW);
        let real = h.get(SIGNATURE).unwrap().to_str().unwrap().to_owned();
        h.insert(SIGNATURE, format!("WECHATPAY/SIGNTEST/{real}").parse().unwrap());
        assert!(matches!(
            verify(&h, b"", NOW, &keys()),
            Err(Error::Verification(VerificationError::BadSignature { .. }))
        ));
    }

    #[test]
    fn unknown_serial_is_reported_sanitised() {
        let mut h = signed(b"", NOW);
        h.insert(SERIAL, HeaderValue::from_static("PUB_KEY_ID_999 <x>"));
        match verify(&h, b"", NOW, &keys()) {
            Err(Error::Verification(VerificationError::UnknownPlatformKey { serial })) => {
                assert_eq!(serial, "PUB_KEY_ID_999?<x>")
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn rejects_an_unsupported_signature_type() {
        let mut h = signed(b"", NOW);
        h.insert(SIGNATURE_TYPE, HeaderValue::from_static("WECHATPAY2-SM2-WITH-SM3"));
        assert!(matches!(
            verify(&h, b"", NOW, &keys()),
            Err(Error::Verification(VerificationError::MalformedHeader {
                header: SIGNATURE_TYPE,
                ..
            }))
        ));
        h.insert(SIGNATURE_TYPE, HeaderValue::from_static("WECHATPAY2-SHA256-RSA2048"));
        assert!(verify(&h, b"", NOW, &keys()).is_ok());
    }
}
