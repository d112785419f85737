//! X.509 platform (and merchant) certificates: serial number, validity, public key.

use std::fmt;

use der::{DecodePem as _, Encode as _};
use x509_cert::Certificate as X509;

use super::keys::{RsaPublicKey, pem_label};
use crate::error::{Error, Result};

/// A parsed X.509 certificate holding an RSA public key.
///
/// ```
/// let pem = std::fs::read_to_string("src/mock/keys/platform_cert.pem")?;
/// let cert = wechatpay::Certificate::from_pem(&pem)?;
/// assert_eq!(cert.serial(), "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
/// assert!(cert.is_valid_at(1_735_689_600)); // 2025-01-01
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Certificate {
    serial: String,
    not_before: i64,
    not_after: i64,
    public_key: RsaPublicKey,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("serial", &self.serial)
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish()
    }
}

impl Certificate {
    /// Parses one PEM `CERTIFICATE` block.
    pub fn from_pem(pem: &str) -> Result<Self> {
        Self::parse("certificate", pem)
    }

    pub(crate) fn parse(what: &'static str, pem: &str) -> Result<Self> {
        match pem_label(pem) {
            Some("CERTIFICATE") => {}
            Some(other) => {
                return Err(Error::key(
                    what,
                    format!("expected a CERTIFICATE PEM block, found {other}"),
                ));
            }
            None => return Err(Error::key(what, "no PEM block found")),
        }
        let cert =
            X509::from_pem(pem.trim().as_bytes()).map_err(|_| Error::key(what, "not a valid X.509 certificate"))?;
        let tbs = cert.tbs_certificate();
        let serial = serial_hex(tbs.serial_number().as_bytes());
        let validity = tbs.validity();
        let not_before = validity.not_before.to_unix_duration().as_secs() as i64;
        let not_after = validity.not_after.to_unix_duration().as_secs() as i64;
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|_| Error::key(what, "cannot re-encode the subject public key"))?;
        let public_key = RsaPublicKey::from_spki_der(what, &spki)?;
        Ok(Self {
            serial,
            not_before,
            not_after,
            public_key,
        })
    }

    /// The serial number as upper-case hex without leading zeros, as WeChat Pay prints it.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Whether `serial` names this certificate: the same hex number, compared without case
    /// or leading zeros (the rule [`ClientBuilder`](crate::ClientBuilder) applies to a
    /// merchant serial given beside the merchant certificate).
    ///
    /// ```
    /// let pem = std::fs::read_to_string("src/mock/keys/platform_cert.pem")?;
    /// let cert = wechatpay::Certificate::from_pem(&pem)?;
    /// assert!(cert.has_serial("005157f09efdc096de15ebe81a47057a7232f1b8e1"));
    /// assert!(!cert.has_serial("5157F09EFDC096DE15EBE81A47057A7232F1B8E"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn has_serial(&self, serial: &str) -> bool {
        !serial.is_empty()
            && serial.bytes().all(|b| b.is_ascii_hexdigit())
            && serial
                .trim_start_matches('0')
                .eq_ignore_ascii_case(self.serial.trim_start_matches('0'))
    }

    /// Start of validity, Unix seconds.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }

    /// End of validity, Unix seconds.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// Whether `unix_seconds` lies within the validity period.
    pub fn is_valid_at(&self, unix_seconds: i64) -> bool {
        self.not_before <= unix_seconds && unix_seconds <= self.not_after
    }

    /// The size of the certificate's RSA key, in bits.
    pub fn key_bits(&self) -> usize {
        self.public_key.bits()
    }

    pub(crate) fn public_key(&self) -> &RsaPublicKey {
        &self.public_key
    }
}

/// Checks that `pem` holds one or more X.509 certificates (PEM `CERTIFICATE` blocks, any
/// text between them ignored, as in a CA bundle), whatever their key type; returns how many.
pub(crate) fn check_certificate_bundle(what: &'static str, pem: &str) -> Result<usize> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut count = 0;
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let Some(length) = rest[start..].find(END) else {
            return Err(Error::key(what, "a CERTIFICATE block has no END line"));
        };
        let end = start + length + END.len();
        X509::from_pem(&rest.as_bytes()[start..end]).map_err(|_| {
            Error::key(
                what,
                format!("certificate {} is not a valid X.509 certificate", count + 1),
            )
        })?;
        count += 1;
        rest = &rest[end..];
    }
    if count == 0 {
        return Err(Error::key(what, "no CERTIFICATE PEM block found"));
    }
    Ok(count)
}

/// Upper-case hex of a big-endian serial, without leading zero digits ("0" for zero).
fn serial_hex(bytes: &[u8]) -> String {
    let hex = super::hex_lower(bytes).to_ascii_uppercase();
    let trimmed = hex.trim_start_matches('0');
    if trimmed.is_empty() { "0".into() } else { trimmed.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_serial_and_validity_of_the_mock_platform_certificate() {
        let cert = Certificate::from_pem(include_str!("../mock/keys/platform_cert.pem")).unwrap();
        assert_eq!(cert.serial(), "5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
        assert_eq!(cert.not_before(), 1_704_067_200); // 2024-01-01T00:00:00Z
        assert_eq!(cert.not_after(), 2_335_219_200); // 2044-01-01T00:00:00Z
        assert!(!cert.is_valid_at(1_704_067_199));
    }

    #[test]
    fn certificate_bundles_are_counted_and_garbage_is_refused() {
        let ca = include_str!("../mock/keys/sandbox_ca.pem");
        let platform = include_str!("../mock/keys/platform_cert.pem");
        assert_eq!(check_certificate_bundle("CA", ca).unwrap(), 1);
        let bundle = format!("# two of them\n{ca}\nissuer text\n{platform}");
        assert_eq!(check_certificate_bundle("CA", &bundle).unwrap(), 2);
        for bad in [
            "",
            "not a certificate",
            include_str!("../mock/keys/merchant_key.pem"),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nAAAA\n",
        ] {
            assert!(check_certificate_bundle("CA", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn serial_hex_drops_leading_zeros() {
        assert_eq!(serial_hex(&[0x00, 0x0A, 0xBC]), "ABC");
        assert_eq!(serial_hex(&[0x00]), "0");
    }

    #[test]
    fn a_public_key_is_not_a_certificate() {
        let err = Certificate::from_pem(include_str!("../mock/keys/platform_public_key.pem"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("found PUBLIC KEY"), "{err}");
    }
}
