//! PKCS#12 files (`apiclient_cert.p12`, feature `pkcs12`): the merchant certificate and its
//! private key in one password-protected file (the password the merchant portal sets is the
//! merchant id). Read with the `p12-keystore` crate, which knows both the legacy encryption
//! the portal's files use (RC2 and triple DES under a SHA-1 MAC) and PBES2 with AES.

use der::pem::LineEnding;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The certificate and private key of a PKCS#12 file, as PEM text.
pub(crate) struct MerchantIdentity {
    /// The first certificate of the key's chain: the merchant certificate.
    pub(crate) certificate_pem: String,
    /// The private key, PKCS#8 PEM; wiped on drop.
    pub(crate) private_key_pem: Zeroizing<String>,
}

/// Reads the first private key of `der` and its certificate. A wrong password, a file that
/// is not PKCS#12, or one without a key and certificate are `ConfigError::Key` errors that
/// show neither the password nor the key.
pub(crate) fn read(der: &[u8], password: &str) -> Result<MerchantIdentity> {
    let bad = |reason: &str| Error::key("merchant PKCS#12 file", reason);
    let store =
        p12_keystore::KeyStore::from_pkcs12(der, password, p12_keystore::Pkcs12ImportPolicy::Strict).map_err(|e| {
            match e {
                p12_keystore::error::Error::MacError(_) => bad("wrong password, or the file was altered"),
                _ => bad("not a readable PKCS#12 file"),
            }
        })?;
    let (_, chain) = store
        .private_key_chain()
        .ok_or_else(|| bad("it holds no private key with its certificate"))?;
    let certificate = chain
        .certs()
        .first()
        .ok_or_else(|| bad("its private key has no certificate"))?;
    let pem = |label: &str, bytes: &[u8]| {
        der::pem::encode_string(label, LineEnding::LF, bytes).map_err(|_| bad("cannot re-encode it as PEM"))
    };
    Ok(MerchantIdentity {
        certificate_pem: pem("CERTIFICATE", certificate.as_der())?,
        private_key_pem: Zeroizing::new(pem("PRIVATE KEY", chain.key().as_der())?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &[u8] = include_bytes!("../../tests/fixtures/p12/legacy.p12");

    #[test]
    fn a_wrong_password_or_garbage_is_a_key_error_that_shows_no_secret() {
        for (der, password) in [(LEGACY, "not-the-password"), (b"garbage".as_slice(), "1900000001")] {
            let Err(err) = read(der, password) else {
                panic!("read a file it should not")
            };
            let shown = format!("{err} {err:?}");
            assert!(shown.contains("PKCS#12"), "{shown}");
            assert!(!shown.contains(password), "{shown}");
        }
    }
}
