//! APIv2, the platform's older XML protocol: the pure, network-free part.
//!
//! Everything here works on bytes and values: no client, no transport. The pieces, each in
//! its own module:
//!
//! - [`ApiV2Key`]: the 32-character key, checked, never shown, wiped on drop;
//! - fields: a flat document is a [`Fields`] map; [`fields_from_json`] turns a request body
//!   into one, [`fields_to_json`] turns one into a JSON object of strings;
//! - XML: [`render`] writes a flat document, [`parse`] reads one (hostile-input safe: no
//!   DTD, no entity expansion, size-capped, linear time);
//! - signatures: [`string_to_sign`], [`sign`], [`verify`], [`verify_answer`],
//!   [`SignType`], [`nonce_str`];
//! - requests: [`prepare`] checks, completes and signs a JSON body, giving the XML of a
//!   POST or the query string of a GET;
//! - answers: [`read_answer`] tells a refusal, a bad signature and a business failure
//!   apart; [`UNSIGNED_ANSWERS`] lists the endpoints that answer unsigned;
//!   [`classify_download`] tells a bill from an error;
//! - callbacks: [`verify_notification`], [`read_refund_notification`], [`SUCCESS_REPLY`],
//!   [`failure_reply`]; [`encrypt_req_info`] for tests of a receiver.
//!
//! A round trip, request to answer:
//!
//! ```
//! use serde_json::json;
//! use wechatpay::protocol::v2::{AnswerSignature, ApiV2Key, SignType, prepare, read_answer, render_fields, sign, parse};
//!
//! let key = ApiV2Key::new("192006250b4c09247ec02edce69f6a2d")?;
//! let request = prepare(&json!({"mch_id": "10000100", "out_trade_no": "T1"}), "10000100", &key)?;
//! // ... POST request.xml() to pay/orderquery; the platform answers signed fields:
//! let mut fields = parse(request.xml().as_bytes())?.fields;
//! fields.insert("return_code".into(), "SUCCESS".into());
//! fields.insert("trade_state".into(), "SUCCESS".into());
//! fields.insert("sign".into(), sign(&fields, &key, SignType::Md5));
//! let answer_body = render_fields(&fields)?;
//!
//! let signature = AnswerSignature::for_endpoint("v2/pay/orderquery", request.sign_type());
//! let answer = read_answer(answer_body.as_bytes(), &key, signature)?;
//! assert_eq!(answer["trade_state"], "SUCCESS");
//! # Ok::<(), wechatpay::protocol::v2::V2Error>(())
//! ```

mod answer;
mod display;
mod download;
mod endpoints;
mod error;
mod fields;
mod key;
mod notify;
mod request;
mod sign;
mod unsigned;
mod xml_parse;
mod xml_render;

pub(crate) use answer::read_verified;
pub use answer::{AnswerSignature, read_answer};
pub use display::{MAX_DISPLAY_CHARS, escape_for_display};
pub use download::{DOWNLOAD_ENDPOINTS, DownloadKind, classify_download, is_download_endpoint};
pub use endpoints::{CLIENT_CERTIFICATE, OTHER_HOSTS, needs_client_certificate, other_host};
pub use error::{SignatureFailure, V2Error, XmlError, XmlErrorKind};
pub use fields::{Fields, fields_from_json, fields_to_json, is_field_name};
pub use key::{API_V2_KEY_LEN, ApiV2Key};
pub use notify::{
    RefundNotification, SUCCESS_REPLY, decrypt_req_info, encrypt_req_info, failure_reply, read_refund_notification,
    verify_notification,
};
pub use request::{MERCHANT_FIELDS, PreparedRequest, prepare};
pub use sign::{NONCE_STR, SIGN, SIGN_TYPE, SignType, nonce_str, sign, string_to_sign, verify, verify_answer};
pub use unsigned::{UNSIGNED_ANSWERS, answers_unsigned, endpoint};
pub use xml_parse::{MAX_DOCUMENT_BYTES, XmlDocument, parse, parse_with_limit};
pub use xml_render::{render, render_fields};
