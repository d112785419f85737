//! Preparing a request: everything that does not depend on the time of sending is checked
//! and rendered here, so any mistake is an error before anything is sent. Small steps: the
//! URL and target, the caller's headers, sensitive fields, the body, the answer's check.

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderName, HeaderValue, TRANSFER_ENCODING};
use http::{HeaderMap, Method};
use serde_json::Value;
use url::Url;

use super::builder::Spec;
use super::upload::ContentDigest;
use super::v2::V2Context;
use crate::auth::{PlatformKeys, same_key_id};
use crate::error::{RequestError, Result};
use crate::protocol::downloads::{FileKind, file_kind};
use crate::protocol::headers::SERIAL;
use crate::protocol::path::{expand, push_query};
use crate::wire::{Body, Check, Prepared};

/// What preparing takes from the client.
pub(crate) struct Context<'a> {
    pub(crate) base_url: &'a Url,
    /// The trusted keys, for sensitive fields.
    pub(crate) keys: &'a PlatformKeys,
    pub(crate) now: i64,
    /// For APIv2 requests.
    pub(crate) v2: V2Context<'a>,
}

/// Checks and renders `spec`; `upload` is the content's digest when it is an upload.
pub(crate) fn prepare(spec: &Spec, context: &Context<'_>, upload: Option<&ContentDigest>) -> Result<Prepared> {
    check_path(spec)?;
    if crate::protocol::path::names_apiv2(&spec.template) {
        return super::v2::prepare(spec, context, headers(spec)?);
    }
    let located = locate(spec, context.base_url)?;
    let headers = headers(spec)?;
    let (json, encrypted_with) = sensitive_fields(spec, context, &headers)?;
    let body = body(spec, json.as_ref().or(spec.body.as_ref()), upload)?;
    Ok(Prepared {
        method: spec.method.clone(),
        template: crate::protocol::path::template_for_logs(&format!("/{}", spec.template)),
        check: check(&spec.method, &located.path, spec),
        url: located.url,
        target: located.target,
        body,
        headers,
        timeout: spec.timeout,
        encrypted_with,
        client_certificate: spec.client_certificate.unwrap_or(false),
        on_signed: spec.on_signed.clone(),
    })
}

/// The path's own checks: no identifier in a segment, the variables expand.
pub(crate) fn check_path(spec: &Spec) -> Result<()> {
    if let Some(reason) = &spec.body_error {
        return Err(RequestError::InvalidBody { reason: reason.clone() }.into());
    }
    if let Some(index) = spec.identifier {
        return Err(identifier_in_path(spec, index));
    }
    if spec.absolute_url.is_none() {
        let params: Vec<(&str, &str)> = spec.params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        expand(&spec.template, &params)?;
    }
    Ok(())
}

/// The refusal of a path with an identifier in a segment: which segment, and the template
/// to use instead (the catalogue's when it knows one). The segment's text stays out.
fn identifier_in_path(spec: &Spec, index: usize) -> crate::Error {
    let mut segments: Vec<&str> = spec.template.split('/').collect();
    if index < segments.len() {
        segments[index] = "{id}";
    }
    let generic = segments.join("/");
    let suggestion = catalogued_template(&spec.method, &generic).unwrap_or(generic);
    RequestError::IdentifierInPath {
        position: index + 1,
        suggestion,
    }
    .into()
}

/// The catalogue's template for `method template` (whatever the variables are called).
#[cfg(feature = "catalog")]
fn catalogued_template(method: &Method, template: &str) -> Option<String> {
    let catalog = crate::catalog::Catalog::get();
    let path = format!("/{template}");
    catalog
        .lookup(method.as_str(), &path)
        .or_else(|| catalog.lookup_path(&path).into_iter().next())
        .map(|op| op.template().trim_start_matches('/').to_owned())
}

#[cfg(not(feature = "catalog"))]
fn catalogued_template(_: &Method, _: &str) -> Option<String> {
    None
}

/// Where a request goes.
struct Located {
    /// The expanded path, without the base URL's path or the query.
    path: String,
    url: Url,
    /// The path and query exactly as sent.
    target: String,
}

/// The URL and target: the template expanded under the base URL (or the absolute URL of a
/// download), then the query, percent-encoded and in order.
fn locate(spec: &Spec, base_url: &Url) -> Result<Located> {
    let (path, full_path, mut url) = match &spec.absolute_url {
        Some(url) => {
            if let Some((name, _)) = spec.params.first() {
                return Err(RequestError::UnusedParam { name: name.clone() }.into());
            }
            (url.path().to_owned(), url.path().to_owned(), url.clone())
        }
        None => {
            let params: Vec<(&str, &str)> = spec.params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let path = expand(&spec.template, &params)?;
            let full_path = format!("{}{}", base_url.path(), &path[1..]);
            let mut url = base_url.clone();
            url.set_path(&full_path);
            (path, full_path, url)
        }
    };
    if !spec.query.is_empty() {
        let mut query = url.query().map(|q| format!("{q}&")).unwrap_or_default();
        push_query(spec.query.iter().map(|(k, v)| (k.as_str(), v.as_str())), &mut query);
        url.set_query(Some(&query));
    }
    if url.path() != full_path {
        return Err(RequestError::InvalidPath {
            path: crate::protocol::path::template_for_logs(&spec.template),
            reason: "the URL parser would change this path",
        }
        .into());
    }
    let target = match url.query() {
        Some(q) => format!("{}?{}", url.path(), q),
        None => url.path().to_owned(),
    };
    Ok(Located { path, url, target })
}

/// The caller's headers, checked: valid HTTP, and none of the ones the client computes or
/// that frame the request (changing them would send other bytes than the ones signed).
fn headers(spec: &Spec) -> Result<HeaderMap> {
    let mut headers = HeaderMap::new();
    for (name, value) in &spec.headers {
        let invalid = |reason| RequestError::InvalidHeader {
            name: name.clone(),
            reason,
        };
        let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid("not a valid header name"))?;
        if header_name == AUTHORIZATION {
            return Err(invalid("the Authorization header is computed by the client").into());
        }
        let framing = [CONTENT_LENGTH, TRANSFER_ENCODING, HOST].contains(&header_name)
            || (spec.upload.is_some() && header_name == CONTENT_TYPE);
        if framing {
            return Err(invalid("this header frames the request and is set by the client").into());
        }
        let header_value = HeaderValue::from_str(value).map_err(|_| invalid("not a valid header value"))?;
        headers.insert(header_name, header_value);
    }
    Ok(headers)
}

/// Encrypts the fields the caller named (on a copy of the body) and works out the one
/// platform key every encrypted field used, which the request must name in
/// `Wechatpay-Serial`.
fn sensitive_fields(
    spec: &Spec,
    context: &Context<'_>,
    headers: &HeaderMap,
) -> Result<(Option<Value>, Option<String>)> {
    let refused = |reason: String| RequestError::SensitiveField { reason };
    let mut encrypted = None;
    let mut serial = None;
    if !spec.encrypt.is_empty() {
        let mut body = spec
            .body
            .clone()
            .ok_or_else(|| refused("the request has no body to encrypt fields of".into()))?;
        serial = Some(crate::sensitive::encrypt_fields(
            context.keys,
            context.now,
            &mut body,
            &spec.encrypt,
        )?);
        encrypted = Some(body);
    }
    for given in &spec.encrypted_with {
        match &serial {
            Some(existing) if !same_key_id(existing, given) => {
                return Err(refused(format!(
                    "fields are encrypted with two platform keys, {existing} and {given}"
                ))
                .into());
            }
            Some(_) => {}
            None => serial = Some(given.clone()),
        }
    }
    if let (Some(serial), Some(given)) = (&serial, headers.get(SERIAL))
        && !given.to_str().is_ok_and(|g| same_key_id(g, serial))
    {
        return Err(refused(format!(
            "the Wechatpay-Serial header given differs from the key {serial} that encrypted the fields"
        ))
        .into());
    }
    Ok((encrypted, serial))
}

/// The body: the JSON serialised once (the bytes signed are the bytes sent), or an upload's
/// multipart form.
fn body(spec: &Spec, json: Option<&Value>, upload: Option<&ContentDigest>) -> Result<Body> {
    match (&spec.upload, upload) {
        (Some(upload), Some(digest)) => Ok(Body::Multipart(upload.render(digest)?)),
        (Some(_), None) => Err(RequestError::InvalidUpload {
            reason: "an upload is sent with .await or .send(), not downloaded".into(),
        }
        .into()),
        (None, _) => match json {
            Some(value) => {
                let bytes =
                    serde_json::to_vec(value).map_err(|e| RequestError::InvalidBody { reason: e.to_string() })?;
                Ok(Body::Json(Bytes::from(bytes)))
            }
            None => Ok(Body::Empty),
        },
    }
}

/// What makes the answer trustworthy: its signature, or for the downloads the platform does
/// not sign, the digest (and a statement's signed SHA-1).
fn check(method: &Method, path: &str, spec: &Spec) -> Check {
    let expect = spec.receiving.expect.clone();
    match file_kind(method, path) {
        None => Check::Signature,
        Some(FileKind::Unsigned) => Check::File { expect },
        Some(FileKind::Statement) => Check::Statement { expect },
    }
}
