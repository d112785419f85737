//! One signed exchange on the wire: a prepared request, signed with a fresh timestamp and
//! nonce by an authentication [`Scheme`], sent, and its answer read within the size limit.
//! No status mapping, no verification, no retries: the layers above decide those. The caller
//! chooses the `Wechatpay-Serial` to send.

mod body;
pub(crate) mod deadline;
mod prepared;

pub(crate) use body::{Content, Multipart};
pub use prepared::SignedRequest;
pub(crate) use prepared::{Body, Check, Prepared, SignedHook};

use bytes::{Bytes, BytesMut};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, USER_AGENT};
use http::{HeaderMap, StatusCode};
use url::Url;

use crate::auth::signing::{self, Signer};
use crate::error::{BodyError, RequestError, Result, TransportError};
use crate::protocol::headers::SERIAL;

/// How one attempt is authenticated.
pub(crate) trait Scheme: Send + Sync {
    /// The `Authorization` header value for an attempt of `method target` with this signed
    /// body, timestamp and nonce; `None` when the scheme authenticates the body itself.
    fn authorize(&self, method: &str, target: &str, body: &[u8], timestamp: i64, nonce: &str)
    -> Result<Option<String>>;
}

/// APIv2: the body carries its own signature; no `Authorization` header.
pub(crate) struct SignedBody;

impl Scheme for SignedBody {
    fn authorize(&self, _: &str, _: &str, _: &[u8], _: i64, _: &str) -> Result<Option<String>> {
        Ok(None)
    }
}

/// APIv3: an RSA signature over the five-line message, in `Authorization`.
impl Scheme for Signer {
    fn authorize(
        &self,
        method: &str,
        target: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> Result<Option<String>> {
        self.authorize_with(method, target, body, timestamp, nonce).map(Some)
    }
}

/// An answer as received, before status mapping and verification.
#[derive(Debug)]
pub(crate) struct RawAnswer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// The HTTP clients and the settings every exchange shares. Cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Wire {
    http: reqwest::Client,
    /// The same, presenting the merchant certificate on TLS connections (mutual TLS), when
    /// one is configured.
    http_with_certificate: Option<reqwest::Client>,
    user_agent: HeaderValue,
    max_response_bytes: usize,
}

/// One attempt: where it goes and how it is signed.
pub(crate) struct Attempt<'a> {
    pub(crate) prepared: &'a Prepared,
    /// The URL to send to: the prepared one, or the same on a backup host.
    pub(crate) url: &'a Url,
    pub(crate) scheme: &'a dyn Scheme,
    /// The `Wechatpay-Serial` to send, if any.
    pub(crate) serial: Option<String>,
    /// The signature's timestamp, Unix seconds.
    pub(crate) timestamp: i64,
}

impl Wire {
    pub(crate) fn new(
        http: reqwest::Client,
        http_with_certificate: Option<reqwest::Client>,
        user_agent: HeaderValue,
        max_response_bytes: usize,
    ) -> Self {
        Self {
            http,
            http_with_certificate,
            user_agent,
            max_response_bytes,
        }
    }

    /// Whether the merchant certificate can be presented on TLS connections.
    pub(crate) fn has_client_certificate(&self) -> bool {
        self.http_with_certificate.is_some()
    }

    /// Signs, sends and reads the whole answer within the size limit.
    pub(crate) async fn exchange(&self, attempt: Attempt<'_>) -> Result<RawAnswer> {
        let endpoint = endpoint(attempt.prepared, attempt.url);
        let mut response = self.send(attempt).await?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = self.read_body(response, &endpoint).await?;
        Ok(RawAnswer { status, headers, body })
    }

    /// Signs and sends; the answer's body is left unread (downloads stream it).
    pub(crate) async fn send(&self, attempt: Attempt<'_>) -> Result<reqwest::Response> {
        let endpoint = endpoint(attempt.prepared, attempt.url);
        let http = match (attempt.prepared.client_certificate, &self.http_with_certificate) {
            (false, _) => &self.http,
            (true, Some(http)) => http,
            (true, None) => {
                return Err(crate::error::ConfigError::MissingClientCertificate { operation: endpoint }.into());
            }
        };
        let request = self.request(attempt)?;
        http.execute(request)
            .await
            .map_err(|e| TransportError::new(e, endpoint).into())
    }

    /// The signed request of one attempt.
    fn request(&self, attempt: Attempt<'_>) -> Result<reqwest::Request> {
        let Attempt {
            prepared,
            url,
            scheme,
            serial,
            timestamp,
        } = attempt;
        let nonce = signing::nonce()?;
        let signed_body = prepared.body.signed();
        let authorization = scheme.authorize(
            prepared.method.as_str(),
            &prepared.target,
            signed_body,
            timestamp,
            &nonce,
        )?;
        let mut request = reqwest::Request::new(prepared.method.clone(), url.clone());
        let headers = request.headers_mut();
        headers.insert(USER_AGENT, self.user_agent.clone());
        match &prepared.body {
            Body::Xml(_) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml; charset=utf-8"));
            }
            Body::Empty => {
                headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            }
            Body::Json(_) => {
                headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Body::Multipart(multipart) => {
                headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
                headers.insert(
                    CONTENT_TYPE,
                    header_value("Content-Type", multipart.frame.content_type())?,
                );
                headers.insert(CONTENT_LENGTH, HeaderValue::from(multipart.body_length()));
            }
        }
        if let Some(serial) = serial {
            headers.insert(SERIAL, header_value(SERIAL, serial)?);
        }
        for (name, value) in &prepared.headers {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(authorization) = authorization {
            headers.insert(AUTHORIZATION, header_value("Authorization", authorization)?);
        }
        if let Some(hook) = &prepared.on_signed {
            (hook.0)(&SignedRequest {
                method: prepared.method.as_str(),
                target: &prepared.target,
                timestamp,
                nonce: &nonce,
                body: signed_body,
                headers: request.headers(),
            });
        }
        *request.body_mut() = match &prepared.body {
            Body::Empty => None,
            Body::Json(bytes) | Body::Xml(bytes) => Some(bytes.clone().into()),
            Body::Multipart(multipart) => Some(multipart.stream()),
        };
        *request.timeout_mut() = prepared.timeout;
        Ok(request)
    }

    /// Reads the whole body, refusing to hold more than the limit; `endpoint` names the
    /// request in a transport error (see [`endpoint`]).
    pub(crate) async fn read_body(&self, response: reqwest::Response, endpoint: &str) -> Result<Bytes> {
        read_body(response, self.max_response_bytes)
            .await
            .map_err(|e| with_endpoint(e, endpoint))
    }
}

/// How a request is named in errors and logs: method, host (and port) and path template,
/// never the path's values or the query.
pub(crate) fn endpoint(prepared: &Prepared, url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port() {
        Some(port) => format!("{} {host}:{port}{}", prepared.method, prepared.template),
        None => format!("{} {host}{}", prepared.method, prepared.template),
    }
}

/// A transport error named after its request.
pub(crate) fn with_endpoint(error: crate::Error, endpoint: &str) -> crate::Error {
    match error {
        crate::Error::Transport(e) if e.endpoint().is_none() => {
            TransportError::new(e.into_source(), endpoint.to_owned()).into()
        }
        other => other,
    }
}

/// A computed header value, checked and kept without a copy.
fn header_value(name: &str, text: String) -> Result<HeaderValue> {
    HeaderValue::from_maybe_shared(Bytes::from(text)).map_err(|_| {
        RequestError::InvalidHeader {
            name: name.to_owned(),
            reason: "the computed value is not a valid header value",
        }
        .into()
    })
}

/// Reads the whole body, refusing to hold more than `limit` bytes.
async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Bytes> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge { limit }.into());
    }
    // Most answers arrive in one chunk: keep it as it is, and copy only when a second comes.
    let mut first: Option<Bytes> = None;
    let mut joined = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        let held = first.as_ref().map_or(0, Bytes::len) + joined.len();
        if held + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit }.into());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

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
                Err(Error::Body(BodyError::TooLarge { limit: 8 })) => {}
                other => panic!("{chunks:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_attempt_carries_the_signature_the_serial_and_the_callers_headers() {
        let key = crate::crypto::RsaPrivateKey::from_pem(include_str!("../mock/keys/merchant_key.pem")).unwrap();
        let signer = Signer::from_parts("1900000001".into(), "ABC".into(), key);
        let wire = Wire::new(reqwest::Client::new(), None, HeaderValue::from_static("ua"), 64);
        let url = Url::parse("http://127.0.0.1:1/v3/x?a=1").unwrap();
        let mut prepared = Prepared::get(url.clone(), "/v3/x");
        prepared.target = "/v3/x?a=1".into();
        prepared.headers.insert("x-extra", HeaderValue::from_static("1"));
        let request = wire
            .request(Attempt {
                prepared: &prepared,
                url: &url,
                scheme: &signer,
                serial: Some("PUB_KEY_ID_1".into()),
                timestamp: 1_719_128_975,
            })
            .unwrap();
        let headers = request.headers();
        assert_eq!(headers[SERIAL], "PUB_KEY_ID_1");
        assert_eq!(headers["x-extra"], "1");
        assert_eq!(headers[USER_AGENT], "ua");
        assert!(headers.get(CONTENT_TYPE).is_none());
        let authorization = headers[AUTHORIZATION].to_str().unwrap();
        let fields = signing::parse_authorization(authorization).unwrap();
        assert_eq!(
            (fields.mchid.as_str(), fields.timestamp.as_str()),
            ("1900000001", "1719128975")
        );
    }
}
