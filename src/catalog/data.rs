//! Loading: the embedded catalogue (JSON written by `scripts/catalog/generate.py`, gzip-
//! compressed) into the tables the other modules read, every index checked.

use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use super::operation::{Location, Protocol};
use super::schema::SchemaType;

/// The generated catalogue, as committed.
pub(super) static EMBEDDED: &[u8] = include_bytes!("catalog.json.gz");

/// The format number this module reads (the generator's `"format"`).
const FORMAT: u32 = 1;

/// The most bytes a gzip-compressed catalogue may inflate to (the embedded one: 1.6 MB).
pub(super) const MAX_INFLATED_BYTES: usize = 64 << 20;

/// The deepest a schema may nest, counting itself (the embedded catalogue's deepest: 12).
pub(super) const MAX_SCHEMA_DEPTH: usize = 32;

/// The most schemas one schema may unfold to in an example: each shared one counted every
/// time it is reached, an array's items as many times as the example repeats them, a long
/// padded string as several (the embedded catalogue's largest: 197). Example generation
/// walks them all and builds a value of about that many parts.
pub(super) const MAX_UNFOLDED_SCHEMAS: u64 = 100_000;

/// Why a catalogue could not be loaded by [`Catalog::from_slice`](super::Catalog::from_slice).
///
/// ```
/// let err = wechatpay::catalog::Catalog::from_slice(b"not json").unwrap_err();
/// assert!(err.to_string().starts_with("catalogue:"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError(String);

impl std::fmt::Display for CatalogError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "catalogue: {}", self.0)
    }
}

impl std::error::Error for CatalogError {}

/// The longest a made-up example string is padded to meet a `minLength` (the embedded
/// catalogue asks for 128 at most).
pub(super) const MAX_EXAMPLE_PADDING: u64 = 1024;

impl Node {
    /// How many items an example array of this schema has: one, or as many as `minItems`
    /// asks (at most 100), within `maxItems`.
    pub(super) fn example_items(&self) -> usize {
        let n = self.min_items.unwrap_or(1).clamp(1, 100);
        self.max_items.map_or(n, |max| n.min(max)) as usize
    }

    /// What this schema alone weighs in an example: 1; for a string padded to its
    /// `minLength`, 1 more per 64 characters of padding; and the weight of the values the
    /// description gives it (`example`, `default`, `enum`), which an example may copy.
    fn example_weight(&self) -> u64 {
        let given = self
            .example
            .iter()
            .chain(self.default.iter())
            .chain(self.enumeration.iter().flatten())
            .map(value_weight)
            .max()
            .unwrap_or(0);
        1 + self.min_length.unwrap_or(0).min(MAX_EXAMPLE_PADDING) / 64 + given
    }
}

/// A JSON value's weight in the same measure: 1 per value, and 1 more per 64 bytes of text.
fn value_weight(value: &Value) -> u64 {
    match value {
        Value::String(text) => 1 + text.len() as u64 / 64,
        Value::Array(items) => items.iter().map(value_weight).fold(1, u64::saturating_add),
        Value::Object(fields) => fields
            .iter()
            .map(|(name, value)| value_weight(value) + name.len() as u64 / 64)
            .fold(1, u64::saturating_add),
        _ => 1,
    }
}

/// Where the data comes from (from the description's SOURCE.md).
#[derive(Debug, Deserialize)]
pub(super) struct Source {
    pub version: Box<str>,
    pub commit: Box<str>,
    pub date: Box<str>,
}

/// One interned schema. Children are indexes into the catalogue's node table.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct Node {
    #[serde(rename = "type")]
    pub ty: Option<SchemaType>,
    pub format: Option<Box<str>>,
    pub description: Option<Box<str>>,
    #[serde(rename = "enum")]
    pub enumeration: Option<Vec<Value>>,
    pub required: Vec<Box<str>>,
    pub properties: Vec<(Box<str>, u32)>,
    pub items: Option<u32>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub pattern: Option<Box<str>>,
    pub nullable: bool,
    pub default: Option<Value>,
    pub example: Option<Value>,
    /// Rules this node's own example breaks (bits of [`Rule::bit`](super::Rule)): the
    /// description is loose there, so they are reported as warnings. Set at load.
    #[serde(skip)]
    pub loose: u16,
    /// The compiled `pattern`, at first use; `None` when it does not compile.
    #[serde(skip)]
    pub regex: OnceLock<Option<regex_lite::Regex>>,
}

/// One operation, as stored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OpData {
    pub method: Box<str>,
    pub path: Box<str>,
    pub protocol: Protocol,
    #[serde(default)]
    pub wire: Option<Box<str>>,
    pub summary: Box<str>,
    #[serde(default)]
    pub tags: Vec<Box<str>>,
    #[serde(default)]
    pub roles: Vec<Box<str>>,
    #[serde(default)]
    pub cert: bool,
    #[serde(default)]
    pub base_uri: Option<Box<str>>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub params: Vec<ParamData>,
    #[serde(default)]
    pub request: Option<u32>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub response: Option<u32>,
}

/// One path, query, header or form parameter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ParamData {
    pub name: Box<str>,
    #[serde(rename = "in")]
    pub location: Location,
    pub required: bool,
    pub schema: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    format: u32,
    source: Source,
    license: Box<str>,
    schemas: Vec<Node>,
    operations: Vec<OpData>,
}

/// What [`load`] gives the catalogue.
#[derive(Debug)]
pub(super) struct Loaded {
    pub nodes: Vec<Node>,
    pub ops: Vec<OpData>,
    pub source: Source,
    pub license: Box<str>,
}

/// Decompresses (when gzip) and parses a catalogue, checks every index, and marks the rules
/// each node's own example breaks.
pub(super) fn load(bytes: &[u8]) -> Result<Loaded, CatalogError> {
    let json;
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len().saturating_mul(7).min(MAX_INFLATED_BYTES));
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_INFLATED_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| CatalogError(format!("gzip: {e}")))?;
        if out.len() > MAX_INFLATED_BYTES {
            return Err(CatalogError(format!(
                "gzip: inflates to more than {MAX_INFLATED_BYTES} bytes"
            )));
        }
        json = out;
        &json[..]
    } else {
        bytes
    };
    let raw: RawCatalog = serde_json::from_slice(text).map_err(|e| CatalogError(format!("JSON: {e}")))?;
    if raw.format != FORMAT {
        return Err(CatalogError(format!(
            "format {} (this build reads {FORMAT})",
            raw.format
        )));
    }
    let count = raw.schemas.len();
    let check = |index: u32, what: &dyn Fn() -> String| {
        if (index as usize) < count {
            Ok(())
        } else {
            Err(CatalogError(format!("{}: schema {index} out of range", what())))
        }
    };
    for (i, node) in raw.schemas.iter().enumerate() {
        for (name, child) in &node.properties {
            check(*child, &|| format!("schema {i}, property {name}"))?;
        }
        if let Some(items) = node.items {
            check(items, &|| format!("schema {i}, items"))?;
        }
    }
    for op in &raw.operations {
        let what = || format!("{} {}", op.method, op.path);
        for p in &op.params {
            check(p.schema, &what)?;
        }
        for index in [op.request, op.response].into_iter().flatten() {
            check(index, &what)?;
        }
    }
    check_shapes(&raw.schemas)?;
    let mut nodes = raw.schemas;
    for node in &mut nodes {
        let loose = node
            .example
            .as_ref()
            .map_or(0, |example| super::validate::broken_here(node, example));
        node.loose = loose;
    }
    Ok(Loaded {
        nodes,
        ops: raw.operations,
        source: raw.source,
        license: raw.license,
    })
}

/// The schemas a schema holds directly: its properties' and its items'.
fn children(node: &Node) -> impl Iterator<Item = usize> + '_ {
    node.properties
        .iter()
        .map(|(_, c)| *c as usize)
        .chain(node.items.map(|c| c as usize))
}

/// The `k`th of [`children`], in constant time.
fn nth_child(node: &Node, k: usize) -> Option<usize> {
    match node.properties.get(k) {
        Some((_, c)) => Some(*c as usize),
        None if k == node.properties.len() => node.items.map(|c| c as usize),
        None => None,
    }
}

/// Refuses a schema that contains itself (the generator breaks recursion; such a schema has
/// no finite example), one nested deeper than [`MAX_SCHEMA_DEPTH`], and one that unfolds to
/// more than [`MAX_UNFOLDED_SCHEMAS`]: what the recursive walks (validation, examples) could
/// not finish.
fn check_shapes(nodes: &[Node]) -> Result<(), CatalogError> {
    let order = children_first(nodes).map_err(|i| CatalogError(format!("schema {i} contains itself")))?;
    let mut depth = vec![0usize; nodes.len()];
    let mut unfolded = vec![0u64; nodes.len()];
    for i in order {
        let node = &nodes[i];
        depth[i] = 1 + children(node).map(|c| depth[c]).max().unwrap_or(0);
        let properties = node.properties.iter().map(|(_, c)| unfolded[*c as usize]);
        let items = node
            .items
            .map(|c| unfolded[c as usize].saturating_mul(node.example_items() as u64));
        unfolded[i] = properties
            .chain(items)
            .fold(node.example_weight(), |sum, weight| sum.saturating_add(weight));
        if depth[i] > MAX_SCHEMA_DEPTH {
            return Err(CatalogError(format!(
                "schema {i} is nested deeper than {MAX_SCHEMA_DEPTH}"
            )));
        }
        if unfolded[i] > MAX_UNFOLDED_SCHEMAS {
            return Err(CatalogError(format!(
                "schema {i} unfolds to more than {MAX_UNFOLDED_SCHEMAS} schemas"
            )));
        }
    }
    Ok(())
}

/// Every schema, each after the ones it holds (an iterative depth-first walk); the index of
/// a schema that contains itself, if one does.
fn children_first(nodes: &[Node]) -> Result<Vec<usize>, usize> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks = vec![Mark::New; nodes.len()];
    let mut order = Vec::with_capacity(nodes.len());
    let mut stack: Vec<(usize, usize)> = Vec::new(); // (node, next child to visit)
    for root in 0..nodes.len() {
        if marks[root] != Mark::New {
            continue;
        }
        marks[root] = Mark::Open;
        stack.push((root, 0));
        while let Some(&mut (at, ref mut next)) = stack.last_mut() {
            match nth_child(&nodes[at], *next) {
                Some(child) => {
                    *next += 1;
                    match marks[child] {
                        Mark::Open => return Err(child),
                        Mark::New => {
                            marks[child] = Mark::Open;
                            stack.push((child, 0));
                        }
                        Mark::Done => {}
                    }
                }
                None => {
                    marks[at] = Mark::Done;
                    order.push(at);
                    stack.pop();
                }
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(schemas: &str) -> String {
        format!(
            r#"{{"format":1,"source":{{"version":"0","commit":"0","date":"2024-01-01"}},"license":"",
            "schemas":{schemas},"operations":[]}}"#
        )
    }

    #[test]
    fn indexes_out_of_range_and_cycles_are_refused() {
        let ok = catalog(r#"[{"type":"string"},{"type":"object","properties":[["a",0],["b",0]]}]"#);
        assert!(load(ok.as_bytes()).is_ok());
        let out = catalog(r#"[{"type":"array","items":1}]"#);
        assert!(load(out.as_bytes()).unwrap_err().to_string().contains("out of range"));
        let cycle = catalog(r#"[{"type":"object","properties":[["self",1]]},{"type":"array","items":0}]"#);
        assert!(
            load(cycle.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("contains itself")
        );
        let unknown = catalog(r#"[{"type":"string","x-new":1}]"#);
        assert!(load(unknown.as_bytes()).is_err());
        let wrong = r#"{"format":2,"source":{"version":"0","commit":"0","date":"2024-01-01"},"license":"","schemas":[],"operations":[]}"#;
        assert!(load(wrong.as_bytes()).unwrap_err().to_string().contains("format 2"));
    }

    /// `count` schemas, each an object whose properties all name the next one, the last a
    /// string.
    fn ladder(count: usize, properties: usize) -> String {
        let mut schemas: Vec<String> = (0..count - 1)
            .map(|i| {
                let props: Vec<String> = (0..properties).map(|p| format!(r#"["p{p}",{}]"#, i + 1)).collect();
                format!(r#"{{"type":"object","properties":[{}]}}"#, props.join(","))
            })
            .collect();
        schemas.push(r#"{"type":"string"}"#.into());
        catalog(&format!("[{}]", schemas.join(",")))
    }

    #[test]
    fn schemas_too_deep_or_too_large_unfolded_are_refused() {
        // As deep as allowed, then one deeper.
        assert!(load(ladder(MAX_SCHEMA_DEPTH, 1).as_bytes()).is_ok());
        let deep = load(ladder(MAX_SCHEMA_DEPTH + 1, 1).as_bytes()).unwrap_err();
        assert!(deep.to_string().contains("nested deeper than 32"), "{deep}");
        // 30 levels of two properties naming the same next schema: 30 schemas that unfold
        // to 2^30 nodes, which example generation would walk.
        let wide = load(ladder(30, 2).as_bytes()).unwrap_err();
        assert!(
            wide.to_string().contains("unfolds to more than 100000 schemas"),
            "{wide}"
        );
        // Four arrays nested, each of at least 100 items: an example of 10^8 strings.
        let arrays = catalog(
            r#"[{"type":"array","minItems":100,"items":1},{"type":"array","minItems":100,"items":2},
                {"type":"array","minItems":100,"items":3},{"type":"array","minItems":100,"items":4},
                {"type":"string"}]"#,
        );
        let err = load(arrays.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("unfolds to more than"), "{err}");
        // Strings padded to a long minLength weigh more: 2,000 of 1,024 characters fit,
        // 10,000 do not.
        let long = catalog(
            r#"[{"type":"array","minItems":100,"items":1},{"type":"array","minItems":20,"items":2},
                {"type":"string","minLength":1000000}]"#,
        );
        assert!(load(long.as_bytes()).is_ok());
        let longer = long.replace(r#""minItems":20"#, r#""minItems":100"#);
        assert!(load(longer.as_bytes()).is_err());
        // A long example the description gives weighs as much: 10,000 copies of 10 KB.
        let given = catalog(&format!(
            r#"[{{"type":"array","minItems":100,"items":1}},{{"type":"array","minItems":100,"items":2}},
                {{"type":"string","example":"{}"}}]"#,
            "x".repeat(10_000)
        ));
        let err = load(given.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("unfolds to more than"), "{err}");
    }

    #[test]
    fn a_catalogue_that_inflates_beyond_the_limit_is_refused() {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..=(MAX_INFLATED_BYTES >> 20) {
            encoder.write_all(&spaces).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 1 << 20);
        let err = load(&bomb).unwrap_err();
        assert!(err.to_string().contains("inflates to more than"), "{err}");
    }

    #[test]
    fn the_embedded_catalogue_loads_and_marks_loose_rules() {
        let loaded = load(EMBEDDED).unwrap();
        assert!(!loaded.ops.is_empty());
        // Some nodes' own examples break their enum: those are marked, the others not.
        let enum_bit = super::super::Rule::Enum.bit();
        let loose = loaded.nodes.iter().filter(|n| n.loose & enum_bit != 0).count();
        let with_enum = loaded.nodes.iter().filter(|n| n.enumeration.is_some()).count();
        assert!(loose > 0 && loose * 10 < with_enum, "{loose} of {with_enum}");
        let garbage = [0x1f, 0x8b, 0, 1, 2, 3];
        assert!(load(&garbage).unwrap_err().to_string().contains("gzip"));
    }
}
