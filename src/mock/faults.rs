//! The ways the mock can misbehave, to test that clients refuse what they must and survive
//! what they can: signature faults (in the `Wechatpay-*` headers), body faults, and
//! connection faults. Shared with `wechatpay mock serve --fault NAME`.

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
    ];

    /// The fault named `name` (see [`Fault::NAMES`]).
    ///
    /// ```
    /// use wechatpay::mock::Fault;
    /// assert_eq!(Fault::from_name("drop"), Some(Fault::DropBeforeHeaders));
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
