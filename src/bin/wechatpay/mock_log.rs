//! The line `wechatpay mock serve` prints for each request it received: what was asked,
//! what the sandbox answered, whether the request's signature verified, and the fault that
//! shaped the answer. Everything that came from the request is escaped first.

use wechatpay::mock::{Fault, MockRequest};
use wechatpay::protocol::v2::escape_for_display;

/// `METHOD TARGET  -> STATUS  verified: yes|no[  fault: NAME]`.
pub fn request_line(request: &MockRequest) -> String {
    let mut line = format!(
        "{} {}  -> {}  verified: {}",
        escape_for_display(request.method.as_str()),
        escape_for_display(&request.target),
        request.status,
        if request.verified { "yes" } else { "no" }
    );
    if let Some(fault) = &request.fault {
        line.push_str("  fault: ");
        line.push_str(&fault_name(fault));
    }
    line
}

/// The fault's `--fault` name, or its description for one that has no name.
fn fault_name(fault: &Fault) -> String {
    Fault::NAMES
        .iter()
        .find(|(name, _)| Fault::from_name(name).as_ref() == Some(fault))
        .map(|(name, _)| (*name).to_owned())
        .unwrap_or_else(|| format!("{fault:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str, status: u16, fault: Option<Fault>) -> MockRequest {
        MockRequest {
            method: wechatpay::Method::POST,
            target: target.to_owned(),
            headers: http::HeaderMap::new(),
            body: bytes::Bytes::new(),
            params: Default::default(),
            handled: true,
            upload: None,
            verified: status != 401,
            client_certificate: false,
            status,
            fault,
        }
    }

    #[test]
    fn the_line_tells_the_status_and_the_fault() {
        assert_eq!(
            request_line(&request("/v3/refund/domestic/refunds", 200, None)),
            "POST /v3/refund/domestic/refunds  -> 200  verified: yes"
        );
        assert_eq!(
            request_line(&request("/v3/x", 401, Some(Fault::TamperBody))),
            "POST /v3/x  -> 401  verified: no  fault: bad-signature"
        );
        assert_eq!(
            request_line(&request("/v3/x", 200, Some(Fault::SkewSeconds(5)))),
            "POST /v3/x  -> 200  verified: yes  fault: SkewSeconds(5)"
        );
    }

    #[test]
    fn what_came_from_the_request_is_escaped() {
        let line = request_line(&request("/v3/a?x=\u{1b}[2J\r\n\u{202e}", 404, None));
        assert!(!line.chars().any(|c| c.is_control() || c == '\u{202e}'), "{line:?}");
        assert!(line.starts_with("POST /v3/a?x=\\u{1b}[2J"), "{line}");
    }
}
