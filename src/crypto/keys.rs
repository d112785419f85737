//! RSA keys: loading from PEM (PKCS#1, PKCS#8, SPKI) and the two operations the protocol
//! needs from them, RSASSA-PKCS1-v1_5 with SHA-256 signing and verification.

use std::fmt;

use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::traits::PublicKeyParts as _;
use sha2::Sha256;

use crate::error::{Error, Result};

/// The smallest RSA modulus the platform accepts (and the only size it issues).
const MIN_RSA_BITS: usize = 2048;

/// An RSA private key (the merchant's API key; the mock's platform keys), parsed once. Its `Debug` never shows the
/// key, and the underlying big integers are zeroized on drop by the `rsa` crate.
#[derive(Clone)]
pub(crate) struct RsaPrivateKey {
    key: rsa::PrivateKey,
}

impl fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RsaPrivateKey(<redacted>)")
    }
}

impl RsaPrivateKey {
    /// Parses a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM text
    /// of the merchant private key.
    pub(crate) fn from_pem(pem: &str) -> Result<Self> {
        Self::from_pem_named("merchant private key", pem)
    }

    /// As [`Self::from_pem`], naming the input `what` in errors.
    pub(crate) fn from_pem_named(what: &'static str, pem: &str) -> Result<Self> {
        let key = match pem_label(pem) {
            Some("PRIVATE KEY") => rsa::PrivateKey::from_pkcs8_pem(pem)
                .map_err(|_| Error::key(what, "not a valid PKCS#8 RSA private key"))?,
            Some("RSA PRIVATE KEY") => rsa::PrivateKey::from_pkcs1_pem(pem)
                .map_err(|_| Error::key(what, "not a valid PKCS#1 RSA private key"))?,
            Some("ENCRYPTED PRIVATE KEY") => {
                return Err(Error::key(
                    what,
                    "the key is password-protected; decrypt it first (openssl pkey -in key.pem -out plain.pem)",
                ));
            }
            Some(other) => {
                return Err(Error::key(
                    what,
                    format!("expected a PRIVATE KEY or RSA PRIVATE KEY PEM block, found {other}"),
                ));
            }
            None => return Err(Error::key(what, "no PEM block found")),
        };
        check_modulus(what, key.as_public_key().size() * 8)?;
        Ok(Self { key })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub(crate) fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.key
            .pkcs1v15_sign::<Sha256>(message)
            .map_err(|_| Error::Crypto("RSA signing failed"))
    }

    /// The public half, for checking that it matches a certificate.
    pub(crate) fn public_key(&self) -> RsaPublicKey {
        RsaPublicKey {
            key: self.key.to_public_key(),
        }
    }
}

/// An RSA public key that verifies signatures: a platform public key (`PUB_KEY_ID_...`),
/// the key inside a platform certificate, or (in the mock) the merchant's.
#[derive(Clone, PartialEq)]
pub(crate) struct RsaPublicKey {
    key: rsa::PublicKey,
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPublicKey(RSA-{})", self.key.size() * 8)
    }
}

impl RsaPublicKey {
    /// Parses an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM text.
    pub(crate) fn from_pem(pem: &str) -> Result<Self> {
        const WHAT: &str = "platform public key";
        let key = match pem_label(pem) {
            Some("PUBLIC KEY") => rsa::PublicKey::from_public_key_pem(pem)
                .map_err(|_| Error::key(WHAT, "not a valid SPKI RSA public key"))?,
            Some("RSA PUBLIC KEY") => rsa::PublicKey::from_pkcs1_pem(pem)
                .map_err(|_| Error::key(WHAT, "not a valid PKCS#1 RSA public key"))?,
            Some("CERTIFICATE") => {
                return Err(Error::key(
                    WHAT,
                    "this is a certificate; pass it to platform_certificate() instead",
                ));
            }
            Some(other) => {
                return Err(Error::key(
                    WHAT,
                    format!("expected a PUBLIC KEY or RSA PUBLIC KEY PEM block, found {other}"),
                ));
            }
            None => return Err(Error::key(WHAT, "no PEM block found")),
        };
        Self::checked(WHAT, key)
    }

    /// Parses a DER SubjectPublicKeyInfo (as found inside a certificate).
    pub(crate) fn from_spki_der(what: &'static str, der: &[u8]) -> Result<Self> {
        let key = rsa::PublicKey::from_public_key_der(der)
            .map_err(|_| Error::key(what, "the certificate does not hold an RSA public key"))?;
        Self::checked(what, key)
    }

    fn checked(what: &'static str, key: rsa::PublicKey) -> Result<Self> {
        check_modulus(what, key.size() * 8)?;
        Ok(Self { key })
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub(crate) fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key
            .pkcs1v15_verify::<Sha256>(message, signature)
            .is_ok()
    }
}

fn check_modulus(what: &'static str, bits: usize) -> Result<()> {
    if bits < MIN_RSA_BITS {
        return Err(Error::key(
            what,
            format!("RSA key of {bits} bits is too small (at least {MIN_RSA_BITS} required)"),
        ));
    }
    Ok(())
}

/// The label of the first PEM block (`PRIVATE KEY` for `-----BEGIN PRIVATE KEY-----`).
pub(crate) fn pem_label(pem: &str) -> Option<&str> {
    let start = pem.find("-----BEGIN ")? + "-----BEGIN ".len();
    let rest = &pem[start..];
    let end = rest.find("-----")?;
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    const MERCHANT_KEY: &str = include_str!("../mock/keys/merchant_key.pem");
    const MERCHANT_KEY_PKCS1: &str = include_str!("../../tests/fixtures/kat/merchant_key_pkcs1.pem");
    const PLATFORM_PUBLIC_KEY: &str = include_str!("../mock/keys/platform_public_key.pem");

    #[test]
    fn pkcs1_and_pkcs8_encodings_of_one_key_sign_alike() {
        let a = RsaPrivateKey::from_pem(MERCHANT_KEY).unwrap();
        let b = RsaPrivateKey::from_pem(MERCHANT_KEY_PKCS1).unwrap();
        assert_eq!(a.sign_sha256(b"m").unwrap(), b.sign_sha256(b"m").unwrap());
    }

    #[test]
    fn signature_verifies_with_the_public_half_only() {
        let key = RsaPrivateKey::from_pem(MERCHANT_KEY).unwrap();
        let sig = key.sign_sha256(b"message").unwrap();
        assert!(key.public_key().verify_sha256(b"message", &sig));
        assert!(!key.public_key().verify_sha256(b"messagf", &sig));
        let other = RsaPublicKey::from_pem(PLATFORM_PUBLIC_KEY).unwrap();
        assert!(!other.verify_sha256(b"message", &sig));
    }

    #[test]
    fn rejects_encrypted_and_mislabelled_keys_with_a_reason() {
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let err = RsaPrivateKey::from_pem(encrypted).unwrap_err().to_string();
        assert!(err.contains("password-protected"), "{err}");
        let err = RsaPrivateKey::from_pem(PLATFORM_PUBLIC_KEY).unwrap_err().to_string();
        assert!(err.contains("found PUBLIC KEY"), "{err}");
        let err = RsaPublicKey::from_pem(MERCHANT_KEY).unwrap_err().to_string();
        assert!(err.contains("found PRIVATE KEY"), "{err}");
        assert!(RsaPrivateKey::from_pem("garbage").is_err());
    }

    #[test]
    fn truncated_key_is_an_error_not_a_panic() {
        let cut = &MERCHANT_KEY[..MERCHANT_KEY.len() / 2];
        let truncated = format!("{cut}\n-----END PRIVATE KEY-----\n");
        assert!(matches!(
            RsaPrivateKey::from_pem(&truncated),
            Err(Error::Key { .. })
        ));
    }

    #[test]
    fn debug_output_hides_the_private_key() {
        let key = RsaPrivateKey::from_pem(MERCHANT_KEY).unwrap();
        assert_eq!(format!("{key:?}"), "RsaPrivateKey(<redacted>)");
    }
}
