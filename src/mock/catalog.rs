//! The sandbox answers every catalogued operation that no route answers (feature `catalog`):
//! the request is checked against the operation's schema (a violation is a
//! `400 PARAM_ERROR` naming the field, as the platform words it), then the documented status
//! is answered with a body built from the response schema's examples, echoing path variables
//! and request fields whose names match, and naming the sandbox's merchant as `mchid` when
//! the request named none. File downloads are answered with a generated file, and an apply
//! answer's `download_url` and digest point at it.

use serde_json::{Value, json};

use super::{MCHID, MockFile, MockReply, MockRequest};
use crate::catalog::{Catalog, Operation, Protocol, Request, Severity, Violation};
use crate::protocol::downloads::{FileKind, file_kind};
use crate::protocol::path::capture;

/// The size of the file the sandbox serves for a catalogued download.
const FILE_SIZE: u64 = 16 * 1024;

/// The file every catalogued download serves, and whose digest apply answers announce.
fn sandbox_file() -> MockFile {
    MockFile::generated(FILE_SIZE)
}

/// The answer to a request no route answered, if the catalogue knows its operation.
pub(crate) fn answer(request: &MockRequest, base_url: &str) -> Option<MockReply> {
    let path = request.path();
    let op = Catalog::get().lookup(request.method.as_str(), path)?;
    if op.protocol() != Protocol::V3 {
        return None;
    }
    if let Some(kind) = file_kind(&request.method, path) {
        return Some(file_answer(kind));
    }
    let params = capture(op.template(), path).unwrap_or_default();
    let query = query_pairs(request.query());
    let body = (request.upload.is_none() && !request.body.is_empty())
        .then(|| serde_json::from_slice::<Value>(&request.body).ok())
        .flatten();
    let violations = check(&op, &params, &query, body.as_ref(), request);
    if let Some(first) = violations.iter().find(|v| v.severity == Severity::Error) {
        return Some(param_error(first));
    }
    Some(success(&op, &params, &query, body.as_ref(), base_url))
}

/// The request against the operation's schema: path variables, query and (JSON) body.
fn check(
    op: &Operation<'_>,
    params: &[(String, String)],
    query: &[(String, String)],
    body: Option<&Value>,
    request: &MockRequest,
) -> Vec<Violation> {
    let params: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    if request.upload.is_none() && !request.body.is_empty() && body.is_none() {
        return vec![Violation {
            pointer: String::new(),
            rule: crate::catalog::Rule::Type,
            expected: "a JSON body".into(),
            found: "text that is not JSON".into(),
            severity: Severity::Error,
        }];
    }
    op.validate(&Request {
        params: &params,
        query: &query,
        body,
    })
}

/// The platform's answer to a request that breaks a rule: `400 PARAM_ERROR`, the field in
/// its message and in `detail`.
fn param_error(violation: &Violation) -> MockReply {
    let (location, field) = match violation.pointer.split_once(": ") {
        Some((location, name)) => (location, name.to_owned()),
        None => ("body", violation.pointer.clone()),
    };
    let shown = if field.is_empty() { "/" } else { field.as_str() };
    MockReply::json(
        400,
        &json!({
            "code": "PARAM_ERROR",
            "message": format!(
                "输入源“/{location}{}”校验失败：{}，应为 {}",
                if location == "body" { shown.to_owned() } else { format!("/{shown}") },
                violation.rule,
                violation.expected
            ),
            "detail": {
                "location": location,
                "field": shown,
                "issue": format!("{}: expected {}, found {}", violation.rule, violation.expected, violation.found),
            }
        }),
    )
}

/// The documented success: its status, and a body from the response schema's examples.
fn success(
    op: &Operation<'_>,
    params: &[(String, String)],
    query: &[(String, String)],
    body: Option<&Value>,
    base_url: &str,
) -> MockReply {
    let status = op.response_status().unwrap_or(200);
    let mut echoed: Vec<(&str, &str)> = params
        .iter()
        .chain(query)
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    // The caller is the sandbox's merchant: an answer's `mchid` is it, unless the request
    // named a merchant itself.
    let named = echoed.iter().any(|(n, _)| *n == "mchid") || body.is_some_and(|b| b.get("mchid").is_some());
    if !named {
        echoed.push(("mchid", MCHID));
    }
    match op.example_response(&echoed, body) {
        Some(mut answer) if status != 204 => {
            point_downloads_here(&mut answer, base_url);
            MockReply::json(status, &answer)
        }
        _ => MockReply::empty(status),
    }
}

/// An apply answer (`download_url`, `hash_type`, `hash_value`) made to name the sandbox's
/// file, so the download that follows it works and checks out. The digest keeps the
/// algorithm the example names when it is SHA256; an algorithm this crate cannot compute
/// (SM3) is left as the example has it.
fn point_downloads_here(answer: &mut Value, base_url: &str) {
    let Some(fields) = answer.as_object_mut() else {
        return;
    };
    if !fields.contains_key("download_url") {
        return;
    }
    fields.insert(
        "download_url".into(),
        Value::String(format!("{base_url}v3/billdownload/file?token=sandbox")),
    );
    let (sha1, sha256) = sandbox_file().digests();
    let digest = match fields.get("hash_type").and_then(Value::as_str) {
        None | Some("SHA1") => Some(("SHA1", sha1)),
        Some("SHA256") => Some(("SHA256", sha256)),
        Some(_) => None,
    };
    if let (true, Some((algorithm, value))) = (fields.contains_key("hash_value"), digest) {
        fields.insert("hash_type".into(), Value::String(algorithm.into()));
        fields.insert("hash_value".into(), Value::String(value));
    }
}

/// A catalogued file download: the sandbox's file, unsigned (a statement with its signed
/// SHA-1 header).
fn file_answer(kind: FileKind) -> MockReply {
    let reply = MockReply::file(sandbox_file());
    match kind {
        FileKind::Unsigned => reply,
        FileKind::Statement => reply.with_statement_sha1(),
    }
}

/// A query string's pairs, percent-decoded.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}
