//! One request on the wire: sign it with a fresh timestamp and nonce, send it, read the
//! answer within the size limit, map errors, verify.

use bytes::{Bytes, BytesMut};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};
use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::auth::{signing, verify};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::request::Prepared;
use crate::response::{Response, request_id};

/// An answer as received, before status mapping and verification.
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Signs a prepared request with a fresh timestamp and nonce, sends it, reads the answer
/// within the size limit and verifies it.
pub(crate) async fn execute(client: &Client, prepared: &Prepared) -> Result<Response> {
    let raw = send_raw(client, prepared).await?;
    if !raw.status.is_success() {
        return Err(api_error(raw.status, raw.headers, &raw.body));
    }
    let verified_by = if prepared.unsigned_download {
        // A file the platform does not sign: its digest and statement rules instead.
        crate::download::check_whole(client, &prepared.download, &raw.headers, &raw.body).await?
    } else {
        Some(
            client
                .verify_signed(&raw.headers, &raw.body, crate::certificates::Asker::Response)
                .await?,
        )
    };
    Ok(Response::new(raw.status, raw.headers, raw.body, verified_by))
}

/// Signs a prepared request with a fresh timestamp and nonce, sends it and reads the
/// answer within the size limit; no status mapping, no verification.
pub(crate) async fn send_raw(client: &Client, prepared: &Prepared) -> Result<RawResponse> {
    let mut response = send_request(client, prepared).await?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = read_body(response, client.inner.max_response_bytes).await?;
    Ok(RawResponse { status, headers, body })
}

/// Signs a prepared request with a fresh timestamp and nonce and sends it; the answer's
/// body is left unread.
pub(crate) async fn send_request(client: &Client, prepared: &Prepared) -> Result<reqwest::Response> {
    let inner = &client.inner;
    let timestamp = inner.clock.now();
    let nonce = signing::nonce()?;
    let authorization = inner.signer.authorize_with(
        prepared.method.as_str(),
        &prepared.target,
        &prepared.body,
        timestamp,
        &nonce,
    )?;

    let mut request = reqwest::Request::new(prepared.method.clone(), prepared.url.clone());
    let headers = request.headers_mut();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(USER_AGENT, inner.user_agent.clone());
    if let Some(multipart) = &prepared.multipart {
        headers.insert(CONTENT_TYPE, header_value(multipart.content_type())?);
        headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(multipart.body_length()));
    } else if prepared.has_body {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let serial = match &prepared.sensitive_serial {
        Some(serial) => Some(serial.clone()),
        None => inner.keys.current().preferred_id_at(timestamp).map(str::to_owned),
    };
    if let Some(serial) = serial {
        headers.insert(verify::SERIAL, header_value(serial)?);
    }
    for (name, value) in &prepared.headers {
        headers.insert(name.clone(), value.clone());
    }
    headers.insert(AUTHORIZATION, header_value(authorization)?);
    if let Some(hook) = &prepared.on_signed {
        (hook.0)(&crate::request::SignedRequest {
            method: prepared.method.as_str(),
            target: &prepared.target,
            timestamp,
            nonce: &nonce,
            body: &prepared.body,
            headers: request.headers(),
        });
    }
    if let Some(multipart) = &prepared.multipart {
        *request.body_mut() = Some(crate::media::multipart_body(multipart));
    } else if prepared.has_body {
        *request.body_mut() = Some(prepared.body.clone().into());
    }
    if let Some(timeout) = prepared.timeout {
        *request.timeout_mut() = Some(timeout);
    }

    inner.http.execute(request).await.map_err(Error::Transport)
}

/// A computed header value, checked and kept without a copy.
fn header_value(text: String) -> Result<HeaderValue> {
    HeaderValue::from_maybe_shared(Bytes::from(text))
        .map_err(|_| Error::Crypto("a computed header is not a valid header value"))
}

/// Reads the whole body, refusing to hold more than `limit` bytes.
pub(crate) async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Bytes> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(Error::BodyTooLarge { limit });
    }
    // Most answers arrive in one chunk: keep it as it is, and copy only when a second comes.
    let mut first: Option<Bytes> = None;
    let mut joined = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(Error::Transport)? {
        let held = first.as_ref().map_or(0, Bytes::len) + joined.len();
        if held + chunk.len() > limit {
            return Err(Error::BodyTooLarge { limit });
        }
        match first.take() {
            None if joined.is_empty() => first = Some(chunk),
            taken => {
                if let Some(taken) = taken {
                    joined.extend_from_slice(&taken);
                }
                joined.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| joined.freeze()))
}

/// The largest piece of a non-JSON error body kept in [`Error::Api`].
const MAX_ERROR_BODY: usize = 4096;

/// Maps a non-2xx answer to [`Error::Api`], reading the platform's JSON error body.
pub(crate) fn api_error(status: StatusCode, headers: HeaderMap, body: &[u8]) -> Error {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        code: Option<String>,
        message: Option<String>,
        detail: Option<Value>,
    }
    let request_id = request_id(&headers).map(str::to_owned);
    let headers = Box::new(headers);
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) if parsed.code.is_some() || parsed.message.is_some() => Error::Api {
            status: status.as_u16(),
            code: parsed.code,
            message: parsed.message,
            detail: parsed.detail.map(Box::new),
            request_id,
            body: None,
            headers,
        },
        _ => {
            let text = String::from_utf8_lossy(&body[..body.len().min(MAX_ERROR_BODY)]).into_owned();
            Error::Api {
                status: status.as_u16(),
                code: None,
                message: None,
                detail: None,
                request_id,
                body: (!text.is_empty()).then_some(text),
                headers,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer whose body arrives in the given chunks.
    fn chunked(chunks: Vec<&'static [u8]>) -> reqwest::Response {
        let stream = futures_util::stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c))),
        );
        reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(stream)))
    }

    #[tokio::test]
    async fn read_body_joins_chunks_in_order() {
        let body = read_body(chunked(vec![b"{\"a\":", b"", b"1", b"}"]), 64).await.unwrap();
        assert_eq!(&body[..], b"{\"a\":1}");
        let single = read_body(chunked(vec![b"one chunk"]), 64).await.unwrap();
        assert_eq!(&single[..], b"one chunk");
        assert!(read_body(chunked(vec![]), 64).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn read_body_limit_counts_every_chunk() {
        assert_eq!(
            &read_body(chunked(vec![b"12345", b"678"]), 8).await.unwrap()[..],
            b"12345678"
        );
        for chunks in [
            vec![b"12345" as &[u8], b"6789"],
            vec![b"123456789"],
            vec![b"1", b"2345678", b"9"],
        ] {
            match read_body(chunked(chunks.clone()), 8).await {
                Err(Error::BodyTooLarge { limit: 8 }) => {}
                other => panic!("{chunks:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn api_error_reads_code_message_and_detail() {
        let mut headers = HeaderMap::new();
        headers.insert("Request-ID", HeaderValue::from_static("08F0A4BB-1"));
        let body = br#"{"code":"PARAM_ERROR","message":"bad","detail":{"field":"/amount","issue":"x"}}"#;
        match api_error(StatusCode::BAD_REQUEST, headers, body) {
            Error::Api {
                status,
                code,
                message,
                detail,
                request_id,
                body,
                headers,
            } => {
                assert_eq!(status, 400);
                assert_eq!(headers["request-id"], "08F0A4BB-1", "the answer's headers are kept");
                assert_eq!(code.as_deref(), Some("PARAM_ERROR"));
                assert_eq!(message.as_deref(), Some("bad"));
                assert_eq!(detail.unwrap()["field"], "/amount");
                assert_eq!(request_id.as_deref(), Some("08F0A4BB-1"));
                assert!(body.is_none());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn api_error_keeps_a_non_json_body_shortened() {
        let html = "<html>".repeat(2000);
        match api_error(StatusCode::BAD_GATEWAY, HeaderMap::new(), html.as_bytes()) {
            Error::Api {
                code: None,
                body: Some(body),
                ..
            } => assert_eq!(body.len(), MAX_ERROR_BODY),
            other => panic!("{other:?}"),
        }
    }
}
