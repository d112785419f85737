//! The ways the mock can misbehave, to test that clients refuse what they must and survive
//! what they can: signature faults (in the `Wechatpay-*` headers), body faults, connection
//! faults, and APIv2 faults (in the XML answer's fields). Shared with
//! `wechatpay mock serve --fault NAME`.
//!
//! Which answers each kind affects: the `Wechatpay-*` header faults and
//! [`Fault::CertificateSerialMismatch`] affect APIv3 answers only (APIv2 answers carry no
//! such headers); the `V2*` faults affect APIv2 answers only, and only those the platform
//! would have answered `return_code SUCCESS`; the body faults ([`Fault::TruncatedJson`],
//! [`Fault::OversizedBody`], [`Fault::InvalidUtf8`]) and the connection faults
//! ([`Fault::ServerError`], [`Fault::DropBeforeHeaders`], [`Fault::DropMidBody`],
//! [`Fault::Delay`]) affect both.

use std::collections::VecDeque;
use std::time::Duration;

/// A way for the mock to misbehave.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Leave out this `Wechatpay-*` header.
    MissingHeader(&'static str),
    /// Stamp the signature this many seconds away from the mock's clock (negative: in the past).
    SkewSeconds(i64),
    /// Sign correctly but name a serial the client does not know.
    UnknownSerial,
    /// Name a serial with characters no serial has (`<`, `"`, spaces).
    OddSerial,
    /// Sign the answer, then change one byte of the body (of the nonce when the body is
    /// empty, as a 204's is).
    TamperBody,
    /// Send a `WECHATPAY/SIGNTEST/` probe signature.
    SignTest,
    /// Send an empty `Wechatpay-Signature`.
    EmptySignature,
    /// Send every `Wechatpay-*` header twice (with different values for the signature).
    DuplicatedHeaders,
    /// Replace `Wechatpay-Timestamp` with this text (non-numeric, huge, ...).
    Timestamp(&'static str),
    /// List the first certificate of `/v3/certificates` under another certificate's serial.
    CertificateSerialMismatch,
    /// Send (and sign) only the first half of the JSON body.
    TruncatedJson,
    /// Send (and sign) a body of this many bytes.
    OversizedBody(usize),
    /// Send (and sign) a body that is not valid UTF-8.
    InvalidUtf8,
    /// Answer 500 with an HTML body without running the route (the platform failed).
    ServerError,
    /// Run the route (its side effect happens), then close the connection without answering.
    DropBeforeHeaders,
    /// Run the route, send the headers and half the body, then close the connection.
    DropMidBody,
    /// Answer after this delay.
    Delay(Duration),
    /// APIv2: sign the answer with another key than [`super::APIV2_KEY`].
    V2BadSign,
    /// APIv2: a verified business failure: `result_code FAIL`, `err_code SYSTEMERROR`.
    V2Fail,
    /// APIv2: refuse the call: `return_code FAIL` (unsigned, as such answers are).
    V2ReturnFail,
    /// APIv2: leave `sign` out of an answer that must be signed.
    V2Unsigned,
    /// APIv2: leave `result_code` out of the answer (the rest is signed correctly).
    V2MissingFields,
}

impl Fault {
    /// The names `wechatpay mock serve --fault` accepts, with what each does.
    pub const NAMES: &'static [(&'static str, &'static str)] = &[
        (
            "bad-signature",
            "sign the answer, then alter one byte of its body (or nonce)",
        ),
        ("signtest", "send a WECHATPAY/SIGNTEST/ probe signature"),
        ("empty-signature", "send an empty Wechatpay-Signature"),
        ("missing-headers", "leave out Wechatpay-Signature"),
        ("duplicate-headers", "send the Wechatpay-* headers twice"),
        ("skew", "sign with a timestamp 10 minutes old"),
        ("bad-timestamp", "send a non-numeric Wechatpay-Timestamp"),
        ("unknown-serial", "sign with a key the client does not know"),
        ("odd-serial", "name a serial with odd characters"),
        ("truncated-json", "send half the JSON body"),
        ("invalid-utf8", "send a body that is not UTF-8"),
        ("5xx", "answer 500 with an HTML body"),
        ("slow", "answer after 5 seconds"),
        ("drop", "close the connection before answering"),
        ("drop-mid-body", "close the connection halfway through the body"),
        ("v2-bad-sign", "APIv2: sign the XML answer with a wrong key"),
        ("v2-fail", "APIv2: answer result_code FAIL, err_code SYSTEMERROR"),
        ("v2-return-fail", "APIv2: answer return_code FAIL"),
        ("v2-unsigned", "APIv2: leave sign out of a signed answer"),
        ("v2-missing-fields", "APIv2: leave result_code out of the answer"),
    ];

    /// The fault named `name` (see [`Fault::NAMES`]).
    ///
    /// ```
    /// use wechatpay::mock::Fault;
    /// assert_eq!(Fault::from_name("drop"), Some(Fault::DropBeforeHeaders));
    /// assert_eq!(Fault::from_name("v2-fail"), Some(Fault::V2Fail));
    /// assert_eq!(Fault::from_name("nonsense"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Fault> {
        Some(match name {
            "bad-signature" => Fault::TamperBody,
            "signtest" => Fault::SignTest,
            "empty-signature" => Fault::EmptySignature,
            "missing-headers" => Fault::MissingHeader("Wechatpay-Signature"),
            "duplicate-headers" => Fault::DuplicatedHeaders,
            "skew" => Fault::SkewSeconds(-600),
            "bad-timestamp" => Fault::Timestamp("17191289xx"),
            "unknown-serial" => Fault::UnknownSerial,
            "odd-serial" => Fault::OddSerial,
            "truncated-json" => Fault::TruncatedJson,
            "invalid-utf8" => Fault::InvalidUtf8,
            "5xx" => Fault::ServerError,
            "slow" => Fault::Delay(Duration::from_secs(5)),
            "drop" => Fault::DropBeforeHeaders,
            "drop-mid-body" => Fault::DropMidBody,
            "v2-bad-sign" => Fault::V2BadSign,
            "v2-fail" => Fault::V2Fail,
            "v2-return-fail" => Fault::V2ReturnFail,
            "v2-unsigned" => Fault::V2Unsigned,
            "v2-missing-fields" => Fault::V2MissingFields,
            _ => return None,
        })
    }
}

/// What the connection does with an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Disruption {
    #[default]
    None,
    DropBeforeHeaders,
    DropMidBody,
    Delay(Duration),
}

/// Which fault applies to the next request: queued one-shot faults first, then a random
/// fault at the configured rate, then the standing fault.
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    pub(crate) standing: Option<Fault>,
    pub(crate) queued: VecDeque<Fault>,
    pub(crate) random: Option<(f64, Vec<Fault>)>,
}

impl FaultPlan {
    pub(crate) fn next(&mut self) -> Option<Fault> {
        if let Some(fault) = self.queued.pop_front() {
            return Some(fault);
        }
        if let Some((rate, faults)) = &self.random
            && !faults.is_empty()
        {
            let mut bytes = [0u8; 8];
            if getrandom::fill(&mut bytes).is_ok() {
                let draw = u64::from_le_bytes(bytes);
                let unit = (draw >> 11) as f64 / (1u64 << 53) as f64;
                if unit < *rate {
                    return Some(faults[(draw % faults.len() as u64) as usize].clone());
                }
            }
        }
        self.standing.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_is_a_fault() {
        for (name, _) in Fault::NAMES {
            assert!(Fault::from_name(name).is_some(), "{name}");
        }
        let v2: Vec<&str> = Fault::NAMES
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| name.starts_with("v2-"))
            .collect();
        assert_eq!(
            v2,
            [
                "v2-bad-sign",
                "v2-fail",
                "v2-return-fail",
                "v2-unsigned",
                "v2-missing-fields"
            ]
        );
    }
}
