//! An operation as JSON, for tools: everything `api show` prints, descriptions whole.

use serde_json::{Map, Value, json};
use wechatpay::catalog::{Operation, Parameter, Protocol, Schema};

/// Schemas nested deeper than this are cut (`"truncated": true`).
const MAX_DEPTH: usize = 32;

/// One line of `api search --json`: method, path template, summary and tags.
pub fn summary(op: &Operation<'_>) -> Value {
    json!({
        "method": op.method(),
        "path": op.template(),
        "summary": op.summary(),
        "tags": op.tags().collect::<Vec<_>>(),
    })
}

/// `api show --json`.
pub fn operation(op: &Operation<'_>) -> Value {
    let parameters = |list: Vec<Parameter<'_>>| Value::Array(list.iter().map(parameter).collect());
    json!({
        "method": op.method(),
        "path": op.template(),
        "wire_path": op.wire_path(),
        "protocol": match op.protocol() {
            Protocol::V3 => "v3",
            Protocol::V2 => "v2",
        },
        "summary": op.summary(),
        "tags": op.tags().collect::<Vec<_>>(),
        "roles": op.roles().collect::<Vec<_>>(),
        "cert_required": op.cert_required(),
        "base_uri": op.base_uri(),
        "deprecated": op.deprecated(),
        "status": op.response_status(),
        "path_variables": parameters(op.path_variables().collect()),
        "query_parameters": parameters(op.query_parameters().collect()),
        "header_parameters": parameters(op.header_parameters().collect()),
        "form_parameters": parameters(op.form_parameters().collect()),
        "request_body": op.request_schema().map(|s| schema(&s, 0)),
        "response_body": op.response_schema().map(|s| schema(&s, 0)),
    })
}

/// A parameter: its name, whether it is required, its schema.
fn parameter(p: &Parameter<'_>) -> Value {
    json!({
        "name": p.name(),
        "required": p.required(),
        "schema": schema(&p.schema(), 0),
    })
}

/// A schema as a JSON object of the rules it states (absent ones left out); properties as a
/// list, to keep their order.
pub fn schema(s: &Schema<'_>, depth: usize) -> Value {
    let mut out = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            out.insert(key.to_owned(), value);
        }
    };
    put("type", s.schema_type().map(|t| t.as_str().into()));
    put("nullable", s.nullable().then_some(Value::Bool(true)));
    put("format", s.format().map(Value::from));
    put("description", s.description().map(Value::from));
    put(
        "required",
        (s.required().len() > 0).then(|| s.required().collect::<Vec<_>>().into()),
    );
    put("enum", (!s.enum_values().is_empty()).then(|| s.enum_values().into()));
    put("min_length", s.min_length().map(Value::from));
    put("max_length", s.max_length().map(Value::from));
    put("minimum", s.minimum().map(Value::from));
    put("exclusive_minimum", s.exclusive_minimum().then_some(Value::Bool(true)));
    put("maximum", s.maximum().map(Value::from));
    put("exclusive_maximum", s.exclusive_maximum().then_some(Value::Bool(true)));
    put("min_items", s.min_items().map(Value::from));
    put("max_items", s.max_items().map(Value::from));
    put("pattern", s.pattern().map(Value::from));
    put("default", s.default_value().cloned());
    put("example", s.example().cloned());
    if depth >= MAX_DEPTH {
        out.insert("truncated".into(), Value::Bool(true));
        return Value::Object(out);
    }
    if s.properties().len() > 0 {
        let properties = s
            .properties()
            .map(|(name, child)| {
                json!({
                    "name": name,
                    "required": s.is_required(name),
                    "schema": schema(&child, depth + 1),
                })
            })
            .collect();
        out.insert("properties".into(), Value::Array(properties));
    }
    if let Some(items) = s.items() {
        out.insert("items".into(), schema(&items, depth + 1));
    }
    Value::Object(out)
}
