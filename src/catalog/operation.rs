//! A read-only view of one operation of the catalogue.

use serde::Deserialize;
use serde_json::Value;

use super::data::{OpData, ParamData};
use super::schema::Schema;
use super::validate::{self, Request, Violation};
use super::{Catalog, example};

/// The protocol of an operation.
///
/// ```
/// use wechatpay::catalog::{Catalog, Protocol};
/// let micropay = Catalog::get().lookup("POST", "/v2/pay/micropay").unwrap();
/// assert_eq!(micropay.protocol(), Protocol::V2);
/// assert_eq!(micropay.wire_path(), "/pay/micropay");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// APIv3: JSON bodies, signed with the merchant key (also the `hk` and `global` hosts'
    /// operations).
    V3,
    /// APIv2: XML bodies of flat string fields, signed with the API key; the chain path is
    /// `/v2` followed by the wire path.
    V2,
}

/// Where a parameter goes.
///
/// ```
/// use wechatpay::catalog::{Catalog, Location};
/// let op = Catalog::get().lookup("POST", "/v3/pay/transactions/native").unwrap();
/// let serial = op.header_parameters().next().unwrap();
/// assert_eq!((serial.name(), serial.location()), ("Wechatpay-Serial", Location::Header));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum Location {
    /// A `{variable}` of the path.
    #[serde(rename = "path")]
    Path,
    /// The query string.
    #[serde(rename = "query")]
    Query,
    /// An HTTP header.
    #[serde(rename = "header")]
    Header,
    /// A part of a multipart upload.
    #[serde(rename = "formData")]
    FormData,
}

/// One parameter of an operation.
///
/// ```
/// let op = wechatpay::catalog::Catalog::get()
///     .lookup("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}")
///     .unwrap();
/// let mchid = op.query_parameters().next().unwrap();
/// assert_eq!((mchid.name(), mchid.required()), ("mchid", true));
/// assert_eq!(mchid.schema().schema_type(), Some(wechatpay::catalog::SchemaType::String));
/// ```
#[derive(Clone, Copy)]
pub struct Parameter<'a> {
    catalog: &'a Catalog,
    data: &'a ParamData,
}

impl<'a> Parameter<'a> {
    /// The name (of the path variable, query key, header or form part).
    pub fn name(&self) -> &'a str {
        &self.data.name
    }

    /// Whether it must be given (always, for a path variable).
    pub fn required(&self) -> bool {
        self.data.required
    }

    /// Where it goes.
    pub fn location(&self) -> Location {
        self.data.location
    }

    /// Its schema.
    pub fn schema(&self) -> Schema<'a> {
        Schema::new(self.catalog, self.data.schema)
    }
}

impl std::fmt::Debug for Parameter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parameter")
            .field("name", &self.data.name)
            .field("location", &self.data.location)
            .field("required", &self.data.required)
            .finish()
    }
}

/// One operation: a method and path template, with what the description says of it.
///
/// ```
/// use wechatpay::catalog::{Catalog, Protocol};
/// let op = Catalog::get().lookup("GET", "/v3/refund/domestic/refunds/R1").unwrap();
/// assert_eq!(op.to_string(), "GET /v3/refund/domestic/refunds/{out_refund_no}");
/// assert_eq!((op.protocol(), op.response_status()), (Protocol::V3, Some(200)));
/// assert!(op.roles().any(|r| r == "直连商户"));
/// assert!(op.tags().any(|t| t.contains("退款")));
/// assert!(!op.cert_required() && op.base_uri().is_none());
/// let query: Vec<&str> = op.query_parameters().map(|p| p.name()).collect();
/// assert_eq!(query, ["sub_mchid"]);
/// ```
#[derive(Clone, Copy)]
pub struct Operation<'a> {
    catalog: &'a Catalog,
    data: &'a OpData,
}

impl<'a> Operation<'a> {
    pub(super) fn new(catalog: &'a Catalog, index: usize) -> Operation<'a> {
        Operation {
            catalog,
            data: &catalog.ops[index],
        }
    }

    /// The method, upper case (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`).
    pub fn method(&self) -> &'a str {
        &self.data.method
    }

    /// The path template the chain uses, with a leading slash:
    /// `/v3/pay/transactions/out-trade-no/{out_trade_no}`, `/v2/pay/micropay`.
    pub fn template(&self) -> &'a str {
        &self.data.path
    }

    /// The path template on the wire: the template, except for v2 operations, which drop the
    /// chain's `/v2` prefix (`/pay/micropay`).
    pub fn wire_path(&self) -> &'a str {
        self.data.wire.as_deref().unwrap_or(&self.data.path)
    }

    /// The protocol (v2 or v3).
    pub fn protocol(&self) -> Protocol {
        self.data.protocol
    }

    /// The one-line summary (Chinese).
    pub fn summary(&self) -> &'a str {
        &self.data.summary
    }

    /// The tags (Chinese product names, `∙`-separated levels).
    pub fn tags(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        self.data.tags.iter().map(|t| &**t)
    }

    /// The merchant roles that may call it (Chinese: `直连商户`, `服务商`, ...).
    pub fn roles(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        self.data.roles.iter().map(|r| &**r)
    }

    /// Whether the call needs the merchant's client certificate (some v2 operations).
    ///
    /// ```
    /// let refund = wechatpay::catalog::Catalog::get().lookup("POST", "/v2/secapi/pay/refund").unwrap();
    /// assert!(refund.cert_required());
    /// ```
    pub fn cert_required(&self) -> bool {
        self.data.cert
    }

    /// The base URI when the operation is served by another host than the default one.
    ///
    /// ```
    /// let op = wechatpay::catalog::Catalog::get().lookup("POST", "/v2/risk/getpublickey").unwrap();
    /// assert_eq!(op.base_uri(), Some("https://fraud.mch.weixin.qq.com/"));
    /// ```
    pub fn base_uri(&self) -> Option<&'a str> {
        self.data.base_uri.as_deref()
    }

    /// Whether the description marks the operation deprecated.
    pub fn deprecated(&self) -> bool {
        self.data.deprecated
    }

    /// The path variables, in the description's order.
    ///
    /// ```
    /// let op = wechatpay::catalog::Catalog::get()
    ///     .lookup("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}")
    ///     .unwrap();
    /// let names: Vec<&str> = op.path_variables().map(|p| p.name()).collect();
    /// assert_eq!(names, ["out_trade_no"]);
    /// ```
    pub fn path_variables(&self) -> impl Iterator<Item = Parameter<'a>> + 'a {
        self.parameters(super::Location::Path)
    }

    /// The query parameters.
    pub fn query_parameters(&self) -> impl Iterator<Item = Parameter<'a>> + 'a {
        self.parameters(super::Location::Query)
    }

    /// The documented request headers (`Wechatpay-Serial`, `Idempotency-Key`, ...).
    pub fn header_parameters(&self) -> impl Iterator<Item = Parameter<'a>> + 'a {
        self.parameters(super::Location::Header)
    }

    /// The parts of a multipart upload (`file`, `meta`).
    pub fn form_parameters(&self) -> impl Iterator<Item = Parameter<'a>> + 'a {
        self.parameters(super::Location::FormData)
    }

    fn parameters(&self, location: Location) -> impl Iterator<Item = Parameter<'a>> + 'a {
        let catalog = self.catalog;
        self.data
            .params
            .iter()
            .filter(move |p| p.location == location)
            .map(move |data| Parameter { catalog, data })
    }

    /// The schema of the request body, when there is one.
    pub fn request_schema(&self) -> Option<Schema<'a>> {
        self.data.request.map(|i| Schema::new(self.catalog, i))
    }

    /// The documented success status (`200`, `204`, ...).
    pub fn response_status(&self) -> Option<u16> {
        self.data.status
    }

    /// The schema of the success response body, when it has one.
    pub fn response_schema(&self) -> Option<Schema<'a>> {
        self.data.response.map(|i| Schema::new(self.catalog, i))
    }

    /// An example request body: the description's examples, and for each required property
    /// without a usable one, a plausible value that honours its type, enum, limits and
    /// format (`rfc3339` gives `"2024-07-04T15:30:00+08:00"`). `None` when the operation
    /// takes no body.
    ///
    /// ```
    /// use wechatpay::catalog::{Catalog, Request, Severity};
    /// let op = Catalog::get().lookup("POST", "/v3/parking/reminders/ext-payment").unwrap();
    /// let body = op.example_request().unwrap();
    /// assert_eq!(body["pay_time"], 1719128975);
    /// let problems = op.validate(&Request { body: Some(&body), ..Request::default() });
    /// assert!(problems.iter().all(|v| v.severity == Severity::Warning));
    /// ```
    pub fn example_request(&self) -> Option<Value> {
        let index = self.data.request?;
        Some(example::build(self.catalog, index, self.data.protocol))
    }

    /// An example success response body, built like [`Operation::example_request`] from the
    /// response schema, which echoes what the request says: a property named like one of the
    /// `params` (path variables and query parameters, `(name, value)`) or like a field of the
    /// `request_body` takes that value when it fits the property's schema. So an order queried
    /// by `out_trade_no` comes back with that `out_trade_no`. `None` when the response has no
    /// body.
    ///
    /// ```
    /// let op = wechatpay::catalog::Catalog::get()
    ///     .lookup("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}")
    ///     .unwrap();
    /// let answer = op.example_response(&[("out_trade_no", "T1"), ("mchid", "1900000001")], None).unwrap();
    /// assert_eq!((answer["out_trade_no"].as_str(), answer["mchid"].as_str()), (Some("T1"), Some("1900000001")));
    /// assert!(op.validate_response(&answer).is_empty());
    /// ```
    pub fn example_response(&self, params: &[(&str, &str)], request_body: Option<&Value>) -> Option<Value> {
        let index = self.data.response?;
        let mut answer = example::build(self.catalog, index, self.data.protocol);
        example::echo(
            self.catalog,
            index,
            self.data.protocol,
            &mut answer,
            params,
            request_body,
        );
        Some(answer)
    }

    /// Example values for the parameters at `location`: the description's example for each
    /// parameter that has a usable one, and a plausible value for each required one that has
    /// not, as text, ready for a path or a query string.
    ///
    /// ```
    /// use wechatpay::catalog::{Catalog, Location};
    /// let op = Catalog::get().lookup("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}").unwrap();
    /// let vars = op.example_parameters(Location::Path);
    /// assert_eq!(vars, [("out_trade_no", "1217752501201407033233368018".to_owned())]);
    /// ```
    pub fn example_parameters(&self, location: Location) -> Vec<(&'a str, String)> {
        self.parameters(location)
            .filter_map(|p| {
                let value = example::parameter(self.catalog, p.data.schema, p.required())?;
                Some((p.name(), value))
            })
            .collect()
    }

    /// Checks a request: its path variables, query parameters and body. Every violation is
    /// reported, errors and warnings (see [`Violation`]).
    ///
    /// ```
    /// use wechatpay::catalog::{Catalog, Request, Rule};
    /// let op = Catalog::get().lookup("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}").unwrap();
    /// let violations = op.validate(&Request { params: &[("out_trade_no", "T1")], ..Request::default() });
    /// assert_eq!(violations.len(), 1);
    /// assert_eq!((violations[0].pointer.as_str(), violations[0].rule), ("query: mchid", Rule::Required));
    /// ```
    pub fn validate(&self, request: &Request<'_>) -> Vec<Violation> {
        validate::request(self.catalog, self.data, request)
    }

    /// Checks a success response body against the response schema (nothing to check when
    /// the response has none).
    pub fn validate_response(&self, body: &Value) -> Vec<Violation> {
        match self.data.response {
            Some(index) => validate::body(self.catalog, index, self.data.protocol, body),
            None => Vec::new(),
        }
    }
}

impl std::fmt::Debug for Operation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Operation({} {})", self.data.method, self.data.path)
    }
}

impl std::fmt::Display for Operation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.data.method, self.data.path)
    }
}
