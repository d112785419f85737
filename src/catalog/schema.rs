//! A read-only view of one schema of the catalogue, to walk and print.

use serde::Deserialize;
use serde_json::Value;

use super::Catalog;
use super::data::Node;

/// The `type` of a schema.
///
/// ```
/// use wechatpay::catalog::SchemaType;
/// assert_eq!(SchemaType::Integer.as_str(), "integer");
/// assert_eq!(SchemaType::Object.to_string(), "object");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SchemaType {
    /// A string.
    String,
    /// A number, integral or not.
    Number,
    /// An integral number.
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A list.
    Array,
    /// A map of named properties.
    Object,
    /// The file part of a multipart upload (form parameters only).
    File,
}

impl SchemaType {
    /// The name the description uses.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaType::String => "string",
            SchemaType::Number => "number",
            SchemaType::Integer => "integer",
            SchemaType::Boolean => "boolean",
            SchemaType::Array => "array",
            SchemaType::Object => "object",
            SchemaType::File => "file",
        }
    }
}

impl std::fmt::Display for SchemaType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One schema: a request or response body, a parameter, or a part of one.
///
/// Everything a printer needs, in the description's order:
///
/// ```
/// use wechatpay::catalog::{Catalog, Schema};
///
/// fn print(name: &str, schema: Schema<'_>, required: bool, depth: usize, out: &mut String) {
///     let ty = schema.schema_type().map_or("any", |t| t.as_str());
///     let star = if required { "*" } else { "" };
///     out.push_str(&format!("{:indent$}{name}{star}: {ty}\n", "", indent = depth * 2));
///     for (child, sub) in schema.properties() {
///         print(child, sub, schema.is_required(child), depth + 1, out);
///     }
///     if let Some(items) = schema.items() {
///         print("[]", items, false, depth + 1, out);
///     }
/// }
///
/// let op = Catalog::get().lookup("POST", "/v3/parking/reminders/ext-payment").unwrap();
/// let mut out = String::new();
/// print("body", op.request_schema().unwrap(), true, 0, &mut out);
/// assert!(out.contains("\n  fee_items*: array\n    []: object\n      fee_type*: string\n"));
/// ```
#[derive(Clone, Copy)]
pub struct Schema<'a> {
    catalog: &'a Catalog,
    node: &'a Node,
}

impl<'a> Schema<'a> {
    pub(super) fn new(catalog: &'a Catalog, index: u32) -> Schema<'a> {
        Schema {
            catalog,
            node: catalog.node(index),
        }
    }

    /// The `type`, when the description gives one.
    pub fn schema_type(&self) -> Option<SchemaType> {
        self.node.ty
    }

    /// The names of the required properties, in the description's order.
    pub fn required(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        self.node.required.iter().map(|name| &**name)
    }

    /// Whether `name` is a required property.
    pub fn is_required(&self, name: &str) -> bool {
        self.node.required.iter().any(|r| &**r == name)
    }

    /// The properties, in the description's order.
    pub fn properties(&self) -> impl ExactSizeIterator<Item = (&'a str, Schema<'a>)> + 'a {
        let catalog = self.catalog;
        self.node
            .properties
            .iter()
            .map(move |(name, index)| (&**name, Schema::new(catalog, *index)))
    }

    /// One property by name.
    ///
    /// ```
    /// let op = wechatpay::catalog::Catalog::get().lookup("POST", "/v3/parking/reminders/ext-payment").unwrap();
    /// let out_trade_no = op.request_schema().unwrap().property("out_trade_no").unwrap();
    /// assert_eq!(out_trade_no.max_length(), Some(64));
    /// ```
    pub fn property(&self, name: &str) -> Option<Schema<'a>> {
        self.node
            .properties
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, index)| Schema::new(self.catalog, *index))
    }

    /// The schema of an array's items.
    pub fn items(&self) -> Option<Schema<'a>> {
        self.node.items.map(|index| Schema::new(self.catalog, index))
    }

    /// The allowed values (`enum`); empty when any value of the type is allowed.
    ///
    /// ```
    /// let op = wechatpay::catalog::Catalog::get().lookup("GET", "/v3/pay/transactions/id/{transaction_id}").unwrap();
    /// let state = op.response_schema().unwrap().property("trade_state").unwrap();
    /// assert!(state.enum_values().iter().any(|v| v == "NOTPAY"));
    /// assert!(state.description().is_some());
    /// ```
    pub fn enum_values(&self) -> &'a [Value] {
        self.node.enumeration.as_deref().unwrap_or(&[])
    }

    /// The least number of characters of a string.
    pub fn min_length(&self) -> Option<u64> {
        self.node.min_length
    }

    /// The largest number of characters of a string.
    pub fn max_length(&self) -> Option<u64> {
        self.node.max_length
    }

    /// The least value of a number (excluded when [`Schema::exclusive_minimum`]).
    pub fn minimum(&self) -> Option<f64> {
        self.node.minimum
    }

    /// The largest value of a number (excluded when [`Schema::exclusive_maximum`]).
    pub fn maximum(&self) -> Option<f64> {
        self.node.maximum
    }

    /// Whether [`Schema::minimum`] itself is excluded.
    pub fn exclusive_minimum(&self) -> bool {
        self.node.exclusive_minimum
    }

    /// Whether [`Schema::maximum`] itself is excluded.
    pub fn exclusive_maximum(&self) -> bool {
        self.node.exclusive_maximum
    }

    /// The least number of items of an array.
    pub fn min_items(&self) -> Option<u64> {
        self.node.min_items
    }

    /// The largest number of items of an array.
    pub fn max_items(&self) -> Option<u64> {
        self.node.max_items
    }

    /// The `pattern`, as written (JavaScript style, `/.../`, in this description).
    pub fn pattern(&self) -> Option<&'a str> {
        self.node.pattern.as_deref()
    }

    /// The `format` (`rfc3339`, `date`, `int32`, `base64`, `MediaId`, ...).
    ///
    /// ```
    /// let op = wechatpay::catalog::Catalog::get().lookup("POST", "/v3/pay/transactions/native").unwrap();
    /// let expire = op.request_schema().unwrap().property("time_expire").unwrap();
    /// assert_eq!(expire.format(), Some("rfc3339"));
    /// assert_eq!(expire.example().and_then(|e| e.as_str()), Some("2018-06-08T10:34:56+08:00"));
    /// ```
    pub fn format(&self) -> Option<&'a str> {
        self.node.format.as_deref()
    }

    /// The description (Chinese, as the platform writes it).
    pub fn description(&self) -> Option<&'a str> {
        self.node.description.as_deref()
    }

    /// The example value the description gives, as written.
    pub fn example(&self) -> Option<&'a Value> {
        self.node.example.as_ref()
    }

    /// The default value the description gives.
    pub fn default_value(&self) -> Option<&'a Value> {
        self.node.default.as_ref()
    }

    /// Whether `null` is allowed.
    pub fn nullable(&self) -> bool {
        self.node.nullable
    }
}

impl std::fmt::Debug for Schema<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("Schema");
        s.field("type", &self.node.ty);
        if !self.node.properties.is_empty() {
            let names: Vec<&str> = self.node.properties.iter().map(|(n, _)| &**n).collect();
            s.field("properties", &names);
            s.field("required", &self.node.required);
        }
        if let Some(format) = &self.node.format {
            s.field("format", format);
        }
        s.finish_non_exhaustive()
    }
}
