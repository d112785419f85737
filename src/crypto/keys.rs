//! RSA keys: loading from PEM (PKCS#1, PKCS#8, SPKI) and the two operations the protocol
//! needs from them, RSASSA-PKCS1-v1_5 with SHA-256 signing and verification, plus
//! RSAES-OAEP with SHA-1 and MGF1-SHA-1 for sensitive fields.

use std::fmt;

use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::traits::PublicKeyParts as _;
use sha1::Sha1;
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

    /// Decrypts an RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label) `ciphertext`: a sensitive
    /// response field encrypted to the merchant's key, or (in the mock) a sensitive
    /// request field encrypted to the platform's.
    pub(crate) fn decrypt_oaep_sha1(&self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        self.key
            .oaep_decrypt::<Sha1>(ciphertext)
            .map_err(|_| Error::Decryption {
                what: "RSA-OAEP decryption failed (wrong private key or altered ciphertext)",
            })
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
        self.key.pkcs1v15_verify::<Sha256>(message, signature).is_ok()
    }

    /// Encrypts `plaintext` with RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label, random
    /// padding from the operating system): how sensitive request fields are sent. At most
    /// `modulus bytes - 42` bytes fit (214 with a 2048-bit key).
    pub(crate) fn encrypt_oaep_sha1(&self, plaintext: &[u8]) -> Result<Vec<u8>> {
        self.key.oaep_encrypt::<Sha1>(plaintext).map_err(|e| match e {
            rsa::Error::MessageTooLong => {
                Error::Crypto("the plaintext is too long for RSA-OAEP SHA-1 (at most 214 bytes with a 2048-bit key)")
            }
            _ => Error::Crypto("RSA-OAEP encryption failed"),
        })
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
        assert!(matches!(RsaPrivateKey::from_pem(&truncated), Err(Error::Key { .. })));
    }

    #[test]
    fn debug_output_hides_the_private_key() {
        let key = RsaPrivateKey::from_pem(MERCHANT_KEY).unwrap();
        assert_eq!(format!("{key:?}"), "RsaPrivateKey(<redacted>)");
    }

    mod oaep {
        use super::*;

        const PLATFORM_PRIVATE_KEY: &str = include_str!("../mock/keys/platform_pub_key_private.pem");
        const PLATFORM_PRIVATE_KEY_PATH: &str = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/mock/keys/platform_pub_key_private.pem"
        );
        /// "张三" in UTF-8, encrypted by OpenSSL to platform_public_key.pem
        /// (tests/fixtures/oaep/make_vectors.sh).
        const OPENSSL_PLAINTEXT: &[u8] = include_bytes!("../../tests/fixtures/oaep/plaintext.txt");
        const OPENSSL_CIPHERTEXT_B64: &str = include_str!("../../tests/fixtures/oaep/ciphertext.b64");

        fn platform_private() -> RsaPrivateKey {
            RsaPrivateKey::from_pem_named("platform key", PLATFORM_PRIVATE_KEY).unwrap()
        }

        fn platform_public() -> RsaPublicKey {
            RsaPublicKey::from_pem(PLATFORM_PUBLIC_KEY).unwrap()
        }

        fn openssl_ciphertext() -> Vec<u8> {
            crate::crypto::base64_decode(OPENSSL_CIPHERTEXT_B64.trim()).unwrap()
        }

        fn assert_decryption_error(result: Result<Vec<u8>>) {
            match result {
                Err(Error::Decryption { .. }) => {}
                other => panic!("expected Error::Decryption, got {other:?}"),
            }
        }

        #[test]
        fn oaep_sha1_decrypts_an_openssl_ciphertext_of_a_chinese_name() {
            assert_eq!(OPENSSL_PLAINTEXT, "张三".as_bytes());
            let ciphertext = openssl_ciphertext();
            assert_eq!(ciphertext.len(), 256);
            let plaintext = platform_private().decrypt_oaep_sha1(&ciphertext).unwrap();
            assert_eq!(plaintext, "张三".as_bytes());
        }

        #[test]
        fn oaep_sha1_ciphertext_decrypts_with_the_openssl_command_line() {
            if std::process::Command::new("openssl").arg("version").output().is_err() {
                println!("NOTICE: skipping the OpenSSL cross-check: no `openssl` binary on PATH");
                return;
            }
            let ciphertext = platform_public().encrypt_oaep_sha1("张三".as_bytes()).unwrap();
            let path = std::env::temp_dir().join(format!(
                "wechatpay-oaep-{}-{:?}.bin",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::write(&path, &ciphertext).unwrap();
            let output = std::process::Command::new("openssl")
                .args(["pkeyutl", "-decrypt", "-inkey", PLATFORM_PRIVATE_KEY_PATH])
                .args(["-pkeyopt", "rsa_padding_mode:oaep"])
                .args(["-pkeyopt", "rsa_oaep_md:sha1"])
                .args(["-pkeyopt", "rsa_mgf1_md:sha1"])
                .arg("-in")
                .arg(&path)
                .output()
                .unwrap();
            std::fs::remove_file(&path).unwrap();
            assert!(
                output.status.success(),
                "openssl failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert_eq!(output.stdout, "张三".as_bytes());
        }

        #[test]
        fn oaep_sha1_round_trips_with_the_merchant_key_pair() {
            let merchant = RsaPrivateKey::from_pem(MERCHANT_KEY).unwrap();
            let ciphertext = merchant.public_key().encrypt_oaep_sha1(b"13800138000").unwrap();
            assert_eq!(merchant.decrypt_oaep_sha1(&ciphertext).unwrap(), b"13800138000");
            // The other key pair cannot open it.
            assert_decryption_error(platform_private().decrypt_oaep_sha1(&ciphertext));
        }

        #[test]
        fn oaep_sha1_padding_is_random_so_two_encryptions_differ() {
            let key = platform_public();
            let a = key.encrypt_oaep_sha1("张三".as_bytes()).unwrap();
            let b = key.encrypt_oaep_sha1("张三".as_bytes()).unwrap();
            assert_ne!(a, b);
            let private = platform_private();
            assert_eq!(
                private.decrypt_oaep_sha1(&a).unwrap(),
                private.decrypt_oaep_sha1(&b).unwrap()
            );
        }

        #[test]
        fn oaep_sha1_accepts_214_bytes_and_rejects_215_with_a_2048_bit_key() {
            let key = platform_public();
            let longest = [b'x'; 214];
            let ciphertext = key.encrypt_oaep_sha1(&longest).unwrap();
            assert_eq!(platform_private().decrypt_oaep_sha1(&ciphertext).unwrap(), longest);
            for len in [215, 256, 1000] {
                let err = key.encrypt_oaep_sha1(&vec![b'x'; len]).unwrap_err();
                assert!(
                    matches!(err, Error::Crypto(m) if m.contains("too long")),
                    "{len}: {err:?}"
                );
            }
        }

        #[test]
        fn oaep_sha1_rejects_corrupted_truncated_or_oversized_ciphertexts() {
            let key = platform_private();
            let good = openssl_ciphertext();
            for i in [0, 100, 255] {
                let mut bad = good.clone();
                bad[i] ^= 0x01;
                assert_decryption_error(key.decrypt_oaep_sha1(&bad));
            }
            assert_decryption_error(key.decrypt_oaep_sha1(&good[..255]));
            assert_decryption_error(key.decrypt_oaep_sha1(&[good.as_slice(), &[0]].concat()));
            assert_decryption_error(key.decrypt_oaep_sha1(&[]));
            // A value at least as large as the modulus.
            assert_decryption_error(key.decrypt_oaep_sha1(&[0xff; 256]));
        }

        #[test]
        fn oaep_sha1_rejects_a_sha256_oaep_ciphertext() {
            let public = platform_public();
            let sha256 = public.key.oaep_encrypt::<Sha256>("张三".as_bytes()).unwrap();
            assert_decryption_error(platform_private().decrypt_oaep_sha1(&sha256));
        }

        #[test]
        fn oaep_sha1_decryption_error_shows_no_plaintext() {
            let mut bad = openssl_ciphertext();
            bad[10] ^= 0x40;
            let err = platform_private().decrypt_oaep_sha1(&bad).unwrap_err();
            for text in [err.to_string(), format!("{err:?}")] {
                assert!(!text.contains("张三"), "{text}");
                assert!(text.contains("RSA-OAEP"), "{text}");
            }
        }
    }
}
