//! Exit codes (documented in `wechatpay --help`) and the failure every command returns.

use wechatpay::Error;
use wechatpay::error::{BodyError, RequestError};

/// Success: a verified 2xx answer, every doctor check passed.
pub const OK: u8 = 0;
/// Any other failure: a doctor check FAILed, a file could not be written.
pub const FAILURE: u8 = 1;
/// Bad arguments, or a request that cannot be built.
pub const USAGE: u8 = 2;
/// Missing or invalid configuration, unreadable or unfit keys.
pub const CONFIG: u8 = 3;
/// The platform answered non-2xx, or refused or declined an APIv2 call.
pub const API: u8 = 4;
/// An answer or callback could not be authenticated or decrypted.
pub const VERIFICATION: u8 = 5;
/// Connection, TLS or timeout.
pub const TRANSPORT: u8 = 6;

/// Why a command failed: the exit code and what to print after `error: `.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(USAGE, message)
    }

    pub fn config(message: impl Into<String>) -> Self {
        Self::new(CONFIG, message)
    }

    pub fn other(message: impl Into<String>) -> Self {
        Self::new(FAILURE, message)
    }
}

/// The exit code for a library error.
pub fn code_of(error: &Error) -> u8 {
    let error = error.last_cause();
    if error.is_verification_failure() {
        return VERIFICATION;
    }
    match error {
        Error::Api(_) | Error::ApiV2(_) => API,
        Error::Transport(_) | Error::DeadlineExceeded { .. } => TRANSPORT,
        Error::Decryption { .. }
        | Error::Body(BodyError::CertificateDownload { .. } | BodyError::MalformedNotification { .. }) => VERIFICATION,
        Error::Config(_) => CONFIG,
        Error::Request(
            RequestError::InvalidPath { .. }
            | RequestError::IdentifierInPath { .. }
            | RequestError::MissingParam { .. }
            | RequestError::UnusedParam { .. }
            | RequestError::InvalidParam { .. }
            | RequestError::InvalidHeader { .. }
            | RequestError::InvalidBody { .. }
            | RequestError::MerchantMismatch { .. }
            | RequestError::SensitiveField { .. },
        ) => USAGE,
        _ => FAILURE,
    }
}

/// The error with its causes, `: `-separated (reqwest hides the useful part in its sources).
pub fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl From<Error> for Failure {
    /// The error, with how to give the setting it found missing when it names one.
    fn from(error: Error) -> Self {
        let mut message = describe(&error);
        if let Some(hint) = crate::config::hint(&error) {
            message.push_str("\n  ");
            message.push_str(&hint);
        }
        Failure::new(code_of(&error), message)
    }
}
