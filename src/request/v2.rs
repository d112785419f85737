//! Preparing an APIv2 request: a `v2/...` path (the first segment `v2` in any case) is an
//! endpoint of the older XML protocol. The body (a JSON object of strings, numbers and
//! booleans, plus any `.query()` pairs) gets `nonce_str` when absent and its `sign`, and goes
//! out as `<xml>` (a `GET` sends the fields as a query string instead). The operations that
//! need the merchant's client certificate present it; a few live on another host.

use bytes::Bytes;
use http::Method;
use serde_json::{Map, Value};
use url::Url;

use super::builder::Spec;
use super::prepare::Context;
use crate::error::{ConfigError, RequestError, Result};
use crate::protocol::path::expand;
use crate::protocol::v2::{self, AnswerSignature, ApiV2Key};
use crate::wire::{Body, Check, Prepared};

/// What preparing an APIv2 request takes beyond the common context.
#[derive(Default)]
pub(crate) struct V2Context<'a> {
    pub(crate) key: Option<&'a ApiV2Key>,
    pub(crate) mchid: &'a str,
    /// Whether the client has a merchant certificate to present.
    pub(crate) has_client_certificate: bool,
    /// Whether the client talks to the production host (where the catalogue's other hosts
    /// apply); with a sandbox or proxy every endpoint goes to the base URL.
    pub(crate) production: bool,
}

/// Checks and renders an APIv2 request; `headers` are the caller's, already checked.
pub(crate) fn prepare(spec: &Spec, context: &Context<'_>, headers: http::HeaderMap) -> Result<Prepared> {
    refuse_what_xml_cannot_carry(spec, &headers)?;
    let v2 = &context.v2;
    let key = v2.key.ok_or(ConfigError::MissingApiV2Key)?;
    let endpoint = endpoint(spec)?;
    let operation = Operation::of(&endpoint);
    let client_certificate = spec.client_certificate.unwrap_or(operation.cert_required);
    if client_certificate && !v2.has_client_certificate {
        return Err(ConfigError::MissingClientCertificate {
            operation: format!("{} /v2{endpoint}", spec.method),
        }
        .into());
    }
    let base = match (&operation.base_uri, v2.production) {
        (Some(base), true) => base.clone(),
        _ => context.base_url.clone(),
    };
    let request = v2::prepare(&fields(spec), v2.mchid, key)?;
    let mut url = base;
    url.set_path(&format!("{}{}", url.path(), &endpoint[1..]));
    let body = if spec.method == Method::GET {
        url.set_query(Some(&request.query()));
        Body::Empty
    } else {
        Body::Xml(Bytes::from(request.xml().to_owned()))
    };
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    Ok(Prepared {
        method: spec.method.clone(),
        template: crate::protocol::path::template_for_logs(&format!("/{}", spec.template)),
        url,
        target,
        body,
        headers,
        timeout: spec.timeout,
        encrypted_with: None,
        check: Check::V2 {
            signature: AnswerSignature::for_endpoint(&endpoint, request.sign_type()),
            download: v2::is_download_endpoint(&endpoint),
        },
        client_certificate,
        on_signed: spec.on_signed.clone(),
    })
}

/// The endpoint's path on its host: the template without `v2`, variables expanded.
fn endpoint(spec: &Spec) -> Result<String> {
    let rest = spec.template.split_once('/').map_or("", |(_, rest)| rest);
    let params: Vec<(&str, &str)> = spec.params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    expand(rest, &params)
}

/// The fields: the body's, then the `.query()` pairs.
pub(super) fn fields(spec: &Spec) -> Value {
    let mut fields = match &spec.body {
        Some(Value::Object(map)) => map.clone(),
        Some(other) => return other.clone(),
        None => Map::new(),
    };
    for (key, value) in &spec.query {
        fields.insert(key.clone(), Value::String(value.clone()));
    }
    Value::Object(fields)
}

/// An APIv2 request is flat XML fields: an upload, a field to encrypt, or a `Content-Type`
/// of the caller's cannot be part of it, and dropping them would send something else.
fn refuse_what_xml_cannot_carry(spec: &Spec, headers: &http::HeaderMap) -> Result<()> {
    if spec.upload.is_some() {
        return Err(RequestError::InvalidUpload {
            reason: "an APIv2 request is XML fields and carries no file".into(),
        }
        .into());
    }
    if !spec.encrypt.is_empty() || !spec.encrypted_with.is_empty() {
        return Err(RequestError::SensitiveField {
            reason: "APIv2 requests take no RSA-encrypted fields".into(),
        }
        .into());
    }
    if headers.contains_key(http::header::CONTENT_TYPE) {
        return Err(RequestError::InvalidHeader {
            name: "Content-Type".into(),
            reason: "an APIv2 request's body is XML, and the client sets its Content-Type",
        }
        .into());
    }
    Ok(())
}

/// What an APIv2 operation needs beyond the API host: the client certificate, another host
/// (`protocol::v2`'s lists, which the catalogue agrees with).
#[derive(Default)]
struct Operation {
    cert_required: bool,
    base_uri: Option<Url>,
}

impl Operation {
    fn of(endpoint: &str) -> Self {
        Self {
            cert_required: v2::needs_client_certificate(endpoint),
            base_uri: v2::other_host(endpoint).and_then(|uri| Url::parse(uri).ok()),
        }
    }
}
