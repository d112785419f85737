//! How a non-2xx answer reads: the platform's JSON error body
//! `{"code": "...", "message": "...", "detail": {...}}` and its `Request-ID` header.

use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::error::ApiError;

/// The largest piece of a non-JSON error body kept in [`ApiError::body`].
pub(crate) const MAX_ERROR_BODY: usize = 4096;

/// Reads a non-2xx answer into an [`ApiError`]: the code, message and detail of its JSON
/// body, or the start of the body as text when it is not that JSON.
pub(crate) fn api_error(status: StatusCode, headers: HeaderMap, body: &[u8]) -> ApiError {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        code: Option<String>,
        message: Option<String>,
        detail: Option<Value>,
    }
    let request_id = super::request_id(&headers).map(str::to_owned);
    let (code, message, detail, text) = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) if parsed.code.is_some() || parsed.message.is_some() => {
            (parsed.code, parsed.message, parsed.detail, None)
        }
        _ => {
            let text = String::from_utf8_lossy(&body[..body.len().min(MAX_ERROR_BODY)]).into_owned();
            (None, None, None, (!text.is_empty()).then_some(text))
        }
    };
    ApiError {
        status: status.as_u16(),
        code,
        message,
        detail,
        request_id,
        body: text,
        headers,
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn reads_code_message_and_detail() {
        let mut headers = HeaderMap::new();
        headers.insert("Request-ID", HeaderValue::from_static("08F0A4BB-1"));
        let body = br#"{"code":"PARAM_ERROR","message":"bad","detail":{"field":"/amount","issue":"x"}}"#;
        let e = api_error(StatusCode::BAD_REQUEST, headers, body);
        assert_eq!(e.status, 400);
        assert_eq!(e.headers["request-id"], "08F0A4BB-1", "the answer's headers are kept");
        assert_eq!(e.code.as_deref(), Some("PARAM_ERROR"));
        assert_eq!(e.message.as_deref(), Some("bad"));
        assert_eq!(e.detail.unwrap()["field"], "/amount");
        assert_eq!(e.request_id.as_deref(), Some("08F0A4BB-1"));
        assert!(e.body.is_none());
    }

    #[test]
    fn keeps_a_non_json_body_shortened() {
        let html = "<html>".repeat(2000);
        let e = api_error(StatusCode::BAD_GATEWAY, HeaderMap::new(), html.as_bytes());
        assert!(e.code.is_none());
        assert_eq!(e.body.unwrap().len(), MAX_ERROR_BODY);
    }
}
