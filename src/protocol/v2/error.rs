//! The error type of the APIv2 layer. No variant carries the APIv2 key or anything derived
//! from it; text that came from the platform is kept as received and shown escaped (see
//! [`escape_for_display`](super::escape_for_display)).

use std::fmt;

use super::display::shown;
use super::escape_for_display;

/// Everything that can go wrong while preparing an APIv2 request or reading an answer or a
/// callback.
///
/// The platform's three kinds of answer each have their own variant: [`V2Error::Return`]
/// (it refused the call: `return_code` is not `SUCCESS`), [`V2Error::Signature`] (the answer
/// is not signed by the APIv2 key: do not trust it) and [`V2Error::Business`] (a verified
/// answer whose `result_code` is `FAIL`).
///
/// ```
/// use wechatpay::protocol::v2::{V2Error, read_answer, AnswerSignature, ApiV2Key, SignType};
/// let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
/// let answer = b"<xml><return_code>FAIL</return_code><return_msg>\xe7\xad\xbe\xe5\x90\x8d\xe9\x94\x99\xe8\xaf\xaf</return_msg></xml>";
/// match read_answer(answer, &key, AnswerSignature::Signed(SignType::Md5)) {
///     Err(V2Error::Return { return_msg, .. }) => assert_eq!(return_msg.as_deref(), Some("签名错误")),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), V2Error>(())
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum V2Error {
    /// The APIv2 key is unusable (never shown: only its length or the kind of problem).
    #[error("invalid APIv2 key: {0}")]
    InvalidKey(String),

    /// The XML document is not one this layer accepts.
    #[error(transparent)]
    Xml(#[from] XmlError),

    /// The request body is not a JSON object.
    #[error("an APIv2 request body must be a JSON object of strings, numbers and booleans")]
    NotAnObject,

    /// A field of a request (or of a document to render) is unusable.
    #[error("invalid field {}: {reason}", escape_for_display(name))]
    InvalidField {
        /// The field's name.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// The body names a merchant (`mch_id`, `mchid` or `combine_mch_id`) other than the
    /// configured one.
    #[error(
        "field {field} is {} but the client is configured for merchant {}",
        escape_for_display(found),
        escape_for_display(expected)
    )]
    MerchantMismatch {
        /// The field that names the merchant.
        field: &'static str,
        /// The configured merchant id.
        expected: String,
        /// The value in the body.
        found: String,
    },

    /// `sign_type` is neither absent, `MD5` nor `HMAC-SHA256`.
    #[error("unsupported sign_type {} (expected MD5 or HMAC-SHA256)", escape_for_display(.0))]
    UnsupportedSignType(String),

    /// The platform refused the call: `return_code` is not `SUCCESS` (or is missing). Such
    /// answers are usually unsigned: information, not proof.
    #[error(
        "the platform refused the call: return_code {}, return_msg {}",
        shown(return_code),
        shown(return_msg)
    )]
    Return {
        /// `return_code` as received (`FAIL`), `None` when the answer had none.
        return_code: Option<String>,
        /// `return_msg` as received (such as `签名错误`).
        return_msg: Option<String>,
    },

    /// The answer or callback is not signed by the APIv2 key: its fields must not be used.
    #[error("APIv2 signature check failed: {0}")]
    Signature(SignatureFailure),

    /// A verified answer whose `result_code` is `FAIL`: the platform processed the call and
    /// declined the operation.
    #[error(
        "the platform declined the operation: err_code {}, err_code_des {}",
        shown(err_code),
        shown(err_code_des)
    )]
    Business {
        /// `err_code` as received (such as `ORDERPAID`).
        err_code: Option<String>,
        /// `err_code_des` as received.
        err_code_des: Option<String>,
        /// Every field of the (verified, or unsigned-by-design) answer, as a JSON object of
        /// strings (boxed to keep the error small).
        answer: Box<serde_json::Value>,
    },

    /// A refund notification's `req_info` could not be decrypted into fields.
    #[error("refund notification req_info: {0}")]
    ReqInfo(&'static str),

    /// The random source failed (while drawing a `nonce_str`).
    #[error("the random source failed")]
    Random,
}

/// `Debug` shows every variant as derived would, except a business failure's `answer`, of
/// which only the field names are shown: its values may be order numbers and ids.
impl fmt::Debug for V2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidKey(reason) => f.debug_tuple("InvalidKey").field(reason).finish(),
            Self::Xml(xml) => f.debug_tuple("Xml").field(xml).finish(),
            Self::NotAnObject => f.write_str("NotAnObject"),
            Self::InvalidField { name, reason } => f
                .debug_struct("InvalidField")
                .field("name", name)
                .field("reason", reason)
                .finish(),
            Self::MerchantMismatch { field, expected, found } => f
                .debug_struct("MerchantMismatch")
                .field("field", field)
                .field("expected", expected)
                .field("found", found)
                .finish(),
            Self::UnsupportedSignType(name) => f.debug_tuple("UnsupportedSignType").field(name).finish(),
            Self::Return {
                return_code,
                return_msg,
            } => f
                .debug_struct("Return")
                .field("return_code", return_code)
                .field("return_msg", return_msg)
                .finish(),
            Self::Signature(failure) => f.debug_tuple("Signature").field(failure).finish(),
            Self::Business {
                err_code,
                err_code_des,
                answer,
            } => f
                .debug_struct("Business")
                .field("err_code", err_code)
                .field("err_code_des", err_code_des)
                .field("answer_fields", &crate::error::field_names(answer))
                .finish(),
            Self::ReqInfo(what) => f.debug_tuple("ReqInfo").field(what).finish(),
            Self::Random => f.write_str("Random"),
        }
    }
}

/// Why a signature check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureFailure {
    /// The document has no `sign` field (or an empty one).
    Missing,
    /// The `sign` field is neither 32 nor 64 characters long, so no algorithm fits it.
    UnexpectedLength(usize),
    /// The `sign` field does not match the fields and the key.
    Mismatch,
    /// The sign matches, but `field` is missing while another value holds `&field=`: the
    /// signed text (pairs joined by `&`, unescaped) also reads with `field` present, so the
    /// document may have had it taken out (a declined call's `result_code`, say).
    Ambiguous {
        /// The field that is missing from the document but named inside a value.
        field: &'static str,
    },
}

impl fmt::Display for SignatureFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("the sign field is missing"),
            Self::UnexpectedLength(len) => write!(f, "a sign of {len} characters fits neither MD5 nor HMAC-SHA256"),
            Self::Mismatch => f.write_str("the sign does not match the fields and the APIv2 key"),
            Self::Ambiguous { field } => write!(
                f,
                "the {field} field is missing but another value holds `&{field}=`: the signed text reads two ways"
            ),
        }
    }
}

/// Why an XML document was refused, and the byte offset in the input where it was seen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("XML refused at byte {offset}: {kind}")]
pub struct XmlError {
    /// What is wrong.
    pub kind: XmlErrorKind,
    /// The byte offset in the input.
    pub offset: usize,
}

/// What is wrong with an XML document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlErrorKind {
    /// The document is longer than the limit.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The bytes are not UTF-8.
    InvalidUtf8,
    /// The encoding declared is not UTF-8.
    UnsupportedEncoding,
    /// A character XML does not allow (a control character other than tab, CR and LF).
    ForbiddenCharacter,
    /// A document type declaration: refused, so no entity is ever declared or expanded.
    Doctype,
    /// An entity reference other than the five predefined ones (`&lt;` `&gt;` `&amp;`
    /// `&quot;` `&apos;`), or an `&` that starts no reference.
    Entity,
    /// A numeric character reference that names no allowed character.
    CharacterReference,
    /// A processing instruction (other than the XML declaration at the very start).
    ProcessingInstruction,
    /// An element with attributes (APIv2 documents have none).
    Attributes,
    /// A tag name that is not an ASCII XML name (`[A-Za-z_][A-Za-z0-9_.-]*`).
    InvalidName,
    /// The same field twice.
    Duplicate {
        /// The field's name.
        name: String,
    },
    /// An element inside a field: APIv2 documents are flat.
    Nested {
        /// The field that holds it.
        name: String,
    },
    /// A closing tag that does not match the open element.
    MismatchedTag {
        /// The name of the element left open.
        expected: String,
    },
    /// Text (other than whitespace) directly inside the root element or outside it.
    UnexpectedText,
    /// The document ends before the root element is closed, or has no root element.
    Truncated,
    /// Anything after the root element other than whitespace and comments.
    TrailingContent,
    /// Any other violation of the XML grammar.
    Malformed(&'static str),
}

impl fmt::Display for XmlErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { limit } => write!(f, "the document is larger than {limit} bytes"),
            Self::InvalidUtf8 => f.write_str("the document is not valid UTF-8"),
            Self::UnsupportedEncoding => f.write_str("the declared encoding is not UTF-8"),
            Self::ForbiddenCharacter => f.write_str("a control character that XML does not allow"),
            Self::Doctype => f.write_str("document type declarations are refused"),
            Self::Entity => f.write_str("only the five predefined entities and character references are allowed"),
            Self::CharacterReference => f.write_str("a character reference to a character XML does not allow"),
            Self::ProcessingInstruction => f.write_str("processing instructions are refused"),
            Self::Attributes => f.write_str("attributes are not allowed"),
            Self::InvalidName => f.write_str("a tag name that is not an ASCII XML name"),
            Self::Duplicate { name } => write!(f, "field {name} appears twice"),
            Self::Nested { name } => write!(f, "field {name} holds an element (documents must be flat)"),
            Self::MismatchedTag { expected } => write!(f, "the closing tag does not match <{expected}>"),
            Self::UnexpectedText => f.write_str("text outside a field"),
            Self::Truncated => f.write_str("the document ends early"),
            Self::TrailingContent => f.write_str("content after the root element"),
            Self::Malformed(what) => write!(f, "malformed {what}"),
        }
    }
}

/// Each failure joins the crate's error group for its cause: what the caller gave (a request
/// body, a key) is a request or configuration error, an answer that is not signed is a
/// verification failure, an unreadable document a body error, and what the platform said
/// an [`ApiV2Error`](crate::error::ApiV2Error).
impl From<V2Error> for crate::Error {
    fn from(e: V2Error) -> Self {
        use crate::error::{ApiV2Error, BodyError, ConfigError, RequestError, VerificationError};
        match e {
            V2Error::InvalidKey(reason) => ConfigError::InvalidApiV2Key { reason }.into(),
            V2Error::Xml(xml) => BodyError::Xml {
                reason: xml.to_string(),
            }
            .into(),
            V2Error::MerchantMismatch { field, expected, found } => RequestError::MerchantMismatch {
                field,
                expected,
                found: crate::text::sanitize(&found),
            }
            .into(),
            e @ (V2Error::NotAnObject | V2Error::InvalidField { .. } | V2Error::UnsupportedSignType(_)) => {
                RequestError::InvalidBody { reason: e.to_string() }.into()
            }
            V2Error::Return {
                return_code,
                return_msg,
            } => ApiV2Error::Refused {
                return_code,
                return_msg,
            }
            .into(),
            V2Error::Signature(failure) => VerificationError::BadV2Signature {
                reason: failure.to_string(),
            }
            .into(),
            V2Error::Business {
                err_code,
                err_code_des,
                answer,
            } => ApiV2Error::Declined {
                err_code,
                err_code_des,
                answer: *answer,
            }
            .into(),
            V2Error::ReqInfo(what) => crate::Error::Decryption { what },
            V2Error::Random => crate::Error::Crypto("the random source failed"),
        }
    }
}
