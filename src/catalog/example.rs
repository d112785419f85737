//! Example bodies: the description's examples where they pass their schema, completed with
//! plausible values for what is required and has none; and the echo of a request into an
//! example response.

use serde_json::{Map, Value};

use super::Catalog;
use super::data::{MAX_EXAMPLE_PADDING, Node};
use super::operation::Protocol;
use super::schema::SchemaType;
use super::validate::passes;

/// Schemas nested deeper than this are not filled.
const MAX_DEPTH: usize = 32;

/// A date-time in the form the platform writes (Beijing time).
const DATE_TIME: &str = "2024-07-04T15:30:00+08:00";

/// An example value for the schema at `index`: built from the examples, or made up.
pub(super) fn build(catalog: &Catalog, index: u32, protocol: Protocol) -> Value {
    let b = Builder { catalog, protocol };
    b.example_of(index, 0).unwrap_or_else(|| b.make(index, 0))
}

/// Lays the request's values over an example response: a property of the response named
/// like a request field (recursively, for objects) or like a parameter takes its value when
/// that fits the property's schema.
pub(super) fn echo(
    catalog: &Catalog,
    index: u32,
    protocol: Protocol,
    answer: &mut Value,
    params: &[(&str, &str)],
    body: Option<&Value>,
) {
    let b = Builder { catalog, protocol };
    if let Some(Value::Object(fields)) = body {
        b.overlay(index, answer, fields, 0);
    }
    let params: Map<String, Value> = params
        .iter()
        .map(|(name, value)| ((*name).to_owned(), Value::String((*value).to_owned())))
        .collect();
    b.overlay(index, answer, &params, 0);
}

/// An example parameter value (as text): the example, or a made-up value when `required`.
pub(super) fn parameter(catalog: &Catalog, index: u32, required: bool) -> Option<String> {
    // Parameters are text on the wire: checked the way v2 fields are.
    let b = Builder {
        catalog,
        protocol: Protocol::V2,
    };
    let value = match b.example_of(index, 0) {
        Some(value) => value,
        None if required => b.make(index, 0),
        None => return None,
    };
    Some(text(&value))
}

/// A value as parameter text: a list comma-separated (Swagger 2.0's default `csv`).
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

struct Builder<'c> {
    catalog: &'c Catalog,
    protocol: Protocol,
}

impl Builder<'_> {
    fn passes(&self, index: u32, value: &Value) -> bool {
        passes(self.catalog, index, self.protocol, value)
    }

    /// The first of `value` and its conversions to the schema's type that passes the schema.
    fn fitting(&self, index: u32, value: &Value) -> Option<Value> {
        let node = self.catalog.node(index);
        let converted = match (node.ty, value) {
            (Some(SchemaType::String), Value::Number(n)) => Some(Value::String(n.to_string())),
            (Some(SchemaType::String), Value::Bool(b)) => Some(Value::String(b.to_string())),
            (Some(SchemaType::Integer), Value::String(s)) => s.parse::<i64>().ok().map(Value::from),
            (Some(SchemaType::Number), Value::String(s)) => s.parse::<f64>().ok().and_then(|f| {
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    Some(Value::from(f as i64))
                } else {
                    serde_json::Number::from_f64(f).map(Value::Number)
                }
            }),
            (Some(SchemaType::Boolean), Value::String(s)) => s.parse::<bool>().ok().map(Value::Bool),
            _ => None,
        };
        std::iter::once(value.clone())
            .chain(converted)
            .find(|candidate| self.passes(index, candidate))
    }

    /// A value made of the examples under `index`; `None` when there are none.
    fn example_of(&self, index: u32, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.catalog.node(index);
        if let Some(value) = node.example.as_ref().and_then(|e| self.fitting(index, e)) {
            return Some(value);
        }
        if is_object(node) {
            self.object(node, depth, false)
        } else if node.ty == Some(SchemaType::Array) {
            let item = self.example_of(node.items?, depth + 1)?;
            Some(Value::Array(vec![item; node.example_items()]))
        } else {
            None
        }
    }

    /// An object of the properties that have examples, and of the required ones (made up when
    /// they have none). `None` when nothing has an example, unless `always`.
    fn object(&self, node: &Node, depth: usize, always: bool) -> Option<Value> {
        let mut map = Map::new();
        let mut any = false;
        for (name, child) in &node.properties {
            match self.example_of(*child, depth + 1) {
                Some(value) => {
                    any = true;
                    map.insert(name.to_string(), value);
                }
                None if node.required.contains(name) => {
                    map.insert(name.to_string(), self.make(*child, depth + 1));
                }
                None => {}
            }
        }
        // Required names the description lists without a property schema.
        for name in &node.required {
            if !map.contains_key(&**name) {
                map.insert(name.to_string(), Value::String("example".into()));
            }
        }
        (any || always).then_some(Value::Object(map))
    }

    /// A plausible value for the schema at `index`, made up from its type and limits.
    fn make(&self, index: u32, depth: usize) -> Value {
        let node = self.catalog.node(index);
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let listed = node.default.iter().chain(node.enumeration.iter().flatten());
        if let Some(value) = listed.filter_map(|v| self.fitting(index, v)).next() {
            return value;
        }
        if is_object(node) {
            return self.object(node, depth, true).unwrap_or_default();
        }
        match node.ty {
            Some(SchemaType::Array) => {
                let item = match node.items {
                    Some(items) => self
                        .example_of(items, depth + 1)
                        .unwrap_or_else(|| self.make(items, depth + 1)),
                    None => Value::String("example".into()),
                };
                Value::Array(vec![item; node.example_items()])
            }
            Some(SchemaType::Integer) => Value::from(number(node).ceil() as i64),
            Some(SchemaType::Number) => {
                let n = number(node);
                if n.fract() == 0.0 {
                    Value::from(n as i64)
                } else {
                    serde_json::Number::from_f64(n).map_or(Value::from(1), Value::Number)
                }
            }
            Some(SchemaType::Boolean) => Value::Bool(true),
            _ => self.text(index, node),
        }
    }

    /// A string for the schema: one shaped by its format, or the first of a few candidates
    /// that passes its pattern and length limits.
    fn text(&self, index: u32, node: &Node) -> Value {
        let shaped = match node.format.as_deref() {
            Some("rfc3339" | "date-time") => DATE_TIME,
            Some("date") => &DATE_TIME[..10],
            Some("url" | "MediaUrl") => "https://example.com/",
            Some("base64") => "ZXhhbXBsZQ==",
            Some("int32" | "int64" | "uint" | "uint32" | "uint64" | "integer" | "numeric") => "1",
            _ => "example",
        };
        let candidates = [shaped, "example", "20240704", "20240704153000", "123456", "1", "A"];
        let fitted = candidates.map(|c| Value::String(fit(c, node.min_length, node.max_length)));
        fitted
            .iter()
            .find(|v| self.passes(index, v))
            .unwrap_or(&fitted[0])
            .clone()
    }

    /// Lays `fields` over `target` (an object for the schema at `index`).
    fn overlay(&self, index: u32, target: &mut Value, fields: &Map<String, Value>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = self.catalog.node(index);
        let Value::Object(out) = target else { return };
        for (name, child) in &node.properties {
            let Some(value) = fields.get(&**name) else { continue };
            let child_node = self.catalog.node(*child);
            if let (Value::Object(inner), true) = (value, is_object(child_node)) {
                let slot = out
                    .entry(name.to_string())
                    .or_insert_with(|| self.make(*child, depth + 1));
                self.overlay(*child, slot, inner, depth + 1);
            } else if let Some(fitting) = self.fitting(*child, value) {
                out.insert(name.to_string(), fitting);
            }
        }
    }
}

fn is_object(node: &Node) -> bool {
    node.ty == Some(SchemaType::Object) || (node.ty.is_none() && !node.properties.is_empty())
}

/// A number within the schema's limits, 1 when they allow it.
fn number(node: &Node) -> f64 {
    let mut n: f64 = 1.0;
    if let Some(min) = node.minimum {
        n = n.max(if node.exclusive_minimum { min + 1.0 } else { min });
    }
    if let Some(max) = node.maximum {
        n = n.min(if node.exclusive_maximum { max - 1.0 } else { max });
    }
    n
}

/// `text` padded with `0` to `min` characters, or cut to `max`.
fn fit(text: &str, min: Option<u64>, max: Option<u64>) -> String {
    let mut out: String = match max {
        Some(max) => text.chars().take(max as usize).collect(),
        None => text.to_owned(),
    };
    let len = out.chars().count() as u64;
    if let Some(min) = min.filter(|&m| m > len) {
        out.extend(std::iter::repeat_n('0', (min - len).min(MAX_EXAMPLE_PADDING) as usize));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(schema: Value) -> Node {
        serde_json::from_value(schema).unwrap()
    }

    #[test]
    fn made_up_text_fits_the_length_limits() {
        assert_eq!(fit("example", None, Some(3)), "exa");
        assert_eq!(fit("ab", Some(5), None), "ab000");
        assert_eq!(fit("订单", Some(3), Some(3)), "订单0");
    }

    #[test]
    fn made_up_numbers_and_counts_keep_within_limits() {
        assert_eq!(number(&node(json!({ "type": "integer" }))), 1.0);
        assert_eq!(number(&node(json!({ "type": "integer", "minimum": 100 }))), 100.0);
        assert_eq!(
            number(&node(
                json!({ "type": "integer", "minimum": 0, "exclusiveMinimum": true })
            )),
            1.0
        );
        assert_eq!(number(&node(json!({ "type": "integer", "maximum": 0 }))), 0.0);
        assert_eq!(node(json!({ "type": "array" })).example_items(), 1);
        assert_eq!(node(json!({ "type": "array", "minItems": 3 })).example_items(), 3);
        assert_eq!(
            node(json!({ "type": "array", "minItems": 3, "maxItems": 2 })).example_items(),
            2
        );
    }

    #[test]
    fn parameter_text_joins_lists_with_commas() {
        assert_eq!(text(&json!(["A", 1, true])), "A,1,true");
        assert_eq!(text(&json!("A")), "A");
    }
}
