//! The mock's platform side: its keys and certificates, the signature on its answers and
//! callbacks (with any fault applied), the `/v3/certificates` list, and callbacks.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

use super::{APIV3_KEY, Fault, MockReply, PLATFORM_PUBLIC_KEY_ID, SigningMode, State, keys};
use crate::auth::{signing, verify};
use crate::crypto::{RsaPrivateKey, base64_encode};
use crate::protocol::envelope::EncryptedResource;

/// The platform certificates the mock can list at `/v3/certificates` and sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MockCertificate {
    /// [`keys::PLATFORM_CERTIFICATE`], serial [`super::PLATFORM_CERTIFICATE_SERIAL`]
    /// (valid 2024-2044).
    Original,
    /// [`keys::PLATFORM_CERTIFICATE_ROTATED`], the certificate a rotation introduces
    /// (valid 2024-2044).
    Rotated,
    /// [`keys::PLATFORM_CERTIFICATE_EXPIRED`], valid 2019-2023 only.
    Expired,
}

impl MockCertificate {
    /// The certificate's serial, as `/v3/certificates` lists it (the rotated one with a
    /// leading zero, as some tools print serials).
    pub fn serial(self) -> &'static str {
        match self {
            MockCertificate::Original => super::PLATFORM_CERTIFICATE_SERIAL,
            MockCertificate::Rotated => "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567",
            MockCertificate::Expired => "1E2D3C4B5A69788796A5B4C3D2E1F00FEDCBA987",
        }
    }

    /// The certificate, PEM.
    pub fn pem(self) -> &'static str {
        match self {
            MockCertificate::Original => keys::PLATFORM_CERTIFICATE,
            MockCertificate::Rotated => keys::PLATFORM_CERTIFICATE_ROTATED,
            MockCertificate::Expired => keys::PLATFORM_CERTIFICATE_EXPIRED,
        }
    }

    fn private_pem(self) -> &'static str {
        match self {
            MockCertificate::Original => keys::PLATFORM_CERTIFICATE_PRIVATE,
            MockCertificate::Rotated => keys::PLATFORM_CERTIFICATE_ROTATED_PRIVATE,
            MockCertificate::Expired => keys::PLATFORM_CERTIFICATE_EXPIRED_PRIVATE,
        }
    }

    const ALL: [MockCertificate; 3] = [
        MockCertificate::Original,
        MockCertificate::Rotated,
        MockCertificate::Expired,
    ];
}

/// Signatures of the current second, by body (cheap mode).
#[derive(Default)]
pub(crate) struct SignatureCache {
    second: i64,
    entries: std::collections::HashMap<Bytes, HeaderMap>,
}

impl SignatureCache {
    fn get(&mut self, now: i64, body: &Bytes) -> Option<HeaderMap> {
        if self.second != now {
            self.second = now;
            self.entries.clear();
        }
        self.entries.get(body).cloned()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    fn put(&mut self, now: i64, body: &Bytes, headers: &HeaderMap) {
        if self.second == now && self.entries.len() < 1024 {
            self.entries.insert(body.clone(), headers.clone());
        }
    }
}

/// The mock platform's private keys.
pub(crate) struct PlatformSigner {
    public_key: RsaPrivateKey,
    certificates: Vec<(MockCertificate, RsaPrivateKey)>,
}

fn fixture(pem: &str) -> RsaPrivateKey {
    RsaPrivateKey::from_pem_named("mock platform key", pem).expect("the mock's fixture keys are valid")
}

impl PlatformSigner {
    pub(crate) fn new() -> Self {
        Self {
            public_key: fixture(keys::PLATFORM_PUBLIC_KEY_PRIVATE),
            certificates: MockCertificate::ALL
                .iter()
                .map(|&c| (c, fixture(c.private_pem())))
                .collect(),
        }
    }

    /// Decrypts a field encrypted to the platform key named `serial`.
    pub(crate) fn decrypt_field(&self, ciphertext: &str, serial: &str) -> crate::Result<String> {
        let key = if serial == PLATFORM_PUBLIC_KEY_ID {
            &self.public_key
        } else {
            self.certificates
                .iter()
                .find(|(c, _)| crate::auth::same_key_id(c.serial(), serial))
                .map(|(_, k)| k)
                .ok_or(crate::Error::Decryption {
                    what: "the mock has no key with that serial",
                })?
        };
        key.decrypt_field(ciphertext)
    }

    fn key(&self, mode: SigningMode, certificate: MockCertificate) -> (&'static str, &RsaPrivateKey) {
        match mode {
            SigningMode::PublicKey => (PLATFORM_PUBLIC_KEY_ID, &self.public_key),
            SigningMode::Certificate => {
                let key = self
                    .certificates
                    .iter()
                    .find(|(c, _)| *c == certificate)
                    .map(|(_, k)| k)
                    .expect("every mock certificate has a key");
                (certificate.serial(), key)
            }
        }
    }
}

impl State {
    /// The `Wechatpay-*` headers for `body`, signed with the current key, with `fault`
    /// applied (which may alter the body: the returned body is the one to send).
    pub(crate) fn sign_body(&self, body: Bytes, fault: Option<&Fault>) -> (HeaderMap, Bytes) {
        if fault.is_none() {
            let mut cache = self.signature_cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(cache) = cache.as_mut() {
                let now = self.clock.now();
                if let Some(headers) = cache.get(now, &body) {
                    return (headers, body);
                }
                let (headers, body) = self.sign_body_fresh(body, None);
                cache.put(now, &body, &headers);
                return (headers, body);
            }
        }
        self.sign_body_fresh(body, fault)
    }

    fn sign_body_fresh(&self, body: Bytes, fault: Option<&Fault>) -> (HeaderMap, Bytes) {
        let mode = *self.mode.lock().unwrap_or_else(|e| e.into_inner());
        let certificate = *self.signing_certificate.lock().unwrap_or_else(|e| e.into_inner());
        let (serial, key) = self.signer.key(mode, certificate);
        // Body faults happen before signing: the signature covers what is sent.
        let body = match fault {
            Some(Fault::TruncatedJson) => body.slice(..body.len() / 2),
            Some(Fault::OversizedBody(size)) => {
                let mut big = br#"{"padding":""#.to_vec();
                big.resize(size.saturating_sub(2), b'x');
                big.extend_from_slice(br#""}"#);
                Bytes::from(big)
            }
            Some(Fault::InvalidUtf8) => Bytes::from_static(b"{\"name\":\"\xff\xfe\"}"),
            _ => body,
        };
        let skew = match fault {
            Some(Fault::SkewSeconds(s)) => *s,
            _ => 0,
        };
        let timestamp = match fault {
            Some(Fault::Timestamp(text)) => (*text).to_owned(),
            _ => (self.clock.now() + skew).to_string(),
        };
        let mut nonce = signing::nonce().unwrap_or_else(|_| "mocknonce".into());
        let signature = key
            .sign_sha256(&verify::message(&timestamp, &nonce, &body))
            .map(|s| base64_encode(&s))
            .unwrap_or_default();
        let signature = match fault {
            Some(Fault::SignTest) => format!("WECHATPAY/SIGNTEST/{signature}"),
            Some(Fault::EmptySignature) => String::new(),
            _ => signature,
        };
        let serial = match fault {
            Some(Fault::UnknownSerial) => "7132D72A03E93CDDF8C03BBD1F37EEDF1A6F2B70",
            Some(Fault::OddSerial) => "PUB_KEY_ID_<script>\"' 01",
            _ => serial,
        };
        let body = match fault {
            Some(Fault::TamperBody) if !body.is_empty() => {
                let mut tampered = body.to_vec();
                tampered[0] ^= 0x01;
                Bytes::from(tampered)
            }
            Some(Fault::TamperBody) => {
                // A 204 carries no body to alter: alter the signed nonce instead.
                nonce.replace_range(0..1, if nonce.starts_with('A') { "B" } else { "A" });
                body
            }
            _ => body,
        };
        let mut headers = HeaderMap::new();
        for (name, value) in signature_header_values(&timestamp, &nonce, &signature, serial) {
            if fault == Some(&Fault::MissingHeader(name)) {
                continue;
            }
            if let Ok(v) = HeaderValue::from_str(value) {
                headers.insert(name, v.clone());
                if fault == Some(&Fault::DuplicatedHeaders) {
                    let second = if name == verify::SIGNATURE {
                        HeaderValue::from_static("AAAA")
                    } else {
                        v
                    };
                    headers.append(name, second);
                }
            }
        }
        (headers, body)
    }

    /// The `/v3/certificates` answer: the listed certificates, each encrypted with the
    /// APIv3 key.
    pub(crate) fn certificates_reply(&self, fault: Option<&Fault>) -> MockReply {
        let listed = self
            .listed_certificates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let data: Vec<Value> = listed
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let encrypted = seal("certificate", c.pem().as_bytes());
                let serial = match fault {
                    Some(&Fault::CertificateSerialMismatch) if i == 0 => MockCertificate::Expired.serial(),
                    _ => c.serial(),
                };
                json!({
                    "serial_no": serial,
                    "effective_time": "2024-01-01T08:00:00+08:00",
                    "expire_time": "2044-01-01T08:00:00+08:00",
                    "encrypt_certificate": encrypted,
                })
            })
            .collect();
        MockReply::json(200, &json!({ "data": data }))
    }

    /// A callback as the platform sends it: the envelope with `resource` encrypted with the
    /// APIv3 key, and its signature headers (faults applied).
    pub(crate) fn notification(&self, event_type: &str, resource: &Value, fault: Option<&Fault>) -> (HeaderMap, Bytes) {
        let count = self.request_counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = format!("EV-2018022511223320873{count:06}");
        let body = super::samples::envelope(event_type, resource, &id, "2015-05-20T13:29:35+08:00").unwrap_or_default();
        let (mut headers, body) = self.sign_body(body, fault);
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        (headers, body)
    }
}

/// A resource encrypted with the mock's APIv3 key under a fresh 12-character nonce.
pub(super) fn seal(associated_data: &str, plaintext: &[u8]) -> EncryptedResource {
    let nonce = signing::nonce()
        .map(|n| n[..12].to_owned())
        .unwrap_or_else(|_| "mocknonce123".into());
    EncryptedResource::seal(APIV3_KEY.as_bytes(), &nonce, associated_data, plaintext)
        .expect("the mock's APIv3 key and nonce have the right lengths")
}

/// The `Wechatpay-*` headers of a signed answer or callback, by name, in order.
pub(super) fn signature_header_values<'a>(
    timestamp: &'a str,
    nonce: &'a str,
    signature: &'a str,
    serial: &'a str,
) -> [(&'static str, &'a str); 5] {
    [
        (verify::TIMESTAMP, timestamp),
        (verify::NONCE, nonce),
        (verify::SIGNATURE, signature),
        (verify::SERIAL, serial),
        (verify::SIGNATURE_TYPE, signing::SCHEME),
    ]
}
