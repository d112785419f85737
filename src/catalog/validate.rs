//! Validation of requests and responses against the catalogue's schemas.
//!
//! Every violation is collected, not only the first. A value of the wrong type is reported
//! once, without the cascade of rules that would follow from it.

use serde_json::Value;

use super::data::{Node, OpData};
use super::operation::{Location, Protocol};
use super::schema::SchemaType;
use super::{Catalog, format};

/// The rule a [`Violation`] breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// The JSON type (`type`).
    Type,
    /// A required property or parameter is missing (`required`).
    Required,
    /// The value is not one of the listed ones (`enum`).
    Enum,
    /// Too few characters (`minLength`; characters, not bytes).
    MinLength,
    /// Too many characters (`maxLength`; characters, not bytes).
    MaxLength,
    /// Too small (`minimum`).
    Minimum,
    /// Too large (`maximum`).
    Maximum,
    /// Too few items (`minItems`).
    MinItems,
    /// Too many items (`maxItems`).
    MaxItems,
    /// The text does not match the `pattern`.
    Pattern,
    /// The text does not have the `format` (RFC 3339 date-time, date, ...).
    Format,
    /// A property, parameter or body the description does not document.
    UnknownField,
}

impl Rule {
    /// The rule's name in messages (`max-length`, `unknown-field`, ...).
    ///
    /// ```
    /// assert_eq!(wechatpay::catalog::Rule::MaxLength.as_str(), "max-length");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Type => "type",
            Rule::Required => "required",
            Rule::Enum => "enum",
            Rule::MinLength => "min-length",
            Rule::MaxLength => "max-length",
            Rule::Minimum => "minimum",
            Rule::Maximum => "maximum",
            Rule::MinItems => "min-items",
            Rule::MaxItems => "max-items",
            Rule::Pattern => "pattern",
            Rule::Format => "format",
            Rule::UnknownField => "unknown-field",
        }
    }

    /// This rule's bit in a node's `loose` mask.
    pub(super) fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a [`Violation`] matters.
///
/// ```
/// use wechatpay::catalog::{Catalog, Request, Rule, Severity};
/// use serde_json::json;
/// let op = Catalog::get().lookup("POST", "/v3/parking/reminders/ext-payment").unwrap();
/// let body = json!({ "out_trade_no": "T1", "fee_items": [{ "fee_type": "EXT_PARKING_PAYMENT_FEE_TYPE_MEMBER", "amount": 1 }],
///                    "pay_time": 1719128975, "note": "undocumented" });
/// let violations = op.validate(&Request { body: Some(&body), ..Request::default() });
/// assert_eq!(violations.len(), 1);
/// assert_eq!((violations[0].rule, violations[0].severity), (Rule::UnknownField, Severity::Warning));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The request breaks a rule the platform enforces, as far as the description tells.
    Error,
    /// The description is known to be loose here: worth a look, not a reason to refuse.
    Warning,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One broken rule.
///
/// Severity: a rule is an [`Error`](Severity::Error) unless the description is known to be
/// loose about it, then it is a [`Warning`](Severity::Warning):
///
/// - [`Rule::UnknownField`]: the platform adds fields to its answers before the description
///   lists them, and ignores some it does not document;
/// - [`Rule::Format`] for every format but the date-times (`rfc3339`, `date`): `int32`,
///   `base64`, `url`, ... are hints;
/// - any rule (but `Type` and `Required`) that the description's own example for that value
///   breaks: there the description contradicts itself (an enum missing a value the example
///   uses, a `maxLength` shorter than the example, a date-time without seconds).
///
/// v2 operations, and path and query parameters, are text on the wire: a value is checked
/// through its text there, so `"100"` is an `integer` and `100` a `string`, and lengths count
/// the characters of that text. In a v2 body, the required fields that stand for each other
/// (an order's `transaction_id` and `out_trade_no`; a refund query's four ids) are satisfied
/// by any one of them, as the platform asks.
///
/// ```
/// use wechatpay::catalog::{Rule, Severity, Violation};
/// let v = Violation {
///     pointer: "/fee_items/0/amount".into(),
///     rule: Rule::Type,
///     expected: "integer".into(),
///     found: "string \"1\"".into(),
///     severity: Severity::Error,
/// };
/// assert_eq!(v.to_string(), "error[type]: /fee_items/0/amount: expected integer, found string \"1\"");
/// ```
///
/// `Debug` shows where, which rule and what was expected, and only the length of what was
/// found: that may be the caller's data (an order number, a token, a field to encrypt).
#[derive(Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where: a JSON pointer into the body (RFC 6901: `/fee_items/0/amount`, empty for the
    /// body itself), or a parameter (`path: out_trade_no`, `query: bill_date`).
    pub pointer: String,
    /// The rule broken.
    pub rule: Rule,
    /// What the description asks for.
    pub expected: String,
    /// What was found (long values shortened).
    pub found: String,
    /// Error or warning.
    pub severity: Severity,
}

impl std::fmt::Debug for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Violation")
            .field("pointer", &self.pointer)
            .field("rule", &self.rule)
            .field("expected", &self.expected)
            .field("found_len", &self.found.chars().count())
            .field("severity", &self.severity)
            .finish()
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = if self.pointer.is_empty() { "body" } else { &self.pointer };
        write!(
            f,
            "{}[{}]: {place}: expected {}, found {}",
            self.severity, self.rule, self.expected, self.found
        )
    }
}

/// A request to check: path variables, query parameters and body.
///
/// ```
/// use wechatpay::catalog::Request;
/// use serde_json::json;
/// let body = json!({ "mchid": "1900000001" });
/// let request = Request { params: &[("out_trade_no", "T1")], query: &[], body: Some(&body) };
/// assert_eq!(request.params.len(), 1);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Request<'a> {
    /// The path variables, `(name, value)`.
    pub params: &'a [(&'a str, &'a str)],
    /// The query parameters, `(key, value)`.
    pub query: &'a [(&'a str, &'a str)],
    /// The body, when there is one (a v2 body as a flat JSON object of its fields).
    pub body: Option<&'a Value>,
}

/// Values nested deeper than this are not looked into.
const MAX_DEPTH: usize = 64;
/// Longest `found` text kept, in characters.
const SHOWN: usize = 40;

/// The walk: where it is, what it found.
struct Walker<'c> {
    catalog: Option<&'c Catalog>,
    /// Scalars are checked through their wire text (v2 bodies, parameters).
    text: bool,
    /// Only the node itself, not its properties or items (for the `loose` marks).
    shallow: bool,
    pointer: String,
    out: Vec<Violation>,
}

impl<'c> Walker<'c> {
    fn report(&mut self, node: &Node, rule: Rule, expected: String, found: String) {
        let severity = match rule {
            Rule::UnknownField => Severity::Warning,
            Rule::Format if !node.format.as_deref().is_some_and(format::is_strict) => Severity::Warning,
            Rule::Type | Rule::Required => Severity::Error,
            _ if node.loose & rule.bit() != 0 => Severity::Warning,
            _ => Severity::Error,
        };
        self.out.push(Violation {
            pointer: self.pointer.clone(),
            rule,
            expected,
            found,
            severity,
        });
    }

    fn check(&mut self, node: &Node, value: &Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if value.is_null() {
            if !node.nullable && node.ty.is_some() {
                self.report(node, Rule::Type, expected_type(node), "null".into());
            }
            return;
        }
        match (self.text, value) {
            (true, Value::String(_) | Value::Number(_) | Value::Bool(_)) => {
                let text = match value {
                    Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
                    other => std::borrow::Cow::Owned(other.to_string()),
                };
                self.check_text(node, value, &text);
            }
            _ => self.check_json(node, value, depth),
        }
    }

    /// A scalar on the wire: its text must read as the type.
    fn check_text(&mut self, node: &Node, value: &Value, text: &str) {
        let number = match node.ty {
            Some(SchemaType::Integer) => match text.parse::<i128>() {
                Ok(i) => Some(i as f64),
                Err(_) => return self.report(node, Rule::Type, expected_type(node), found_typed(value)),
            },
            Some(SchemaType::Number) => match text.parse::<f64>() {
                Ok(n) if n.is_finite() => Some(n),
                _ => return self.report(node, Rule::Type, expected_type(node), found_typed(value)),
            },
            Some(SchemaType::Boolean) if text != "true" && text != "false" => {
                return self.report(node, Rule::Type, expected_type(node), found_typed(value));
            }
            Some(SchemaType::Array) if self.catalog.is_some() && node.items.is_some() => {
                // A list in a query string: comma-separated items.
                if let Some(items) = node.items.and_then(|i| self.catalog.map(|c| c.node(i))) {
                    self.check_count(node, text.split(',').count());
                    for item in text.split(',') {
                        self.check_text(items, &Value::String(item.into()), item);
                    }
                }
                return;
            }
            Some(SchemaType::Array | SchemaType::Object) => {
                return self.report(node, Rule::Type, expected_type(node), found_typed(value));
            }
            _ => None,
        };
        self.check_enum(node, value);
        self.check_string(node, text);
        if let Some(n) = number {
            self.check_range(node, n, text);
        }
        if let Some(f) = node.format.as_deref()
            && format::check_text(f, text) == Some(false)
        {
            self.report(node, Rule::Format, format::describe(f), show(value));
        }
    }

    fn check_json(&mut self, node: &Node, value: &Value, depth: usize) {
        let fits = match (node.ty, value) {
            (None | Some(SchemaType::File), _) => true,
            (Some(SchemaType::String), Value::String(_)) => true,
            (Some(SchemaType::Number), Value::Number(_)) => true,
            (Some(SchemaType::Integer), Value::Number(n)) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            (Some(SchemaType::Boolean), Value::Bool(_)) => true,
            (Some(SchemaType::Array), Value::Array(_)) => true,
            (Some(SchemaType::Object), Value::Object(_)) => true,
            _ => false,
        };
        if !fits {
            return self.report(node, Rule::Type, expected_type(node), found_typed(value));
        }
        self.check_enum(node, value);
        match value {
            Value::String(s) => {
                self.check_string(node, s);
                if let Some(f) = node.format.as_deref()
                    && format::check_text(f, s) == Some(false)
                {
                    self.report(node, Rule::Format, format::describe(f), show(value));
                }
            }
            Value::Number(n) => {
                if let Some(f) = n.as_f64() {
                    self.check_range(node, f, &n.to_string());
                }
                if let Some(f) = node.format.as_deref()
                    && format::check(f, value) == Some(false)
                {
                    self.report(node, Rule::Format, format::describe(f), show(value));
                }
            }
            Value::Array(items) => self.check_items(node, items, depth),
            Value::Object(map) => self.check_object(node, map, depth),
            _ => {}
        }
    }

    /// An array's item count, then each item against the `items` schema.
    fn check_items(&mut self, node: &Node, items: &[Value], depth: usize) {
        self.check_count(node, items.len());
        if self.shallow {
            return;
        }
        if let Some(item_node) = node.items.and_then(|i| self.catalog.map(|c| c.node(i))) {
            for (i, item) in items.iter().enumerate() {
                let len = self.pointer.len();
                self.pointer.push('/');
                self.pointer.push_str(&i.to_string());
                self.check(item_node, item, depth + 1);
                self.pointer.truncate(len);
            }
        }
    }

    /// An object's required properties, then each property against its schema (one the
    /// schema does not document is a warning).
    fn check_object(&mut self, node: &Node, map: &serde_json::Map<String, Value>, depth: usize) {
        for name in &node.required {
            if !map.contains_key(&**name) {
                let child = self.property(node, name);
                let expected = child.map_or_else(|| "a value".to_owned(), expected_type);
                let len = self.pointer.len();
                push_segment(&mut self.pointer, name);
                self.report(node, Rule::Required, expected, "nothing".into());
                self.pointer.truncate(len);
            }
        }
        if self.shallow {
            return;
        }
        for (name, child_value) in map {
            let len = self.pointer.len();
            push_segment(&mut self.pointer, name);
            match self.property(node, name) {
                Some(child) => self.check(child, child_value, depth + 1),
                None if !node.properties.is_empty() => {
                    self.report(node, Rule::UnknownField, "no such field".into(), show(child_value))
                }
                None => {}
            }
            self.pointer.truncate(len);
        }
    }

    fn property<'n>(&self, node: &'n Node, name: &str) -> Option<&'n Node>
    where
        'c: 'n,
    {
        let index = node.properties.iter().find(|(n, _)| &**n == name)?.1;
        self.catalog.map(|c| c.node(index))
    }

    fn check_enum(&mut self, node: &Node, value: &Value) {
        let Some(allowed) = node.enumeration.as_deref() else {
            return;
        };
        if allowed.is_empty() || allowed.iter().any(|a| same(a, value)) {
            return;
        }
        let mut expected = String::from("one of ");
        for (i, a) in allowed.iter().take(8).enumerate() {
            if i > 0 {
                expected.push_str(", ");
            }
            expected.push_str(&match a {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        }
        if allowed.len() > 8 {
            expected.push_str(&format!(", ... ({} in all)", allowed.len()));
        }
        self.report(node, Rule::Enum, expected, show(value));
    }

    fn check_string(&mut self, node: &Node, s: &str) {
        if node.min_length.is_some() || node.max_length.is_some() {
            let chars = s.chars().count() as u64;
            if let Some(min) = node.min_length.filter(|&min| chars < min) {
                self.report(
                    node,
                    Rule::MinLength,
                    format!("at least {min} characters"),
                    format!("{chars}"),
                );
            }
            if let Some(max) = node.max_length.filter(|&max| chars > max) {
                self.report(
                    node,
                    Rule::MaxLength,
                    format!("at most {max} characters"),
                    format!("{chars}"),
                );
            }
        }
        if let Some(pattern) = node.pattern.as_deref()
            && let Some(regex) = node.regex.get_or_init(|| compile(pattern))
            && !regex.is_match(s)
        {
            self.report(node, Rule::Pattern, format!("text matching {pattern}"), show_str(s));
        }
    }

    fn check_range(&mut self, node: &Node, n: f64, shown: &str) {
        if let Some(min) = node.minimum
            && (n < min || (node.exclusive_minimum && n == min))
        {
            let op = if node.exclusive_minimum { ">" } else { ">=" };
            self.report(node, Rule::Minimum, format!("{op} {min}"), shown.to_owned());
        }
        if let Some(max) = node.maximum
            && (n > max || (node.exclusive_maximum && n == max))
        {
            let op = if node.exclusive_maximum { "<" } else { "<=" };
            self.report(node, Rule::Maximum, format!("{op} {max}"), shown.to_owned());
        }
    }

    fn check_count(&mut self, node: &Node, count: usize) {
        let count = count as u64;
        if let Some(min) = node.min_items.filter(|&min| count < min) {
            self.report(
                node,
                Rule::MinItems,
                format!("at least {min} items"),
                format!("{count}"),
            );
        }
        if let Some(max) = node.max_items.filter(|&max| count > max) {
            self.report(node, Rule::MaxItems, format!("at most {max} items"), format!("{count}"));
        }
    }
}

/// Required APIv2 fields that stand for each other: an order is named by `transaction_id`
/// or by `out_trade_no`, a refund query by any of four ids. The description marks each of
/// them required; the platform asks for one. A group applies when every member is required.
const V2_ALTERNATIVES: [&[&str]; 2] = [
    &["transaction_id", "out_trade_no", "out_refund_no", "refund_id"],
    &["transaction_id", "out_trade_no"],
];

/// The group of alternatives the required field `name` belongs to, when every member of it is
/// in `required` (see [`V2_ALTERNATIVES`]).
pub(crate) fn v2_alternatives(name: &str, required: &[&str]) -> Option<&'static [&'static str]> {
    V2_ALTERNATIVES
        .iter()
        .find(|group| group.contains(&name) && group.iter().all(|member| required.contains(member)))
        .copied()
}

/// A JavaScript-style `/source/flags` pattern (or a bare one) as a regex; `None` when it does
/// not compile (it is then not checked). Unanchored, as in JavaScript and JSON Schema.
fn compile(pattern: &str) -> Option<regex_lite::Regex> {
    let (source, flags) = match pattern.strip_prefix('/').and_then(|p| p.rsplit_once('/')) {
        Some((source, flags)) if flags.chars().all(|c| "dgimsuvy".contains(c)) => (source, flags),
        _ => (pattern, ""),
    };
    let inline: String = flags.chars().filter(|c| "ims".contains(*c)).collect();
    let source = if inline.is_empty() {
        source.to_owned()
    } else {
        format!("(?{inline}){source}")
    };
    regex_lite::Regex::new(&source).ok()
}

/// Enum membership: JSON equality, or a string and a number with the same text (the
/// description lists `[74, 75]` for some string fields).
fn same(allowed: &Value, value: &Value) -> bool {
    match (allowed, value) {
        (Value::String(s), Value::Number(n)) | (Value::Number(n), Value::String(s)) => *s == n.to_string(),
        (Value::Number(a), Value::Number(b)) => a == b || a.as_f64() == b.as_f64(),
        _ => allowed == value,
    }
}

fn push_segment(pointer: &mut String, name: &str) {
    pointer.push('/');
    for c in name.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

fn expected_type(node: &Node) -> String {
    let ty = node.ty.map_or("a value", |t| t.as_str());
    if node.nullable {
        format!("{ty} or null")
    } else {
        ty.to_owned()
    }
}

/// A short rendering of a value: scalars as JSON, shortened; containers by their size.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => show_str(s),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(o) => format!("an object of {} fields", o.len()),
        other => other.to_string(),
    }
}

fn show_str(s: &str) -> String {
    let mut chars = s.char_indices();
    match chars.nth(SHOWN) {
        None => Value::String(s.to_owned()).to_string(),
        Some((cut, _)) => {
            let shown = Value::String(s[..cut].to_owned()).to_string();
            format!("{}...\" ({} characters)", &shown[..shown.len() - 1], s.chars().count())
        }
    }
}

/// `string "1"`, `integer 5`, `an object of 2 fields`.
fn found_typed(value: &Value) -> String {
    match value {
        Value::String(_) => format!("string {}", show(value)),
        Value::Number(n) if n.is_f64() => format!("number {n}"),
        Value::Number(n) => format!("integer {n}"),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Null => "null".into(),
        other => show(other),
    }
}

/// The rules (bits) that `example` breaks at `node` itself, but `Type`, `Required` and
/// `UnknownField`: where the description is loose.
pub(super) fn broken_here(node: &Node, example: &Value) -> u16 {
    let mut walker = Walker {
        catalog: None,
        text: false,
        shallow: true,
        pointer: String::new(),
        out: Vec::new(),
    };
    walker.check(node, example, 0);
    walker
        .out
        .iter()
        .filter(|v| !matches!(v.rule, Rule::Type | Rule::Required | Rule::UnknownField))
        .fold(0, |mask, v| mask | v.rule.bit())
}

/// Checks a body (request or response) against the schema at `index`.
pub(super) fn body(catalog: &Catalog, index: u32, protocol: Protocol, value: &Value) -> Vec<Violation> {
    let mut walker = Walker {
        catalog: Some(catalog),
        text: protocol == Protocol::V2,
        shallow: false,
        pointer: String::new(),
        out: Vec::new(),
    };
    walker.check(catalog.node(index), value, 0);
    walker.out
}

/// Whether a value passes the schema at `index` with no error (warnings allowed).
pub(super) fn passes(catalog: &Catalog, index: u32, protocol: Protocol, value: &Value) -> bool {
    body(catalog, index, protocol, value)
        .iter()
        .all(|v| v.severity == Severity::Warning)
}

/// APIv2 names some orders either way (`transaction_id` or `out_trade_no`): a missing field
/// is no violation when another of its group is present.
fn drop_satisfied_alternatives(catalog: &Catalog, index: u32, value: &Value, violations: &mut Vec<Violation>) {
    let node = catalog.node(index);
    let required: Vec<&str> = node.required.iter().map(|name| &**name).collect();
    let present = |name: &str| value.get(name).is_some_and(|v| !v.is_null() && v != "");
    violations.retain(|v| {
        let missing = v.pointer.strip_prefix('/').filter(|_| v.rule == Rule::Required);
        !missing
            .and_then(|name| v2_alternatives(name, &required))
            .is_some_and(|group| group.iter().any(|member| present(member)))
    });
}

/// Checks a whole request: path variables, query parameters, body.
pub(super) fn request(catalog: &Catalog, op: &OpData, request: &Request<'_>) -> Vec<Violation> {
    let mut walker = Walker {
        catalog: Some(catalog),
        text: true,
        shallow: false,
        pointer: String::new(),
        out: Vec::new(),
    };
    for (location, given, label) in [
        (Location::Path, request.params, "path: "),
        (Location::Query, request.query, "query: "),
    ] {
        // A path variable the template does not have (a slip of the description) can never be
        // given: it is not asked for.
        let in_template = |name: &str| location != Location::Path || op.path.contains(&format!("{{{name}}}"));
        for p in op
            .params
            .iter()
            .filter(|p| p.location == location && in_template(&p.name))
        {
            walker.pointer.clear();
            walker.pointer.push_str(label);
            walker.pointer.push_str(&p.name);
            let node = catalog.node(p.schema);
            let mut values = given.iter().filter(|(name, _)| *name == &*p.name).peekable();
            if values.peek().is_none() && p.required {
                walker.report(node, Rule::Required, expected_type(node), "nothing".into());
            }
            for (_, value) in values {
                walker.check_text(node, &Value::String((*value).to_owned()), value);
            }
        }
        for (name, value) in given {
            if !op.params.iter().any(|p| p.location == location && &*p.name == *name) {
                walker.pointer.clear();
                walker.pointer.push_str(label);
                walker.pointer.push_str(name);
                walker.out.push(Violation {
                    pointer: walker.pointer.clone(),
                    rule: Rule::UnknownField,
                    expected: "no such parameter".into(),
                    found: show_str(value),
                    severity: Severity::Warning,
                });
            }
        }
    }
    match (op.request, request.body) {
        (Some(index), Some(value)) => {
            let mut violations = body(catalog, index, op.protocol, value);
            if op.protocol == Protocol::V2 {
                drop_satisfied_alternatives(catalog, index, value, &mut violations);
            }
            walker.out.extend(violations)
        }
        (Some(index), None) => walker.out.push(Violation {
            pointer: String::new(),
            rule: Rule::Required,
            expected: expected_type(catalog.node(index)),
            found: "no body".into(),
            severity: Severity::Error,
        }),
        (None, Some(value)) => walker.out.push(Violation {
            pointer: String::new(),
            rule: Rule::UnknownField,
            expected: "no body".into(),
            found: show(value),
            severity: Severity::Warning,
        }),
        (None, None) => {}
    }
    walker.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn javascript_patterns_are_unanchored_with_their_flags() {
        let digits = compile(r"/\d{8}|\d{14}/").unwrap();
        assert!(digits.is_match("20240704") && digits.is_match("at 20240704153000"));
        assert!(!digits.is_match("2024-07-04"));
        let insensitive = compile("/^ab$/i").unwrap();
        assert!(insensitive.is_match("AB"));
        // A bare pattern (JSON Schema style) is taken as it is.
        assert!(compile("^[0-9]{6}$").unwrap().is_match("123456"));
        // `\|-_` is a reversed range: JavaScript refuses it too. Such a pattern is not checked.
        assert!(compile(r"/[a-zA-Z0-9\|-_\*]{1,128}/").is_none());
        assert!(compile(r"/[a-zA-Z0-9\|\*_-]{1,128}/").is_some());
    }

    #[test]
    fn enum_values_match_across_string_and_number_text() {
        assert!(same(&json!(74), &json!("74")));
        assert!(same(&json!("74"), &json!(74)));
        assert!(same(&json!(1), &json!(1.0)));
        assert!(!same(&json!("1"), &json!(true)));
        assert!(!same(&json!("A"), &json!("a")));
    }

    #[test]
    fn found_values_are_shortened_by_characters() {
        assert_eq!(show_str("short"), "\"short\"");
        let long = "退".repeat(100);
        let shown = show_str(&long);
        assert!(
            shown.starts_with("\"退退") && shown.ends_with("...\" (100 characters)"),
            "{shown}"
        );
        assert_eq!(show(&json!([1, 2])), "an array of 2 items");
        assert_eq!(found_typed(&json!(1.5)), "number 1.5");
        assert_eq!(found_typed(&json!("x")), "string \"x\"");
    }

    #[test]
    fn a_nodes_own_example_marks_the_rules_it_breaks() {
        let node: Node = serde_json::from_value(json!({
            "type": "string", "enum": ["A", "B"], "maxLength": 2, "example": "LONG"
        }))
        .unwrap();
        let mask = broken_here(&node, node.example.as_ref().unwrap());
        assert_eq!(mask, Rule::Enum.bit() | Rule::MaxLength.bit());
        // The type is never marked loose: a number for a string is a slip of the example.
        let node: Node = serde_json::from_value(json!({ "type": "string", "example": 12 })).unwrap();
        assert_eq!(broken_here(&node, &json!(12)), 0);
    }
}
