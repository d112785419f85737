//! APIv2 in the sandbox: which requests are APIv2 ones, the platform's checks (client
//! certificate, method, merchant, `sign`), and the XML answers, completed, signed with the
//! APIv2 key and shaped by faults. The catalogue's answers are in `v2_catalog`; the rules
//! are in the module documentation of [`super`].

#[cfg(feature = "catalog")]
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde_json::Value;

use super::handler::{Answer, disruption, server_error_page};
use super::{Fault, MCHID, MockReply, MockRequest, State};
use crate::protocol::v2::{
    self, ApiV2Key, Fields, MERCHANT_FIELDS, NONCE_STR, SIGN, SignType, render_fields, sign, verify,
};

/// What the sandbox knows of an APIv2 request's endpoint.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Endpoint {
    /// The operation needs the merchant's client certificate.
    pub(crate) cert_required: bool,
    /// The operation's method, when the request used another one.
    pub(crate) wrong_method: Option<&'static str>,
}

/// An APIv2 answer before it is written.
pub(crate) enum V2Reply {
    /// Fields to complete and write as XML; signed when `signed`, the endpoint signs its
    /// answers and `return_code` is `SUCCESS`.
    Fields {
        status: StatusCode,
        fields: Fields,
        signed: bool,
    },
    /// Written as it is: a route's answer that is not a JSON object, a bill, the 500 page.
    Raw(Box<MockReply>),
}

/// The platform's answer refusing a call: status 200, `return_code FAIL`, unsigned.
pub(crate) fn refusal(message: impl Into<String>) -> V2Reply {
    refusal_with(StatusCode::OK, message, &[])
}

/// A refusal with this status and extra fields.
pub(crate) fn refusal_with(status: StatusCode, message: impl Into<String>, extra: &[(&str, &str)]) -> V2Reply {
    let mut fields = Fields::from([
        ("return_code".to_owned(), "FAIL".to_owned()),
        ("return_msg".to_owned(), message.into()),
    ]);
    fields.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    V2Reply::Fields {
        status,
        fields,
        signed: false,
    }
}

/// The answer to an operation that needs the merchant's client certificate, reached without
/// one: the platform's words for a certificate problem (`CA_ERROR`), and the sandbox's for
/// what is wrong.
fn certificate_refusal() -> V2Reply {
    refusal_with(
        StatusCode::OK,
        "CA证书出错，请登录微信支付商户平台下载证书",
        &[
            ("err_code", "CA_ERROR"),
            ("err_code_des", "请求未携带商户API证书（TLS 客户端证书）"),
        ],
    )
}

/// Why a request's fields could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldsError {
    /// No body and no query string.
    Empty,
    /// The body is not a flat XML document.
    Xml,
}

/// The fields of an APIv2 request: the XML body's, or the query string's when there is no
/// body (GET).
pub(crate) fn request_fields(query: Option<&str>, body: &[u8]) -> Result<Fields, FieldsError> {
    if !body.is_empty() {
        return v2::parse(body)
            .map(|document| document.fields)
            .map_err(|_| FieldsError::Xml);
    }
    match query {
        Some(query) if !query.is_empty() => Ok(url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()),
        _ => Err(FieldsError::Empty),
    }
}

/// Whether a body is an `<xml>` document (after a byte order mark and whitespace).
fn looks_like_xml(body: &[u8]) -> bool {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    body[start..].starts_with(b"<xml>")
}

/// A request that passed the checks: its fields and the algorithm that signed it.
pub(crate) struct Checked {
    pub(crate) fields: Fields,
    sign_type: SignType,
}

impl State {
    /// The request's APIv2 endpoint, when it is an APIv2 request: its path is a catalogued
    /// v2 wire path, or it has no `Authorization` and an `<xml>` body. Nothing under `/v3/`.
    pub(crate) fn v2_endpoint(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Option<Endpoint> {
        if path == "/v3" || path.starts_with("/v3/") {
            return None;
        }
        #[cfg(feature = "catalog")]
        if let Some(endpoint) = super::v2_catalog::endpoint(method, path) {
            return Some(endpoint);
        }
        let _ = method;
        (!headers.contains_key(http::header::AUTHORIZATION) && looks_like_xml(body)).then(|| Endpoint {
            cert_required: v2::needs_client_certificate(path),
            wrong_method: None,
        })
    }

    /// Handles an APIv2 request: the checks, then a route or the catalogue; records it and
    /// writes the answer.
    pub(crate) fn handle_v2(&self, endpoint: Endpoint, mut request: MockRequest, fault: Option<&Fault>) -> Answer {
        let (reply, sign_type) = match self.v2_checks(endpoint, &request) {
            Err(refusal) => (refusal, SignType::Md5),
            Ok(checked) => {
                request.verified = true;
                (self.v2_reply(&mut request, &checked, fault), checked.sign_type)
            }
        };
        let endpoint_signs = !v2::answers_unsigned(request.path());
        let answer = self.v2_write(reply, endpoint_signs, sign_type, fault);
        request.status = answer.status.as_u16();
        self.requests.lock().unwrap_or_else(|e| e.into_inner()).push(request);
        answer
    }

    /// The platform's checks, in its order: the client certificate (TLS mode), the method,
    /// the fields, the merchant, the signature. The error is the answer refusing the call.
    fn v2_checks(&self, endpoint: Endpoint, request: &MockRequest) -> Result<Checked, V2Reply> {
        if self.tls && endpoint.cert_required && !request.client_certificate {
            return Err(certificate_refusal());
        }
        if let Some(method) = endpoint.wrong_method {
            return Err(refusal(format!("请使用{}方法", method.to_ascii_lowercase())));
        }
        let fields = request_fields(request.query(), &request.body).map_err(|e| match e {
            FieldsError::Empty => refusal("post数据为空"),
            FieldsError::Xml => refusal("XML格式错误"),
        })?;
        for field in MERCHANT_FIELDS {
            if fields.get(field).is_some_and(|value| value != MCHID) {
                return Err(refusal(format!("{field}参数错误：不是沙箱的商户号 {MCHID}")));
            }
        }
        let sign_type = SignType::of(&fields).map_err(|_| refusal("sign_type参数错误"))?;
        verify(&fields, &self.apiv2_key, sign_type).map_err(|_| refusal("签名错误"))?;
        Ok(Checked { fields, sign_type })
    }

    /// The answer to a request that passed the checks: the 500 page of a server-error
    /// fault, a route's, the catalogue's, or a 404 refusal.
    fn v2_reply(&self, request: &mut MockRequest, checked: &Checked, fault: Option<&Fault>) -> V2Reply {
        if fault == Some(&Fault::ServerError) {
            return V2Reply::Raw(Box::new(server_error_page()));
        }
        if let Some((handler, params)) = self.find_route(&request.method, request.path()) {
            request.params = params;
            request.handled = true;
            return from_route(handler(request));
        }
        #[cfg(feature = "catalog")]
        if self.catalog.load(Ordering::Relaxed)
            && let Some(reply) = super::v2_catalog::answer(&request.method, request.path(), &checked.fields, fault)
        {
            request.handled = true;
            return reply;
        }
        #[cfg(not(feature = "catalog"))]
        let _ = &checked.fields;
        refusal_with(
            StatusCode::NOT_FOUND,
            "接口不存在：the sandbox has no route for this path",
            &[],
        )
    }

    /// The answer as written: the fields completed, faulted, signed and rendered; the body
    /// fault and the connection fault applied.
    fn v2_write(&self, reply: V2Reply, endpoint_signs: bool, sign_type: SignType, fault: Option<&Fault>) -> Answer {
        let reply = match reply {
            V2Reply::Raw(reply) => *reply,
            V2Reply::Fields { status, fields, signed } => {
                let fields = self.v2_finish(fields, signed && endpoint_signs, sign_type, fault);
                match render_fields(&fields) {
                    Ok(xml) => {
                        MockReply::raw(status.as_u16(), xml).with_header("Content-Type", "text/xml; charset=utf-8")
                    }
                    Err(e) => MockReply::raw(500, format!("the route's answer cannot be written as APIv2 XML: {e}"))
                        .with_header("Content-Type", "text/plain; charset=utf-8"),
                }
            }
        };
        Answer {
            status: reply.status,
            headers: reply.headers,
            body: body_fault(reply.body, fault),
            disruption: disruption(fault),
            file: reply.file,
        }
    }

    /// A successful answer's last touches: the APIv2 fault, then `nonce_str` and `sign`
    /// (with the request's algorithm) when it is to be signed and has no `sign` yet.
    fn v2_finish(&self, fields: Fields, signed: bool, sign_type: SignType, fault: Option<&Fault>) -> Fields {
        if !succeeded(&fields) {
            return fields;
        }
        let mut fields = apply_fault(fields, fault);
        if !signed || !succeeded(&fields) || fields.contains_key(SIGN) || fault == Some(&Fault::V2Unsigned) {
            return fields;
        }
        if fields.get(NONCE_STR).is_none_or(String::is_empty) {
            let nonce = v2::nonce_str().unwrap_or_else(|_| "wechatpayRsMockNonce000000000000".to_owned());
            fields.insert(NONCE_STR.to_owned(), nonce);
        }
        let signature = if fault == Some(&Fault::V2BadSign) {
            match ApiV2Key::new(WRONG_KEY) {
                Ok(wrong) => sign(&fields, &wrong, sign_type),
                Err(_) => return fields,
            }
        } else {
            sign(&fields, &self.apiv2_key, sign_type)
        };
        fields.insert(SIGN.to_owned(), signature);
        fields
    }
}

/// The key [`Fault::V2BadSign`] signs with: not [`super::APIV2_KEY`].
const WRONG_KEY: &str = "wechatpayRsMockWrongApiV2Key0032";

/// The fields a business failure keeps: who answered and for whom.
const IDENTITY_FIELDS: [&str; 9] = [
    "return_code",
    "return_msg",
    "appid",
    "mch_id",
    "mchid",
    "sub_appid",
    "sub_mch_id",
    "device_info",
    NONCE_STR,
];

fn succeeded(fields: &Fields) -> bool {
    fields.get("return_code").map(String::as_str) == Some("SUCCESS")
}

/// A successful answer as an APIv2 fault makes it.
fn apply_fault(mut fields: Fields, fault: Option<&Fault>) -> Fields {
    match fault {
        Some(Fault::V2ReturnFail) => {
            return Fields::from([
                ("return_code".to_owned(), "FAIL".to_owned()),
                ("return_msg".to_owned(), "系统繁忙，请稍后再试".to_owned()),
            ]);
        }
        Some(Fault::V2Fail) => {
            fields.retain(|name, _| IDENTITY_FIELDS.contains(&name.as_str()));
            for (name, value) in [
                ("result_code", "FAIL"),
                ("err_code", "SYSTEMERROR"),
                ("err_code_des", "系统错误"),
            ] {
                fields.insert(name.to_owned(), value.to_owned());
            }
        }
        Some(Fault::V2MissingFields) => {
            fields.remove("result_code");
        }
        _ => {}
    }
    fields
}

/// A route's answer: a JSON object body becomes the answer's fields (`return_code` and
/// `result_code` default to `SUCCESS`); anything else is sent as it is.
fn from_route(reply: MockReply) -> V2Reply {
    if reply.file.is_some() {
        return V2Reply::Raw(Box::new(reply));
    }
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(&reply.body) else {
        return V2Reply::Raw(Box::new(reply));
    };
    let mut fields: Fields = object
        .into_iter()
        .filter_map(|(name, value)| text_of(&value).map(|text| (name, text)))
        .collect();
    fields
        .entry("return_code".to_owned())
        .or_insert_with(|| "SUCCESS".to_owned());
    if succeeded(&fields) {
        fields
            .entry("result_code".to_owned())
            .or_insert_with(|| "SUCCESS".to_owned());
    }
    V2Reply::Fields {
        status: reply.status,
        fields,
        signed: true,
    }
}

/// A JSON value as an APIv2 field's text: strings as they are, numbers and booleans as
/// their JSON text, objects and arrays as JSON text; `None` for `null` (no field).
pub(crate) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// The body as a body fault makes it (the APIv2 answer is not signed in headers, so the
/// fault applies after signing).
fn body_fault(body: Bytes, fault: Option<&Fault>) -> Bytes {
    match fault {
        Some(Fault::TruncatedJson) => body.slice(..body.len() / 2),
        Some(Fault::OversizedBody(size)) => {
            let mut big = b"<xml><padding>".to_vec();
            big.resize(size.saturating_sub(16).max(big.len()), b'x');
            big.extend_from_slice(b"</padding></xml>");
            Bytes::from(big)
        }
        Some(Fault::InvalidUtf8) => Bytes::from_static(b"<xml><return_code>\xff\xfe</return_code></xml>"),
        _ => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_from_the_body_or_else_the_query() {
        let fields = request_fields(Some("a=1"), b"<xml><b>2</b></xml>").unwrap();
        assert_eq!(fields, Fields::from([("b".to_owned(), "2".to_owned())]));
        let fields = request_fields(Some("a=%E4%B8%AD%20x&c="), b"").unwrap();
        assert_eq!(fields["a"], "中 x");
        assert_eq!(fields["c"], "");
        assert_eq!(request_fields(None, b""), Err(FieldsError::Empty));
        assert_eq!(request_fields(Some(""), b""), Err(FieldsError::Empty));
    }

    #[test]
    fn hostile_xml_is_refused_not_expanded() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><x>&b;</x></xml>"#;
        assert_eq!(request_fields(None, bomb), Err(FieldsError::Xml));
        assert_eq!(request_fields(None, b"<xml><a>1</a>"), Err(FieldsError::Xml));
        assert_eq!(request_fields(None, b"\xff\xfe"), Err(FieldsError::Xml));
    }

    #[test]
    fn only_an_xml_root_looks_like_xml() {
        assert!(looks_like_xml(b"<xml><a>1</a></xml>"));
        assert!(looks_like_xml(b"\xef\xbb\xbf \r\n<xml></xml>"));
        assert!(!looks_like_xml(b"{\"a\":1}"));
        assert!(!looks_like_xml(b"<xmlx>"));
        assert!(!looks_like_xml(b""));
    }

    fn success() -> Fields {
        Fields::from([
            ("return_code".to_owned(), "SUCCESS".to_owned()),
            ("result_code".to_owned(), "SUCCESS".to_owned()),
            ("mch_id".to_owned(), MCHID.to_owned()),
            ("transaction_id".to_owned(), "4200".to_owned()),
        ])
    }

    #[test]
    fn faults_shape_successful_answers_only() {
        let failed = apply_fault(success(), Some(&Fault::V2Fail));
        assert_eq!(failed["result_code"], "FAIL");
        assert_eq!(failed["err_code"], "SYSTEMERROR");
        assert_eq!(failed["mch_id"], MCHID);
        assert!(!failed.contains_key("transaction_id"));
        let refused = apply_fault(success(), Some(&Fault::V2ReturnFail));
        assert_eq!(refused.len(), 2);
        assert_eq!(refused["return_code"], "FAIL");
        let missing = apply_fault(success(), Some(&Fault::V2MissingFields));
        assert!(!missing.contains_key("result_code"));
        assert_eq!(apply_fault(success(), Some(&Fault::TamperBody)), success());
    }

    #[test]
    fn route_objects_become_fields_with_default_codes() {
        let reply = MockReply::json(
            200,
            &serde_json::json!({"total_fee": 1, "paid": true, "attach": null, "detail": {"a": [1]}}),
        );
        let V2Reply::Fields { fields, signed, .. } = from_route(reply) else {
            panic!("a JSON object gives fields");
        };
        assert!(signed);
        assert_eq!(fields["total_fee"], "1");
        assert_eq!(fields["paid"], "true");
        assert_eq!(fields["detail"], r#"{"a":[1]}"#);
        assert!(!fields.contains_key("attach"));
        assert_eq!(
            (fields["return_code"].as_str(), fields["result_code"].as_str()),
            ("SUCCESS", "SUCCESS")
        );

        let refused = MockReply::json(200, &serde_json::json!({"return_code": "FAIL", "return_msg": "x"}));
        let V2Reply::Fields { fields, .. } = from_route(refused) else {
            panic!("a JSON object gives fields");
        };
        assert!(!fields.contains_key("result_code"));
        assert!(matches!(from_route(MockReply::raw(200, "a,b\n")), V2Reply::Raw(_)));
    }

    #[test]
    fn body_faults_apply_to_xml_answers() {
        let body = Bytes::from_static(b"<xml><a>1</a></xml>");
        assert_eq!(
            body_fault(body.clone(), Some(&Fault::TruncatedJson)).len(),
            body.len() / 2
        );
        assert_eq!(body_fault(body.clone(), Some(&Fault::OversizedBody(4096))).len(), 4096);
        assert!(std::str::from_utf8(&body_fault(body.clone(), Some(&Fault::InvalidUtf8))).is_err());
        assert_eq!(body_fault(body.clone(), Some(&Fault::V2Fail)), body);
    }

    #[test]
    fn the_wrong_key_is_a_valid_key_but_not_the_sandbox_one() {
        assert!(ApiV2Key::new(WRONG_KEY).is_ok());
        assert_ne!(WRONG_KEY, super::super::APIV2_KEY);
    }
}
