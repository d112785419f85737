//! The operation catalogue: every operation of the platform's published machine-readable
//! description, with its parameters, request and response schemas and examples, embedded in
//! the crate (feature `catalog`).
//!
//! The data is generated from that description by `scripts/catalog/generate.py` (see
//! `src/catalog/README.md`) and loaded once, at first use.
//!
//! ```
//! use wechatpay::catalog::{Catalog, Request, Rule, Severity};
//! use serde_json::json;
//!
//! let catalog = Catalog::get();
//! let op = catalog.lookup("post", "/v3/parking/reminders/ext-payment").unwrap();
//! assert_eq!(op.response_status(), Some(204));
//!
//! let body = json!({ "out_trade_no": "T1", "fee_items": [{ "fee_type": "X", "amount": 1 }] });
//! let violations = op.validate(&Request { body: Some(&body), ..Request::default() });
//! assert!(violations.iter().any(|v| v.pointer == "/pay_time" && v.rule == Rule::Required));
//! assert!(violations.iter().any(|v| v.pointer == "/fee_items/0/fee_type" && v.rule == Rule::Enum));
//! assert!(violations.iter().all(|v| v.severity == Severity::Error));
//! ```
//!
//! Nothing in the description is authoritative: where it disagrees with the platform, the
//! platform wins. Rules the description is known to state loosely are reported as
//! [`Severity::Warning`] (see [`Violation`]).

mod data;
mod example;
mod format;
mod operation;
mod schema;
mod search;
mod trie;
mod validate;

use std::sync::OnceLock;

pub use data::CatalogError;
pub use operation::{Location, Operation, Parameter, Protocol};
pub use schema::{Schema, SchemaType};
pub(crate) use validate::v2_alternatives;
pub use validate::{Request, Rule, Severity, Violation};

/// The catalogue: the operations of the embedded description, their schemas, and an index of
/// their paths.
///
/// ```
/// let catalog = wechatpay::catalog::Catalog::get();
/// assert!(catalog.len() > 1000);
/// let native = catalog.lookup("POST", "v3/pay/transactions/native").unwrap();
/// assert_eq!(native.summary(), "Native下单API");
/// ```
pub struct Catalog {
    nodes: Vec<data::Node>,
    ops: Vec<data::OpData>,
    trie: trie::Trie,
    source: data::Source,
    license: Box<str>,
    search: OnceLock<search::Index>,
}

static EMBEDDED: OnceLock<Catalog> = OnceLock::new();

impl Catalog {
    /// The embedded catalogue, decompressed and parsed at the first call (a few tens of
    /// milliseconds), then shared.
    ///
    /// # Panics
    ///
    /// Only if the data embedded at build time is corrupt, which this crate's own tests rule
    /// out; [`Catalog::from_slice`] reports such a problem as an error instead.
    pub fn get() -> &'static Catalog {
        EMBEDDED.get_or_init(|| match Catalog::from_slice(data::EMBEDDED) {
            Ok(catalog) => catalog,
            Err(e) => panic!("the embedded operation catalogue is corrupt: {e}"),
        })
    }

    /// Loads a catalogue in the format `scripts/catalog/generate.py` writes: JSON, or the same
    /// JSON gzip-compressed. Every index in it is checked, so a catalogue that loads has no
    /// dangling reference, and what the recursive walks (validation, example bodies) could
    /// not finish is refused: a schema that contains itself, one nested deeper than 32, one
    /// whose example would unfold to more than 100,000 parts (a shared schema counted each
    /// time it is reached, an array's items as often as the example repeats them, up to
    /// 100, a string padded to its `minLength`, up to 1,024 characters, and the values the
    /// description gives, one part per 64 bytes), and gzip that inflates beyond 64 MiB. The embedded catalogue is at most 12 deep and
    /// 197 unfolded.
    ///
    /// ```
    /// use wechatpay::catalog::Catalog;
    /// let json = br#"{"format":1,"source":{"version":"0","commit":"0","date":"2024-01-01"},
    ///   "license":"", "schemas":[{"type":"string"}],
    ///   "operations":[{"method":"GET","path":"/v3/things/{id}","protocol":"v3","summary":"",
    ///     "tags":[],"roles":[],"params":[{"name":"id","in":"path","required":true,"schema":0}],
    ///     "status":200}]}"#;
    /// let catalog = Catalog::from_slice(json).unwrap();
    /// assert_eq!(catalog.lookup("get", "/v3/things/42").unwrap().template(), "/v3/things/{id}");
    /// assert!(Catalog::from_slice(b"{}").is_err());
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Result<Catalog, CatalogError> {
        let raw = data::load(bytes)?;
        let trie = trie::Trie::build(
            raw.ops
                .iter()
                .enumerate()
                .flat_map(|(i, op)| std::iter::once((i, &*op.path)).chain(op.wire.as_deref().map(|wire| (i, wire)))),
        );
        Ok(Catalog {
            nodes: raw.nodes,
            ops: raw.ops,
            trie,
            source: raw.source,
            license: raw.license,
            search: OnceLock::new(),
        })
    }

    /// The number of operations.
    ///
    /// ```
    /// let catalog = wechatpay::catalog::Catalog::get();
    /// assert_eq!(catalog.len(), catalog.operations().count());
    /// ```
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the catalogue has no operation (never the case for the embedded one).
    ///
    /// ```
    /// assert!(!wechatpay::catalog::Catalog::get().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Every operation, sorted by path template, then method.
    ///
    /// ```
    /// let catalog = wechatpay::catalog::Catalog::get();
    /// let v2 = catalog.operations().filter(|op| op.protocol() == wechatpay::catalog::Protocol::V2);
    /// assert!(v2.count() > 100);
    /// ```
    pub fn operations(&self) -> impl ExactSizeIterator<Item = Operation<'_>> + '_ {
        (0..self.ops.len()).map(move |i| Operation::new(self, i))
    }

    /// The operation for a method (any case) and a path.
    ///
    /// The path is a concrete one (`/v3/pay/transactions/out-trade-no/T1?mchid=1`: the query
    /// is ignored, any non-empty segment fills a variable, percent-encoded or not) or a
    /// template (`/v3/pay/transactions/out-trade-no/{out_trade_no}`: any name in braces stands
    /// for a variable segment). The leading slash is optional; a trailing slash is significant
    /// (`/v3/ecommerce/applyments/` is an operation of its own). A v2 operation answers to its
    /// chain path (`/v2/pay/micropay`) and to its wire path (`/pay/micropay`).
    ///
    /// Literal segments win over variables, with backtracking: the cost grows with the
    /// number of segments, not with the size of the catalogue.
    ///
    /// ```
    /// let catalog = wechatpay::catalog::Catalog::get();
    /// let op = catalog.lookup("GET", "/v3/pay/transactions/out-trade-no/T%2F1?mchid=1").unwrap();
    /// assert_eq!(op.template(), "/v3/pay/transactions/out-trade-no/{out_trade_no}");
    /// assert_eq!(catalog.lookup("get", "v3/pay/transactions/id/{id}").unwrap().template(),
    ///            "/v3/pay/transactions/id/{transaction_id}");
    /// assert!(catalog.lookup("DELETE", "/v3/pay/transactions/native").is_none());
    /// ```
    pub fn lookup(&self, method: &str, path: &str) -> Option<Operation<'_>> {
        let ops = &self.ops;
        let same_method = |i: &u32| ops[*i as usize].method.eq_ignore_ascii_case(method);
        self.trie
            .find(path, |here| {
                let mut found = here.iter().copied().filter(same_method);
                let first = found.next()?;
                let mut others = found.peekable();
                if others.peek().is_none() {
                    return Some(first);
                }
                // Two templates of one shape (`{applyment_id}` and `{business_code}` at the same
                // place): the one written with the caller's variable names wins.
                Some(
                    std::iter::once(first)
                        .chain(others)
                        .find(|&i| trie::same_template(&ops[i as usize].path, path))
                        .unwrap_or(first),
                )
            })
            .map(|i| Operation::new(self, i as usize))
    }

    /// Every operation at a path (same matching as [`Catalog::lookup`]), whatever its method:
    /// what to suggest when the method is wrong.
    ///
    /// ```
    /// let catalog = wechatpay::catalog::Catalog::get();
    /// let methods: Vec<&str> = catalog
    ///     .lookup_path("/v3/marketing/favor/stocks/123/use-flow")
    ///     .iter()
    ///     .map(|op| op.method())
    ///     .collect();
    /// assert_eq!(methods, ["GET"]);
    /// assert!(catalog.lookup_path("/v3/no/such/path").is_empty());
    /// ```
    pub fn lookup_path(&self, path: &str) -> Vec<Operation<'_>> {
        let mut found = Vec::new();
        self.trie.find(path, |here| {
            if here.is_empty() {
                return None;
            }
            found = here.iter().map(|&i| Operation::new(self, i as usize)).collect();
            Some(here[0])
        });
        found
    }

    /// The operations every one of the whitespace-separated `words` matches, each as a
    /// case-insensitive substring of the path, the summary, a tag or a role. Operations whose
    /// path matches more of the words come first, then those whose summary does.
    ///
    /// ```
    /// let catalog = wechatpay::catalog::Catalog::get();
    /// let found = catalog.search("refunds 查询");
    /// assert!(found.iter().any(|op| op.template() == "/v3/refund/domestic/refunds/{out_refund_no}"));
    /// assert!(catalog.search("").is_empty());
    /// ```
    pub fn search(&self, words: &str) -> Vec<Operation<'_>> {
        let index = self.search.get_or_init(|| search::Index::new(&self.ops));
        index
            .search(words)
            .into_iter()
            .map(|i| Operation::new(self, i))
            .collect()
    }

    /// For a method and path template that the catalogue does not have, the nearest one it has
    /// (by a segment-wise edit distance, same method preferred), for a "did you mean"
    /// message; `None` when nothing is near. A template the catalogue has is its own nearest.
    ///
    /// ```
    /// let catalog = wechatpay::catalog::Catalog::get();
    /// let near = catalog.closest("POST", "/v3/pay/transaction/native").unwrap();
    /// assert_eq!(near.template(), "/v3/pay/transactions/native");
    /// assert!(catalog.closest("GET", "/completely/different/thing/here/now/x/y").is_none());
    /// ```
    pub fn closest(&self, method: &str, template: &str) -> Option<Operation<'_>> {
        if let Some(op) = self.lookup(method, template) {
            return Some(op);
        }
        let index = self.search.get_or_init(|| search::Index::new(&self.ops));
        search::closest(index, method, template).map(|i| Operation::new(self, i))
    }

    /// The version of the description the catalogue was generated from.
    ///
    /// ```
    /// assert!(!wechatpay::catalog::Catalog::get().source_version().is_empty());
    /// ```
    pub fn source_version(&self) -> &str {
        &self.source.version
    }

    /// The commit of the description's repository the catalogue was generated from, and its
    /// date (`YYYY-MM-DD`).
    ///
    /// ```
    /// let (commit, date) = wechatpay::catalog::Catalog::get().source_commit();
    /// assert!(commit.chars().all(|c| c.is_ascii_hexdigit()) && date.len() == 10);
    /// ```
    pub fn source_commit(&self) -> (&str, &str) {
        (&self.source.commit, &self.source.date)
    }

    /// The licence of the description (MIT), whose notice travels with the data.
    ///
    /// ```
    /// assert!(wechatpay::catalog::Catalog::get().license().contains("Copyright (c)"));
    /// ```
    pub fn license(&self) -> &str {
        &self.license
    }

    /// The schema node at `index` (indexes are checked at load).
    fn node(&self, index: u32) -> &data::Node {
        &self.nodes[index as usize]
    }
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("operations", &self.ops.len())
            .field("schemas", &self.nodes.len())
            .field("version", &self.source.version)
            .finish()
    }
}
