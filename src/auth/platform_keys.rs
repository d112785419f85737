//! The set of platform keys a client trusts: platform public keys (`PUB_KEY_ID_...`) and
//! platform certificates (by serial), held together so a merchant can migrate from one to
//! the other without a failed request.

use crate::crypto::{Certificate, RsaPublicKey};
use crate::error::{Error, Result};
use crate::text::sanitize;

/// Prefix of every platform public key id.
pub const PUBLIC_KEY_ID_PREFIX: &str = "PUB_KEY_ID_";

#[derive(Clone, Debug)]
enum Source {
    PublicKey,
    Certificate { not_before: i64, not_after: i64 },
}

#[derive(Clone, Debug)]
struct Entry {
    id: String,
    lookup: String,
    key: RsaPublicKey,
    source: Source,
}

impl Entry {
    /// Public keys have no validity period; certificates do.
    fn is_valid_at(&self, now: i64) -> bool {
        match self.source {
            Source::PublicKey => true,
            Source::Certificate { not_before, not_after } => not_before <= now && now <= not_after,
        }
    }
}

/// The platform keys a client trusts, looked up by the `Wechatpay-Serial` of an answer.
///
/// Certificate serials compare case-insensitively and without leading zeros (tools print
/// them differently); public key ids compare exactly.
///
/// ```
/// use wechatpay::auth::PlatformKeys;
/// let pem = std::fs::read_to_string("src/mock/keys/platform_public_key.pem")?;
/// let mut keys = PlatformKeys::default();
/// keys.add_public_key("PUB_KEY_ID_0114232134912410000000000000", &pem)?;
/// assert_eq!(keys.preferred_id(), Some("PUB_KEY_ID_0114232134912410000000000000"));
/// assert!(keys.contains("PUB_KEY_ID_0114232134912410000000000000"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PlatformKeys {
    entries: Vec<Entry>,
}

impl PlatformKeys {
    /// Adds a platform public key (SPKI or PKCS#1 PEM) under its id `PUB_KEY_ID_...`.
    pub fn add_public_key(&mut self, id: &str, pem: &str) -> Result<()> {
        let digits = id.strip_prefix(PUBLIC_KEY_ID_PREFIX).unwrap_or("");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::config(format!(
                "a platform public key id looks like {PUBLIC_KEY_ID_PREFIX}0114232134912410000000000000, got {:?}",
                sanitize(id)
            )));
        }
        let key = RsaPublicKey::from_pem(pem)?;
        self.insert(Entry {
            id: id.to_owned(),
            lookup: id.to_owned(),
            key,
            source: Source::PublicKey,
        });
        Ok(())
    }

    /// Adds a platform certificate; its serial is read from the certificate.
    pub fn add_certificate(&mut self, certificate: &Certificate) {
        self.insert(Entry {
            id: certificate.serial().to_owned(),
            lookup: normalize_serial(certificate.serial()),
            key: certificate.public_key().clone(),
            source: Source::Certificate {
                not_before: certificate.not_before(),
                not_after: certificate.not_after(),
            },
        });
    }

    fn insert(&mut self, entry: Entry) {
        self.entries.retain(|e| e.lookup != entry.lookup);
        self.entries.push(entry);
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether a key with this serial or id is trusted (whatever its validity).
    pub fn contains(&self, serial: &str) -> bool {
        let lookup = lookup_form(serial);
        self.entries.iter().any(|e| e.lookup == lookup)
    }

    /// The ids of all trusted keys, public keys first.
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<(bool, &str)> = self
            .entries
            .iter()
            .map(|e| (matches!(e.source, Source::Certificate { .. }), e.id.as_str()))
            .collect();
        ids.sort_by_key(|(is_cert, _)| *is_cert);
        ids.into_iter().map(|(_, id)| id).collect()
    }

    /// The key the client asks the platform to sign with (`Wechatpay-Serial` request
    /// header): the first platform public key when one is configured, otherwise the
    /// certificate that became valid last (validity not considered; see
    /// [`Self::preferred_id_at`]).
    pub fn preferred_id(&self) -> Option<&str> {
        self.preferred_entry(None).map(|e| e.id.as_str())
    }

    /// [`Self::preferred_id`] among the keys usable at `now` (Unix seconds): certificates
    /// outside their validity period are passed over.
    pub fn preferred_id_at(&self, now: i64) -> Option<&str> {
        self.preferred_entry(Some(now)).map(|e| e.id.as_str())
    }

    fn preferred_entry(&self, now: Option<i64>) -> Option<&Entry> {
        let usable = |e: &&Entry| now.is_none_or(|now| e.is_valid_at(now));
        self.entries
            .iter()
            .filter(usable)
            .find(|e| matches!(e.source, Source::PublicKey))
            .or_else(|| {
                self.entries.iter().filter(usable).max_by_key(|e| match e.source {
                    Source::Certificate { not_before, not_after } => (not_before, not_after),
                    Source::PublicKey => (i64::MIN, i64::MIN),
                })
            })
    }

    /// The preferred key usable at `now`, with its id.
    pub(crate) fn preferred_at(&self, now: i64) -> Option<(&str, &RsaPublicKey)> {
        self.preferred_entry(Some(now)).map(|e| (e.id.as_str(), &e.key))
    }

    /// The trusted key named by `serial` and usable at `now` (an expired or not yet valid
    /// certificate is not), with the id it is known by.
    pub(crate) fn find_at(&self, serial: &str, now: i64) -> Option<(&str, &RsaPublicKey)> {
        let lookup = lookup_form(serial);
        self.entries
            .iter()
            .find(|e| e.lookup == lookup && e.is_valid_at(now))
            .map(|e| (e.id.as_str(), &e.key))
    }
}

/// Whether two serials or key ids name the same key.
pub(crate) fn same_key_id(a: &str, b: &str) -> bool {
    lookup_form(a) == lookup_form(b)
}

fn lookup_form(serial: &str) -> String {
    if serial.starts_with(PUBLIC_KEY_ID_PREFIX) {
        serial.to_owned()
    } else {
        normalize_serial(serial)
    }
}

/// Upper case, leading zeros dropped: `0abc` and `ABC` name the same certificate.
pub(crate) fn normalize_serial(serial: &str) -> String {
    let upper = serial.trim().to_ascii_uppercase();
    let trimmed = upper.trim_start_matches('0');
    if trimmed.is_empty() && !upper.is_empty() {
        "0".into()
    } else {
        trimmed.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert() -> Certificate {
        Certificate::from_pem(include_str!("../mock/keys/platform_cert.pem")).unwrap()
    }

    #[test]
    fn certificate_serials_match_case_insensitively_and_without_leading_zeros() {
        let mut keys = PlatformKeys::default();
        keys.add_certificate(&cert());
        assert!(keys.contains("5157F09EFDC096DE15EBE81A47057A7232F1B8E1"));
        assert!(keys.contains("5157f09efdc096de15ebe81a47057a7232f1b8e1"));
        assert!(keys.contains("005157F09EFDC096DE15EBE81A47057A7232F1B8E1"));
        assert!(!keys.contains("5157F09EFDC096DE15EBE81A47057A7232F1B8E2"));
    }

    #[test]
    fn prefers_the_public_key_over_certificates() {
        let mut keys = PlatformKeys::default();
        keys.add_certificate(&cert());
        assert_eq!(keys.preferred_id(), Some("5157F09EFDC096DE15EBE81A47057A7232F1B8E1"));
        keys.add_public_key(
            "PUB_KEY_ID_0114232134912410000000000000",
            include_str!("../mock/keys/platform_public_key.pem"),
        )
        .unwrap();
        assert_eq!(keys.preferred_id(), Some("PUB_KEY_ID_0114232134912410000000000000"));
        assert_eq!(keys.ids().len(), 2);
    }

    #[test]
    fn rejects_malformed_public_key_ids() {
        let mut keys = PlatformKeys::default();
        let pem = include_str!("../mock/keys/platform_public_key.pem");
        for id in ["", "PUB_KEY_ID_", "0114232134912410000000000000", "PUB_KEY_ID_01 14"] {
            assert!(keys.add_public_key(id, pem).is_err(), "{id:?}");
        }
    }
}
