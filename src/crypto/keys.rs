//! RSA keys: loading from PEM (PKCS#1, PKCS#8, SPKI) and the two operations the protocol
//! needs from them, RSASSA-PKCS1-v1_5 with SHA-256 signing and verification, plus
//! RSAES-OAEP with SHA-1 and MGF1-SHA-1 for sensitive fields.
//!
//! This file owns what callers see (which PEM labels are accepted, the key-size policy, the
//! error messages); the math is the backend's (`backend/`), which receives DER once, when
//! the key is loaded.

use std::fmt;

use der::asn1::AnyRef;
use der::{Decode as _, Reader as _, Tag, Tagged as _};
use zeroize::Zeroizing;

use super::backend::{self, OaepEncryptError};
use crate::error::{Error, Result};

/// The smallest RSA modulus the platform accepts (and the only size it issues).
const MIN_RSA_BITS: usize = 2048;

/// The largest RSA modulus either backend handles.
const MAX_RSA_BITS: usize = 8192;

/// An RSA private key (the merchant's API key; the mock's platform keys), parsed once. Its
/// `Debug` never shows the key, and the backend clears the key material when it is dropped.
#[derive(Clone)]
pub(crate) struct RsaPrivateKey {
    key: backend::PrivateKey,
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
        let form = match pem_label(pem) {
            Some("PRIVATE KEY") => DerForm::Pkcs8Private,
            Some("RSA PRIVATE KEY") => DerForm::Pkcs1Private,
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
        let invalid = || match form {
            DerForm::Pkcs8Private => Error::key(what, "not a valid PKCS#8 RSA private key"),
            _ => Error::key(what, "not a valid PKCS#1 RSA private key"),
        };
        let der = Zeroizing::new(pem_der(pem, form.label()).ok_or_else(invalid)?);
        check_modulus(what, form.modulus_bits(&der).ok_or_else(invalid)?, invalid)?;
        let key = match form {
            DerForm::Pkcs8Private => backend::PrivateKey::from_pkcs8_der(&der),
            _ => backend::PrivateKey::from_pkcs1_der(&der),
        }
        .ok_or_else(invalid)?;
        Ok(Self { key })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub(crate) fn sign_sha256(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.key.sign_sha256(message).ok_or(Error::Crypto("RSA signing failed"))
    }

    /// The public half, for checking that it matches a certificate.
    pub(crate) fn public_key(&self) -> RsaPublicKey {
        RsaPublicKey {
            key: self.key.public_key(),
        }
    }

    /// Decrypts an RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label) `ciphertext`: a sensitive
    /// response field encrypted to the merchant's key, or (in the mock) a sensitive
    /// request field encrypted to the platform's.
    pub(crate) fn decrypt_oaep_sha1(&self, ciphertext: &[u8]) -> Result<Vec<u8>> {
        self.key.decrypt_oaep_sha1(ciphertext).ok_or(Error::Decryption {
            what: "RSA-OAEP decryption failed (wrong private key or altered ciphertext)",
        })
    }

    /// Decrypts a sensitive field as it travels: Base64 of an RSA-OAEP ciphertext whose
    /// plaintext is UTF-8 text.
    pub(crate) fn decrypt_field(&self, ciphertext_b64: &str) -> Result<String> {
        let bytes = super::base64_decode(ciphertext_b64).ok_or(Error::Decryption {
            what: "the ciphertext is not valid Base64",
        })?;
        String::from_utf8(self.decrypt_oaep_sha1(&bytes)?).map_err(|_| Error::Decryption {
            what: "the decrypted field is not UTF-8 text",
        })
    }
}

/// An RSA public key that verifies signatures: a platform public key (`PUB_KEY_ID_...`),
/// the key inside a platform certificate, or (in the mock) the merchant's. Parsed once;
/// two keys are equal when their modulus and exponent are.
#[derive(Clone, PartialEq)]
pub(crate) struct RsaPublicKey {
    key: backend::PublicKey,
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPublicKey(RSA-{})", self.key.modulus_bits())
    }
}

impl RsaPublicKey {
    /// Parses an SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM text.
    pub(crate) fn from_pem(pem: &str) -> Result<Self> {
        const WHAT: &str = "platform public key";
        let form = match pem_label(pem) {
            Some("PUBLIC KEY") => DerForm::Spki,
            Some("RSA PUBLIC KEY") => DerForm::Pkcs1Public,
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
        let invalid = || match form {
            DerForm::Spki => Error::key(WHAT, "not a valid SPKI RSA public key"),
            _ => Error::key(WHAT, "not a valid PKCS#1 RSA public key"),
        };
        let der = pem_der(pem, form.label()).ok_or_else(invalid)?;
        check_modulus(WHAT, form.modulus_bits(&der).ok_or_else(invalid)?, invalid)?;
        let key = match form {
            DerForm::Spki => backend::PublicKey::from_spki_der(&der),
            _ => backend::PublicKey::from_pkcs1_der(&der),
        }
        .ok_or_else(invalid)?;
        Ok(Self { key })
    }

    /// Parses a DER SubjectPublicKeyInfo (as found inside a certificate).
    pub(crate) fn from_spki_der(what: &'static str, der: &[u8]) -> Result<Self> {
        let invalid = || Error::key(what, "the certificate does not hold an RSA public key");
        check_modulus(what, DerForm::Spki.modulus_bits(der).ok_or_else(invalid)?, invalid)?;
        let key = backend::PublicKey::from_spki_der(der).ok_or_else(invalid)?;
        Ok(Self { key })
    }

    /// The modulus size, in bits.
    pub(crate) fn bits(&self) -> usize {
        self.key.modulus_bits()
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    pub(crate) fn verify_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sha256(message, signature)
    }

    /// Encrypts `plaintext` with RSAES-OAEP (SHA-1, MGF1-SHA-1, empty label, random
    /// padding from a generator seeded by the operating system): how sensitive request
    /// fields are sent. At most `modulus bytes - 42` bytes fit (214 with a 2048-bit key).
    pub(crate) fn encrypt_oaep_sha1(&self, plaintext: &[u8]) -> Result<Vec<u8>> {
        self.key.encrypt_oaep_sha1(plaintext).map_err(|e| match e {
            OaepEncryptError::TooLong => {
                Error::Crypto("the plaintext is too long for RSA-OAEP SHA-1 (at most 214 bytes with a 2048-bit key)")
            }
            OaepEncryptError::Failed => Error::Crypto("RSA-OAEP encryption failed"),
        })
    }

    /// Encrypts a sensitive field as it travels: Base64 of the RSA-OAEP ciphertext of the
    /// text.
    pub(crate) fn encrypt_field(&self, plaintext: &str) -> Result<String> {
        Ok(super::base64_encode(&self.encrypt_oaep_sha1(plaintext.as_bytes())?))
    }
}

/// Refuses moduli below [`MIN_RSA_BITS`] with a reason, and above [`MAX_RSA_BITS`] as
/// `invalid` (as neither backend can use them).
fn check_modulus(what: &'static str, bits: usize, invalid: impl FnOnce() -> Error) -> Result<()> {
    if bits < MIN_RSA_BITS {
        return Err(Error::key(
            what,
            format!("RSA key of {bits} bits is too small (at least {MIN_RSA_BITS} required)"),
        ));
    }
    if bits > MAX_RSA_BITS {
        return Err(invalid());
    }
    Ok(())
}

/// The RSA modulus size, in bits, of a PEM key in any of the four forms the crate reads
/// (PKCS#8 or PKCS#1 private, SPKI or PKCS#1 public), read from its structure alone; `None`
/// when the text is none of them.
///
/// ```
/// use wechatpay::crypto::key_bits;
/// assert_eq!(key_bits(wechatpay::mock::keys::MERCHANT_PRIVATE_KEY), Some(2048));
/// assert_eq!(key_bits(wechatpay::mock::keys::PLATFORM_PUBLIC_KEY), Some(2048));
/// assert_eq!(key_bits("not a key"), None);
/// ```
pub fn key_bits(pem: &str) -> Option<usize> {
    let form = match pem_label(pem)? {
        "PRIVATE KEY" => DerForm::Pkcs8Private,
        "RSA PRIVATE KEY" => DerForm::Pkcs1Private,
        "PUBLIC KEY" => DerForm::Spki,
        "RSA PUBLIC KEY" => DerForm::Pkcs1Public,
        _ => return None,
    };
    let der = Zeroizing::new(pem_der(pem, form.label())?);
    form.modulus_bits(&der)
}

/// The label of the first PEM block (`PRIVATE KEY` for `-----BEGIN PRIVATE KEY-----`).
pub(crate) fn pem_label(pem: &str) -> Option<&str> {
    let start = pem.find("-----BEGIN ")? + "-----BEGIN ".len();
    let rest = &pem[start..];
    let end = rest.find("-----")?;
    Some(&rest[..end])
}

/// The DER inside a PEM text whose label must be `label` (RFC 7468, as strict as the
/// `pkcs1`/`pkcs8` crates' PEM readers).
fn pem_der(pem: &str, label: &str) -> Option<Vec<u8>> {
    let (found, der) = der::pem::decode_vec(pem.as_bytes()).ok()?;
    (found == label).then_some(der)
}

/// The four DER encodings of RSA keys the crate reads.
#[derive(Clone, Copy)]
enum DerForm {
    /// PKCS#8 `PrivateKeyInfo` (`PRIVATE KEY`).
    Pkcs8Private,
    /// PKCS#1 `RSAPrivateKey` (`RSA PRIVATE KEY`).
    Pkcs1Private,
    /// X.509 `SubjectPublicKeyInfo` (`PUBLIC KEY`).
    Spki,
    /// PKCS#1 `RSAPublicKey` (`RSA PUBLIC KEY`).
    Pkcs1Public,
}

impl DerForm {
    fn label(self) -> &'static str {
        match self {
            DerForm::Pkcs8Private => "PRIVATE KEY",
            DerForm::Pkcs1Private => "RSA PRIVATE KEY",
            DerForm::Spki => "PUBLIC KEY",
            DerForm::Pkcs1Public => "RSA PUBLIC KEY",
        }
    }

    /// The bit length of the RSA modulus in `der`, read from the structure alone (no
    /// cryptography), so that a small key gets its own error whatever the backend accepts;
    /// `None` when `der` is not this form of RSA key. The backend still parses and
    /// validates the whole key afterwards.
    fn modulus_bits(self, der: &[u8]) -> Option<usize> {
        let items = sequence_items(der)?;
        match self {
            // RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, ... }
            DerForm::Pkcs1Private => integer_bits(*items.get(1)?),
            // RSAPublicKey ::= SEQUENCE { modulus, publicExponent }
            DerForm::Pkcs1Public => integer_bits(*items.first()?),
            // PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING, ... }
            DerForm::Pkcs8Private => {
                let key = items.get(2)?;
                (key.tag() == Tag::OctetString).then_some(())?;
                DerForm::Pkcs1Private.modulus_bits(key.value())
            }
            // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }
            DerForm::Spki => {
                let key = items.get(1)?;
                (key.tag() == Tag::BitString).then_some(())?;
                let (&unused_bits, bytes) = key.value().split_first()?;
                (unused_bits == 0).then_some(())?;
                DerForm::Pkcs1Public.modulus_bits(bytes)
            }
        }
    }
}

/// The elements of the DER `SEQUENCE` that is the whole of `der`.
fn sequence_items(der: &[u8]) -> Option<Vec<AnyRef<'_>>> {
    AnyRef::from_der(der)
        .ok()?
        .sequence(|reader| {
            let mut items = Vec::new();
            while !reader.is_finished() {
                items.push(reader.decode::<AnyRef<'_>>()?);
            }
            Ok::<_, der::Error>(items)
        })
        .ok()
}

/// The bit length of a positive DER `INTEGER`.
fn integer_bits(item: AnyRef<'_>) -> Option<usize> {
    if item.tag() != Tag::Integer {
        return None;
    }
    let bytes = item.value();
    if bytes.first()? & 0x80 != 0 {
        return None; // negative
    }
    let start = bytes.iter().position(|&b| b != 0)?;
    let bytes = &bytes[start..];
    Some(bytes.len() * 8 - bytes[0].leading_zeros() as usize)
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
            Err(Error::Config(crate::error::ConfigError::Key { .. }))
        ));
    }

    #[test]
    fn debug_output_hides_the_private_key() {
        let key = RsaPrivateKey::from_pem(MERCHANT_KEY).unwrap();
        assert_eq!(format!("{key:?}"), "RsaPrivateKey(<redacted>)");
    }

    /// A 1024-bit key pair, only to check that small keys are refused (testdata/README.md).
    const SMALL_KEY_PKCS8: &str = include_str!("testdata/rsa1024_pkcs8.pem");
    const SMALL_KEY_PKCS1: &str = include_str!("testdata/rsa1024_pkcs1.pem");
    const SMALL_PUBLIC_KEY: &str = include_str!("testdata/rsa1024_public.pem");
    /// platform_public_key.pem as PKCS#1.
    const PLATFORM_PUBLIC_KEY_PKCS1: &str = include_str!("testdata/platform_public_key_pkcs1.pem");
    const PLATFORM_PRIVATE_KEY: &str = include_str!("../mock/keys/platform_pub_key_private.pem");

    #[test]
    fn keys_below_2048_bits_are_refused_with_their_size() {
        for (pem, what) in [(SMALL_KEY_PKCS8, "PKCS#8"), (SMALL_KEY_PKCS1, "PKCS#1")] {
            let err = RsaPrivateKey::from_pem(pem).unwrap_err().to_string();
            assert!(
                err.contains("RSA key of 1024 bits is too small (at least 2048 required)"),
                "{what}: {err}"
            );
            assert!(err.contains("merchant private key"), "{what}: {err}");
        }
        let err = RsaPublicKey::from_pem(SMALL_PUBLIC_KEY).unwrap_err().to_string();
        assert!(err.contains("RSA key of 1024 bits is too small"), "{err}");
        let der = der::pem::decode_vec(SMALL_PUBLIC_KEY.as_bytes()).unwrap().1;
        let err = RsaPublicKey::from_spki_der("certificate", &der)
            .unwrap_err()
            .to_string();
        assert!(err.contains("RSA key of 1024 bits is too small"), "{err}");
    }

    #[test]
    fn spki_and_pkcs1_public_keys_are_the_same_key() {
        let spki = RsaPublicKey::from_pem(PLATFORM_PUBLIC_KEY).unwrap();
        let pkcs1 = RsaPublicKey::from_pem(PLATFORM_PUBLIC_KEY_PKCS1).unwrap();
        assert!(spki == pkcs1);
        let private = RsaPrivateKey::from_pem_named("platform key", PLATFORM_PRIVATE_KEY).unwrap();
        assert!(private.public_key() == spki);
        let merchant = RsaPrivateKey::from_pem(MERCHANT_KEY).unwrap();
        assert!(merchant.public_key() != spki);
        assert_eq!(format!("{spki:?}"), "RsaPublicKey(RSA-2048)");
        let sig = private.sign_sha256(b"m").unwrap();
        assert!(pkcs1.verify_sha256(b"m", &sig));
    }

    #[test]
    fn modulus_bits_are_read_from_each_der_form() {
        let der = |pem: &str| der::pem::decode_vec(pem.as_bytes()).unwrap().1;
        assert_eq!(DerForm::Pkcs8Private.modulus_bits(&der(MERCHANT_KEY)), Some(2048));
        assert_eq!(DerForm::Pkcs1Private.modulus_bits(&der(MERCHANT_KEY_PKCS1)), Some(2048));
        assert_eq!(DerForm::Spki.modulus_bits(&der(PLATFORM_PUBLIC_KEY)), Some(2048));
        assert_eq!(
            DerForm::Pkcs1Public.modulus_bits(&der(PLATFORM_PUBLIC_KEY_PKCS1)),
            Some(2048)
        );
        assert_eq!(DerForm::Pkcs8Private.modulus_bits(&der(SMALL_KEY_PKCS8)), Some(1024));
        // The wrong form, trailing bytes, a cut document: not an RSA key of that form.
        assert_eq!(DerForm::Spki.modulus_bits(&der(MERCHANT_KEY)), None);
        assert_eq!(DerForm::Pkcs1Private.modulus_bits(&der(MERCHANT_KEY)), None);
        let mut long = der(PLATFORM_PUBLIC_KEY);
        long.push(0);
        assert_eq!(DerForm::Spki.modulus_bits(&long), None);
        let cut = der(PLATFORM_PUBLIC_KEY);
        assert_eq!(DerForm::Spki.modulus_bits(&cut[..cut.len() - 1]), None);
        assert_eq!(DerForm::Spki.modulus_bits(&[]), None);
    }

    #[test]
    fn a_pem_block_whose_label_disagrees_with_its_end_line_is_invalid() {
        let mislabelled = MERCHANT_KEY.replace("END PRIVATE KEY", "END RSA PRIVATE KEY");
        let err = RsaPrivateKey::from_pem(&mislabelled).unwrap_err().to_string();
        assert!(err.contains("not a valid PKCS#8 RSA private key"), "{err}");
    }

    #[test]
    fn the_backend_is_named() {
        let name = crate::crypto::backend();
        assert!(name == "aws-lc-rs" || name == "rsa (pure Rust)", "{name}");
        #[cfg(feature = "aws-lc")]
        assert_eq!(name, "aws-lc-rs");
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
            let sha256 = public.key.encrypt_oaep_sha256_for_tests("张三".as_bytes());
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
