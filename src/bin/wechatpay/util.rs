//! Small helpers: dates, printing bodies, RSA key sizes.

use std::io::{IsTerminal as _, Write as _};

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The local clock, Unix seconds.
pub fn now() -> i64 {
    use wechatpay::clock::Clock as _;
    wechatpay::clock::SystemClock.now()
}

/// Writes a body to standard output: pretty JSON on a terminal, the bytes as received
/// otherwise.
pub fn print_body(body: &[u8]) {
    if body.is_empty() {
        return;
    }
    let mut out = std::io::stdout().lock();
    if std::io::stdout().is_terminal() {
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(value) => {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&value).unwrap_or_default());
            }
            Err(_) => {
                let _ = out.write_all(body);
                if !body.ends_with(b"\n") {
                    let _ = writeln!(out);
                }
            }
        }
    } else {
        let _ = out.write_all(body);
    }
    let _ = out.flush();
}

/// Writes a JSON value to standard output: pretty on a terminal, compact otherwise.
pub fn print_json(value: &serde_json::Value) {
    let text = if std::io::stdout().is_terminal() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// One DER element: tag, contents, and what follows it.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |acc, &b| (acc << 8) | b as usize);
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;

fn integer_bits(contents: &[u8]) -> usize {
    let trimmed: &[u8] = {
        let start = contents.iter().position(|&b| b != 0).unwrap_or(contents.len());
        &contents[start..]
    };
    match trimmed.first() {
        None => 0,
        Some(&first) => trimmed.len() * 8 - first.leading_zeros() as usize,
    }
}

/// The modulus size of an RSA key in DER: PKCS#1 or PKCS#8 private, PKCS#1 or SPKI public.
fn modulus_bits(der: &[u8], label: &str) -> Option<usize> {
    let (tag, seq, _) = tlv(der)?;
    if tag != SEQUENCE {
        return None;
    }
    match label {
        // RSAPrivateKey ::= SEQUENCE { version, modulus, ... }
        "RSA PRIVATE KEY" => {
            let (_, _, rest) = tlv(seq)?;
            let (tag, n, _) = tlv(rest)?;
            (tag == INTEGER).then(|| integer_bits(n))
        }
        // PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING }
        "PRIVATE KEY" => {
            let (_, _, rest) = tlv(seq)?;
            let (_, _, rest) = tlv(rest)?;
            let (tag, inner, _) = tlv(rest)?;
            (tag == OCTET_STRING).then_some(())?;
            modulus_bits(inner, "RSA PRIVATE KEY")
        }
        // RSAPublicKey ::= SEQUENCE { modulus, publicExponent }
        "RSA PUBLIC KEY" => {
            let (tag, n, _) = tlv(seq)?;
            (tag == INTEGER).then(|| integer_bits(n))
        }
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm, subjectPublicKey BIT STRING }
        "PUBLIC KEY" => {
            let (_, _, rest) = tlv(seq)?;
            let (tag, bits, _) = tlv(rest)?;
            (tag == BIT_STRING).then_some(())?;
            modulus_bits(bits.get(1..)?, "RSA PUBLIC KEY")
        }
        _ => None,
    }
}

/// The RSA modulus size of a PEM key (any of the four forms), or `None`.
pub fn pem_key_bits(pem: &str) -> Option<usize> {
    let (label, der) = der::pem::decode_vec(pem.trim().as_bytes()).ok()?;
    let der = zeroize::Zeroizing::new(der);
    modulus_bits(&der, label)
}

/// The RSA modulus size of a PEM certificate's public key, or `None`.
pub fn certificate_key_bits(pem: &str) -> Option<usize> {
    use der::{DecodePem as _, Encode as _};
    let cert = x509_cert::Certificate::from_pem(pem.trim().as_bytes()).ok()?;
    let spki = cert.tbs_certificate().subject_public_key_info().to_der().ok()?;
    modulus_bits(&spki, "PUBLIC KEY")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates() {
        assert_eq!(format_unix(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_unix(2_335_219_200), "2044-01-01 00:00:00 UTC");
        assert_eq!(format_unix(1_709_210_096), "2024-02-29 12:34:56 UTC");
    }

    #[test]
    fn reads_key_sizes() {
        use wechatpay::mock::keys;
        assert_eq!(pem_key_bits(keys::MERCHANT_PRIVATE_KEY), Some(2048));
        assert_eq!(pem_key_bits(keys::PLATFORM_PUBLIC_KEY), Some(2048));
        assert_eq!(certificate_key_bits(keys::MERCHANT_CERTIFICATE), Some(2048));
        assert_eq!(pem_key_bits("nonsense"), None);
    }
}
