//! What the mock does with one request: check its signature like the platform, route it,
//! sign the answer. No sockets here.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde_json::json;

use super::faults::Disruption;
use super::{Fault, MCHID, MERCHANT_SERIAL, MockReply, MockRequest, MockUpload, State};
use crate::auth::normalize_serial;
use crate::auth::signing::{self, parse_authorization};
use crate::crypto::base64_decode;
use crate::protocol::MAX_SKEW_SECONDS;
use crate::protocol::downloads::file_kind;
use crate::protocol::headers::STATEMENT_SHA1;
use crate::protocol::path::capture;

/// An answer ready to be written, and what the connection does with it.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) disruption: Disruption,
    /// A file streamed as the body (instead of `body`).
    pub(crate) file: Option<super::MockFile>,
}

/// The outcome of the platform's checks of a request: `Err` holds the answer refusing it.
type Authenticated = Result<(), Box<MockReply>>;

/// What the connection a request came on tells about it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Connection {
    /// A TLS connection whose client presented a certificate the sandbox CA issued.
    pub(crate) client_certificate: bool,
}

/// The platform's answer when it failed: a 500 with an HTML page.
pub(crate) fn server_error_page() -> MockReply {
    MockReply::raw(500, "<html><body><h1>500 Internal Server Error</h1></body></html>")
        .with_header("Content-Type", "text/html")
}

/// What a fault does to the connection.
pub(crate) fn disruption(fault: Option<&Fault>) -> Disruption {
    match fault {
        Some(Fault::DropBeforeHeaders) => Disruption::DropBeforeHeaders,
        Some(Fault::DropMidBody) => Disruption::DropMidBody,
        Some(Fault::Delay(delay)) => Disruption::Delay(*delay),
        _ => Disruption::None,
    }
}

impl State {
    /// Handles one request: an APIv2 one (see [`super::v2`]), or authenticate, route,
    /// record, sign the answer.
    pub(crate) fn handle(
        &self,
        method: Method,
        target: String,
        headers: HeaderMap,
        body: Bytes,
        connection: Connection,
    ) -> Answer {
        let fault = self.faults.lock().unwrap_or_else(|e| e.into_inner()).next();
        let path = target.split('?').next().unwrap_or("").to_owned();
        if let Some(endpoint) = self.v2_endpoint(&method, &path, &headers, &body) {
            let request = MockRequest {
                method,
                target,
                headers,
                body,
                params: HashMap::new(),
                handled: false,
                upload: None,
                verified: false,
                client_certificate: connection.client_certificate,
                status: 0,
                fault: fault.clone(),
            };
            return self.handle_v2(endpoint, request, fault.as_ref());
        }
        let request_id = format!(
            "08{:016X}{:014X}",
            self.clock.now(),
            self.request_counter.fetch_add(1, Ordering::Relaxed)
        );
        let (auth, upload) = self.authenticate(&method, &target, &headers, &body);
        let matched = self.find_route(&method, &path);
        let server_error = fault == Some(Fault::ServerError);
        let mut request = MockRequest {
            method,
            target,
            headers,
            body,
            params: matched.as_ref().map(|(_, p)| p.clone()).unwrap_or_default(),
            verified: auth.is_ok(),
            handled: auth.is_ok() && matched.is_some() && !server_error,
            upload,
            client_certificate: connection.client_certificate,
            status: 0,
            fault: fault.clone(),
        };
        let reply = match (auth, matched) {
            (Err(rejection), _) => *rejection,
            (Ok(()), _) if server_error => server_error_page(),
            (Ok(()), Some((handler, _))) => handler(&request),
            (Ok(()), None) => self.built_in(&mut request, fault.as_ref()),
        };
        request.status = reply.status.as_u16();
        let method = request.method.clone();
        self.requests.lock().unwrap_or_else(|e| e.into_inner()).push(request);
        self.answer(reply, &method, &path, &request_id, fault.as_ref())
    }

    /// The answer to an authenticated request no route answers: the certificate list, a
    /// catalogued operation (unless the catalogue is off), or `404 RESOURCE_NOT_EXISTS`.
    fn built_in(&self, request: &mut MockRequest, fault: Option<&Fault>) -> MockReply {
        if request.method == Method::GET && request.path() == "/v3/certificates" {
            request.handled = true;
            return self.certificates_reply(fault);
        }
        #[cfg(feature = "catalog")]
        if self.catalog.load(Ordering::Relaxed)
            && let Some(reply) = super::catalog::answer(request, &self.base_url())
        {
            request.handled = true;
            return reply;
        }
        MockReply::error(
            404,
            "RESOURCE_NOT_EXISTS",
            "the mock has no route for this method and path",
        )
    }

    /// The platform's checks: the signature (over an upload's meta part), then an upload's
    /// sha256 against its file. Returns the outcome and the upload's parts.
    fn authenticate(
        &self,
        method: &Method,
        target: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> (Authenticated, Option<MockUpload>) {
        let content_type = headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // The Authorization header is checked before anything else: a request that cannot be
        // the merchant's never gets its body scanned.
        let fields = match self.check_authorization_header(headers) {
            Ok(fields) => fields,
            Err(rejection) => return (Err(rejection), None),
        };
        if !content_type.starts_with("multipart/form-data") {
            return (self.check_signature(&fields, method, target, body), None);
        }
        let upload = match MockUpload::parse(content_type, body) {
            Ok(upload) => upload,
            Err(reason) => return (Err(Box::new(MockReply::error(400, "PARAM_ERROR", reason))), None),
        };
        let auth = self.check_signature(&fields, method, target, &upload.meta_text);
        let auth = match auth {
            Ok(()) if upload.meta["sha256"].as_str() != Some(&crate::crypto::sha256_hex(&upload.content)) => {
                Err(Box::new(MockReply::error(
                    400,
                    "PARAM_ERROR",
                    "the sha256 in meta does not match the file",
                )))
            }
            auth => auth,
        };
        (auth, Some(upload))
    }

    /// The answer to write: the reply with its Request-ID, signed unless it is one of the
    /// files the platform sends unsigned (a statement's SHA-1 header is signed instead), and
    /// the fault's effect on the connection.
    fn answer(&self, reply: MockReply, method: &Method, path: &str, request_id: &str, fault: Option<&Fault>) -> Answer {
        let disruption = disruption(fault);
        let statement = reply.statement;
        let mut answer = Answer {
            status: reply.status,
            headers: reply.headers,
            body: reply.body,
            disruption,
            file: reply.file,
        };
        if let Ok(v) = HeaderValue::from_str(request_id) {
            answer.headers.insert("Request-ID", v);
        }
        if !answer.status.is_success() {
            return answer;
        }
        if let (true, Some(file)) = (statement, &answer.file) {
            // A statement: the signature covers {"sha1":"..."}, the file travels unsigned.
            let sha1 = file.digests().0;
            let (signature, _) = self.sign_body(Bytes::from(format!(r#"{{"sha1":"{sha1}"}}"#)), fault);
            answer.headers.extend(signature);
            if let Ok(v) = HeaderValue::from_str(&sha1) {
                answer.headers.insert(STATEMENT_SHA1, v);
            }
        } else if file_kind(method, path).is_none() {
            let (signature, body) = self.sign_body(answer.body, fault);
            answer.headers.extend(signature);
            answer.body = body;
        }
        answer
    }

    pub(crate) fn find_route(&self, method: &Method, path: &str) -> Option<(super::Handler, HashMap<String, String>)> {
        let routes = self.routes.read().unwrap_or_else(|e| e.into_inner());
        routes.iter().rev().find_map(|route| {
            if route.method != *method {
                return None;
            }
            capture(&route.template, path).map(|params| (route.handler.clone(), params.into_iter().collect()))
        })
    }

    /// Checks the `Authorization` header's fields as the platform does before looking at the
    /// body: present, well formed, this merchant and serial, a timestamp within the window.
    /// The error is the 401 answer.
    fn check_authorization_header(&self, headers: &HeaderMap) -> Result<Authorization, Box<MockReply>> {
        let header = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| sign_error("the Authorization header is missing", None))?;
        let fields = parse_authorization(header).map_err(|reason| sign_error(reason, None))?;
        if fields.mchid != MCHID {
            return Err(sign_error("mchid does not match the merchant", None));
        }
        if normalize_serial(&fields.serial_no) != normalize_serial(MERCHANT_SERIAL) {
            return Err(sign_error("serial_no is not the merchant certificate's serial", None));
        }
        let timestamp: i64 = fields
            .timestamp
            .parse()
            .ok()
            .filter(|_| fields.timestamp.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| sign_error("timestamp is not decimal digits", None))?;
        if (self.clock.now() - timestamp).abs() > MAX_SKEW_SECONDS {
            return Err(sign_error("timestamp is outside the 300 s window", None));
        }
        Ok(Authorization { fields, timestamp })
    }

    /// Verifies the signature over the exact method, target and signed body; the error is
    /// the 401 answer, with the message the platform built.
    fn check_signature(&self, auth: &Authorization, method: &Method, target: &str, body: &[u8]) -> Authenticated {
        let message = signing::message(method.as_str(), target, auth.timestamp, &auth.fields.nonce, body);
        let valid = base64_decode(&auth.fields.signature)
            .is_some_and(|sig| self.merchant_public_key.verify_sha256(&message, &sig));
        if !valid {
            return Err(sign_error(
                "the signature does not match",
                Some((method, target, &message)),
            ));
        }
        Ok(())
    }
}

/// The checked fields of a request's `Authorization` header.
struct Authorization {
    fields: signing::AuthorizationFields,
    timestamp: i64,
}

/// The platform's 401 answer to a bad signature, with the message it built when the
/// signature itself did not match (so a client can see the difference).
fn sign_error(reason: &str, built: Option<(&Method, &str, &[u8])>) -> Box<MockReply> {
    let mut detail = json!({"field": "Authorization", "location": "header", "issue": reason});
    if let Some((method, target, message)) = built {
        let text = String::from_utf8_lossy(message);
        detail["sign_information"] = json!({
            "method": method.as_str(),
            "url": target,
            "sign_message_length": message.len(),
            "truncated_sign_message": text.chars().take(1024).collect::<String>(),
        });
    }
    Box::new(MockReply::json(
        401,
        &json!({"code": "SIGN_ERROR", "message": format!("signature verification failed: {reason}"), "detail": detail}),
    ))
}
