//! `wechatpay notify parse` of an APIv2 callback (an XML body): a payment result, its
//! `sign` verified with the APIv2 key; or a refund result, its `req_info` decrypted with it.
//! Such callbacks carry no headers to check and no timestamp.

use wechatpay::protocol::v2::{self, ApiV2Key, V2Error};

use crate::config::Config;
use crate::exit::{self, Failure};
use crate::output;

/// Whether a callback body is an APIv2 one: XML (after a byte order mark and whitespace,
/// as the XML reader takes it), where APIv3's is JSON.
pub fn is_v2(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    body.trim_ascii_start().starts_with(b"<")
}

/// Verifies (or decrypts) the callback and prints its fields; exit 5 when it does not.
pub fn parse(config: &Config, body: &[u8], at: Option<i64>) -> Result<u8, Failure> {
    if at.is_some() {
        return Err(Failure::usage(
            "--at: an APIv2 callback carries no time to check it against; leave --at out",
        ));
    }
    let key = config.apiv2_key()?.ok_or_else(|| {
        Failure::config(
            "reading an APIv2 callback needs the APIv2 key: set WECHATPAY_APIV2_KEY or give --apiv2-key-file FILE",
        )
    })?;
    let key = ApiV2Key::new(key.key.as_str()).map_err(|e| Failure::config(format!("{}: {e}", key.source)))?;
    // An empty field is outside the signature: only a req_info with content makes a refund
    // result (an empty one added to a payment result must not turn it away).
    let is_refund = v2::parse(body).is_ok_and(|doc| doc.fields.get("req_info").is_some_and(|v| !v.is_empty()));
    if is_refund {
        let refund = match v2::read_refund_notification(body, &key) {
            Ok(refund) => refund,
            Err(error) => return refused(&error),
        };
        note!("APIv2 refund result: req_info decrypted with the APIv2 key");
        note!(
            "note: it carries no signature; only the key vouches for it: confirm the refund with a query before \
             acting on it"
        );
        output::print_json(&refund.refund);
    } else {
        let fields = match v2::verify_notification(body, &key) {
            Ok(fields) => fields,
            Err(error) => return refused(&error),
        };
        let algorithm = fields.get(v2::SIGN_TYPE).and_then(|t| t.as_str()).unwrap_or("MD5");
        note!(
            "APIv2 callback: sign verified ({}) with the APIv2 key",
            v2::escape_for_display(algorithm)
        );
        output::print_json(&fields);
    }
    Ok(exit::OK)
}

/// A callback that did not verify or decrypt: exit 5 with what failed and what to check.
fn refused(error: &V2Error) -> Result<u8, Failure> {
    match error {
        V2Error::Signature(_) => {
            note!("error: the callback could not be authenticated: {error}");
            note!("  do not act on it: it may be forged or altered");
            note!("  {KEY_HINT}");
        }
        V2Error::ReqInfo(_) => {
            note!("error: the refund result could not be decrypted: {error}");
            note!("  do not act on it until it decrypts");
            note!("  {KEY_HINT}");
        }
        _ => {
            note!("error: the callback cannot be read: {error}");
            note!("  do not act on it");
        }
    }
    Ok(exit::VERIFICATION)
}

/// What to check when a callback does not verify or decrypt.
const KEY_HINT: &str = "check that the APIv2 key configured (WECHATPAY_APIV2_KEY, --apiv2-key-file) is the one set \
                        in the merchant platform (账户中心 > API安全 > API密钥), and that the body is the bytes \
                        received";
