//! `api show` as text that reads on an 80-column terminal: the operation's facts, then its
//! parameters and bodies as trees of fields, each field's rules aligned in a column beside
//! its name, and the start of its description below them.

use wechatpay::catalog::{Operation, Parameter, Protocol, Schema, SchemaType};
use wechatpay::text::visible;

use super::text::{first_line, number, shorten, width, wrap};

/// The width the text is laid out for.
const WIDTH: usize = 80;
/// Names wider than this do not widen their group's column: their rules go below them.
const NAME_COLUMN: usize = 26;
/// The rules of a field get at least this many columns.
const MIN_RULES: usize = 30;
/// Deeper fields are not shown.
const MAX_DEPTH: usize = 24;
/// Allowed values shown at most, per field.
const MAX_ENUM: usize = 24;
/// The width of the keys of the operation's facts.
const KEY: usize = 13;

/// The whole description of `op`.
pub fn operation(op: &Operation<'_>) -> String {
    let mut out = Out::default();
    out.header(op);
    out.parameters("path variables", op.path_variables().collect());
    out.parameters("query parameters", op.query_parameters().collect());
    out.parameters("headers", op.header_parameters().collect());
    out.parameters("form parts (multipart upload)", op.form_parameters().collect());
    let kind = match op.protocol() {
        Protocol::V3 => "JSON",
        Protocol::V2 => "XML fields, text on the wire",
    };
    out.body(&format!("request body ({kind})"), op.request_schema());
    let answer = match op.response_status() {
        Some(status) => format!("answer body ({})", status_text(status)),
        None => "answer body".to_owned(),
    };
    out.body(&answer, op.response_schema());
    out.text
}

/// `204 No Content`.
fn status_text(status: u16) -> String {
    let reason = http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    format!("{status} {reason}").trim_end().to_owned()
}

/// A field to print: its name, schema (none for a required name the description lists
/// without one) and whether it is required.
type Field<'a> = (&'a str, Option<Schema<'a>>, bool);

/// The text being built.
#[derive(Default)]
struct Out {
    text: String,
}

impl Out {
    /// One line, control characters escaped, trailing spaces dropped.
    fn line(&mut self, line: &str) {
        self.text.push_str(visible(line).trim_end());
        self.text.push('\n');
    }

    /// `key` in the column of keys, `values` wrapped beside it.
    fn pair(&mut self, key: &str, values: &[String]) {
        for (i, line) in wrap(values, ", ", WIDTH - KEY).iter().enumerate() {
            let key = if i == 0 { key } else { "" };
            self.line(&format!("{key:<KEY$}{line}"));
        }
    }

    /// The method and path, the summary, then one line per fact.
    fn header(&mut self, op: &Operation<'_>) {
        self.line(&format!("{} {}", op.method(), op.template()));
        for line in wrap(&[op.summary().to_owned()], " ", WIDTH - 2) {
            self.line(&format!("  {line}"));
        }
        self.line("");
        let tags: Vec<String> = op.tags().map(String::from).collect();
        if !tags.is_empty() {
            self.pair("tags", &tags);
        }
        let roles: Vec<String> = op.roles().map(String::from).collect();
        if !roles.is_empty() {
            self.pair("roles", &roles);
        }
        let certificate = if op.cert_required() {
            "needed: the merchant's client certificate (TLS)"
        } else {
            "not needed"
        };
        self.pair("certificate", &[certificate.to_owned()]);
        if let Some(host) = op.base_uri() {
            self.pair("host", &[format!("{host} (not the client's base URL)")]);
        }
        if op.protocol() == Protocol::V2 {
            self.pair("protocol", &[format!("APIv2, {} on the wire", op.wire_path())]);
        }
        if let Some(status) = op.response_status() {
            self.pair("success", &[status_text(status)]);
        }
        if op.deprecated() {
            self.pair("deprecated", &["yes".to_owned()]);
        }
    }

    /// A section of parameters; nothing when there are none.
    fn parameters(&mut self, title: &str, list: Vec<Parameter<'_>>) {
        if list.is_empty() {
            return;
        }
        self.line("");
        self.line(title);
        let fields: Vec<Field<'_>> = list
            .iter()
            .map(|p| (p.name(), Some(p.schema()), p.required()))
            .collect();
        self.group(2, &fields, 0);
    }

    /// A body's section: its fields, or `none`.
    fn body(&mut self, title: &str, schema: Option<Schema<'_>>) {
        self.line("");
        let Some(schema) = schema else {
            self.line(&format!("{title}: none"));
            return;
        };
        self.line(title);
        let fields = fields_of(&schema);
        if fields.is_empty() {
            self.field(2, 2 + NAME_COLUMN, ("(body)", Some(schema), true), 0);
        } else {
            self.group(2, &fields, 0);
        }
    }

    /// Sibling fields at `indent`, their rules aligned in one column.
    fn group(&mut self, indent: usize, fields: &[Field<'_>], depth: usize) {
        let longest = fields.iter().map(|(name, ..)| width(name)).max().unwrap_or(0);
        let mut column = indent + longest.min(NAME_COLUMN) + 2;
        if WIDTH.saturating_sub(column) < MIN_RULES {
            column = (indent + 4).min(WIDTH - MIN_RULES);
        }
        for field in fields {
            self.field(indent, column, *field, depth);
        }
    }

    /// One field: its name and rules, its allowed values, its description, its children.
    fn field(&mut self, indent: usize, column: usize, (name, schema, required): Field<'_>, depth: usize) {
        let rules = match &schema {
            Some(schema) => rules(schema, required),
            None => vec!["any".to_owned(), "required".to_owned()],
        };
        let head = format!("{:indent$}{name}", "");
        let mut lines = wrap(&rules, ", ", WIDTH - column).into_iter();
        if width(&head) + 2 <= column {
            let first = lines.next().unwrap_or_default();
            let pad = column - width(&head);
            self.line(&format!("{head}{:pad$}{first}", ""));
        } else {
            self.line(&head);
        }
        for line in lines {
            self.line(&format!("{:column$}{line}", ""));
        }
        let Some(schema) = schema else { return };
        self.enumeration(column, &schema);
        if let Some(description) = schema.description().map(first_line).filter(|d| !d.is_empty()) {
            let description = shorten(&visible(&description), WIDTH - column);
            self.line(&format!("{:column$}{description}", ""));
        }
        if depth < MAX_DEPTH {
            let children = fields_of(&schema);
            if !children.is_empty() {
                self.group((indent + 2).min(WIDTH / 2), &children, depth + 1);
            } else if let Some(inner) = nested_array(&schema) {
                self.group((indent + 2).min(WIDTH / 2), &[("[]", Some(inner), false)], depth + 1);
            }
        }
    }

    /// `one of: A, B, ...`, wrapped at the rules' column (for an array, its items' values).
    fn enumeration(&mut self, column: usize, schema: &Schema<'_>) {
        let (values, lead) = match schema.items() {
            Some(items) if schema.enum_values().is_empty() => (items.enum_values(), "each one of: "),
            _ => (schema.enum_values(), "one of: "),
        };
        if values.is_empty() {
            return;
        }
        let mut pieces: Vec<String> = values.iter().take(MAX_ENUM).map(value_text).collect();
        if values.len() > MAX_ENUM {
            pieces.push(format!("... ({} in all)", values.len()));
        }
        pieces[0] = format!("{lead}{}", pieces[0]);
        for line in wrap(&pieces, ", ", WIDTH - column) {
            self.line(&format!("{:column$}{line}", ""));
        }
    }
}

/// The fields under a schema: an object's properties (then any required name it lists
/// without a schema), or those of an array's items.
fn fields_of<'a>(schema: &Schema<'a>) -> Vec<Field<'a>> {
    let object = match schema.items() {
        Some(items) if schema.properties().len() == 0 => items,
        _ => *schema,
    };
    let mut fields: Vec<Field<'a>> = object
        .properties()
        .map(|(name, child)| (name, Some(child), object.is_required(name)))
        .collect();
    for name in object.required() {
        if object.property(name).is_none() {
            fields.push((name, None, true));
        }
    }
    fields
}

/// The items of an array of arrays, shown as a `[]` field of their own.
fn nested_array<'a>(schema: &Schema<'a>) -> Option<Schema<'a>> {
    schema
        .items()
        .filter(|items| items.schema_type() == Some(SchemaType::Array))
}

/// A field's rules: type, `required`, limits, format, pattern, default; for an array of
/// plain values, the rules of each item too.
fn rules(schema: &Schema<'_>, required: bool) -> Vec<String> {
    let mut rules = vec![type_text(schema, 0)];
    if required {
        rules.push("required".to_owned());
    }
    rules.extend(limits(schema, ""));
    if let Some(items) = schema.items()
        && items.properties().len() == 0
        && items.schema_type() != Some(SchemaType::Array)
    {
        rules.extend(limits(&items, "each "));
    }
    rules
}

/// `string`, `array of object`, `integer or null`, `any`.
fn type_text(schema: &Schema<'_>, depth: usize) -> String {
    let base = match schema.schema_type() {
        Some(SchemaType::Array) => match schema.items() {
            Some(items) if depth < 4 => format!("array of {}", type_text(&items, depth + 1)),
            _ => "array".to_owned(),
        },
        Some(ty) => ty.as_str().to_owned(),
        None if schema.properties().len() > 0 => "object".to_owned(),
        None => "any".to_owned(),
    };
    if schema.nullable() {
        format!("{base} or null")
    } else {
        base
    }
}

/// The limits a schema states, each as a short phrase starting with `prefix`.
fn limits(schema: &Schema<'_>, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(text) = count(schema.min_length(), schema.max_length(), "character") {
        out.push(format!("{prefix}{text}"));
    }
    if let Some(min) = schema.minimum() {
        let op = if schema.exclusive_minimum() { ">" } else { ">=" };
        out.push(format!("{prefix}{op} {}", number(min)));
    }
    if let Some(max) = schema.maximum() {
        let op = if schema.exclusive_maximum() { "<" } else { "<=" };
        out.push(format!("{prefix}{op} {}", number(max)));
    }
    if let Some(text) = count(schema.min_items(), schema.max_items(), "item") {
        out.push(format!("{prefix}{text}"));
    }
    if let Some(format) = schema.format() {
        out.push(format!("{prefix}format {format}"));
    }
    if let Some(pattern) = schema.pattern() {
        out.push(format!("{prefix}pattern {pattern}"));
    }
    if let Some(default) = schema.default_value() {
        out.push(format!("{prefix}default {}", value_text(default)));
    }
    out
}

/// `at most 64 characters`, `at least 1 item`, `6 to 32 characters`, `exactly 8 characters`.
fn count(min: Option<u64>, max: Option<u64>, unit: &str) -> Option<String> {
    let units = |n: u64| if n == 1 { unit.to_owned() } else { format!("{unit}s") };
    Some(match (min.filter(|&m| m > 0), max) {
        (Some(min), Some(max)) if min == max => format!("exactly {min} {}", units(min)),
        (Some(min), Some(max)) => format!("{min} to {max} {}", units(max)),
        (Some(min), None) => format!("at least {min} {}", units(min)),
        (None, Some(max)) => format!("at most {max} {}", units(max)),
        (None, None) => return None,
    })
}

/// A value of the description as text: strings bare, the rest as JSON.
fn value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => visible(s),
        other => visible(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_words() {
        assert_eq!(
            count(None, Some(64), "character").as_deref(),
            Some("at most 64 characters")
        );
        assert_eq!(count(Some(1), None, "item").as_deref(), Some("at least 1 item"));
        assert_eq!(
            count(Some(6), Some(32), "character").as_deref(),
            Some("6 to 32 characters")
        );
        assert_eq!(
            count(Some(8), Some(8), "character").as_deref(),
            Some("exactly 8 characters")
        );
        assert_eq!(count(Some(0), None, "item"), None);
    }

    #[test]
    fn every_operation_renders_within_80_columns_but_for_unbreakable_words() {
        for op in wechatpay::catalog::Catalog::get().operations() {
            for line in operation(&op).lines().skip(1) {
                assert!(width(line) <= WIDTH, "{op}: {line:?} is {} columns", width(line));
            }
        }
    }
}
