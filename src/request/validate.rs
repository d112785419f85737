//! Checking a request against the operation catalogue before it is signed (feature
//! `catalog`): what the operation is, every rule the request breaks, and what a client does
//! with them on every send ([`ValidationMode`]). An operation missing from the catalogue is
//! never refused.

use crate::catalog::{Catalog, Operation, Protocol, Request, Rule, Severity, Violation};
use crate::error::{RequestError, Result};

use super::builder::Spec;

/// What a client does, on every send, with a request that breaks the catalogue's rules
/// (set with [`ClientBuilder::validate_requests`](crate::ClientBuilder::validate_requests)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValidationMode {
    /// Nothing is checked (the default): requests go out exactly as built.
    #[default]
    Off,
    /// Each violation becomes a `tracing` warning (event `request breaks the catalogue`);
    /// the request is sent.
    Warn,
    /// A request with an error-level violation is refused before it is signed
    /// ([`RequestError::Refused`]); warning-level ones (where the catalogue is known to be
    /// loose, such as fields it does not document) are only logged.
    Refuse,
}

/// The catalogued operation `spec` names: by method and path template (any variable names).
/// A path with an identifier in a segment names none (it is refused when sent).
pub(crate) fn operation(spec: &Spec) -> Option<Operation<'static>> {
    if spec.identifier.is_some() {
        return None;
    }
    Catalog::get().lookup(spec.method.as_str(), &format!("/{}", spec.template))
}

/// For an operation missing from the catalogue, the catalogued one its template is closest
/// to (a likely typo); `None` for a catalogued operation.
pub(crate) fn closest(spec: &Spec) -> Option<Operation<'static>> {
    if spec.identifier.is_some() || operation(spec).is_some() {
        return None;
    }
    let mine = format!("/{}", spec.template);
    Catalog::get()
        .closest(spec.method.as_str(), &mine)
        .filter(|op| a_likely_typo(&mine, op.template()))
}

/// Whether two templates differ only by a slip: the same segments but one, and that one a
/// few characters away (another method at the same path counts too).
fn a_likely_typo(mine: &str, catalogued: &str) -> bool {
    let (mine, theirs): (Vec<&str>, Vec<&str>) = (mine.split('/').collect(), catalogued.split('/').collect());
    if mine.len() != theirs.len() {
        return false;
    }
    let differing: Vec<(&str, &str)> = mine
        .iter()
        .zip(&theirs)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (*a, *b))
        .collect();
    match differing.as_slice() {
        [] => true,
        [(a, b)] => {
            let variables = a.starts_with('{') && b.starts_with('{');
            variables || edit_distance(a, b) <= (a.len().max(b.len()) / 4).max(2)
        }
        _ => false,
    }
}

/// Levenshtein distance between two short segments, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Every rule `spec` breaks; none for an operation missing from the catalogue.
pub(crate) fn violations(spec: &Spec) -> Vec<Violation> {
    let Some(op) = operation(spec) else {
        return Vec::new();
    };
    let names = variable_names(&spec.template, op.template());
    let params: Vec<(&str, &str)> = spec
        .params
        .iter()
        .map(|(name, value)| (renamed(&names, name), value.as_str()))
        .collect();
    let v2 = op.protocol() == Protocol::V2;
    // An APIv2 operation with a body gets the `.query()` pairs as fields of it (see
    // `v2::prepare`); one without (a GET) has them as its query parameters.
    let merged = v2 && op.request_schema().is_some();
    let v2_body = merged.then(|| super::v2::fields(spec));
    // A download URL goes out with its own query, then the `.query()` pairs.
    let url_query: Vec<(String, String)> = spec
        .absolute_url
        .iter()
        .flat_map(|url| url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())))
        .collect();
    let query: Vec<(&str, &str)> = if merged {
        Vec::new()
    } else {
        url_query
            .iter()
            .chain(&spec.query)
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    };
    let mut violations = op.validate(&Request {
        params: &params,
        query: &query,
        body: v2_body.as_ref().or(spec.body.as_ref()),
    });
    if v2 {
        // The client draws the nonce and computes the sign: the caller leaves them out.
        violations.retain(|v| !(v.rule == Rule::Required && filled_by_the_client(&v.pointer)));
    }
    // A field marked for encryption goes out as ciphertext: the rules on its text (base64,
    // lengths, pattern, enum) speak of that, not of the plaintext. Its presence, its type and
    // its name (a misspelt pointer is an unknown field) are still checked.
    let on_the_text = |rule: Rule| {
        matches!(
            rule,
            Rule::Format | Rule::MinLength | Rule::MaxLength | Rule::Pattern | Rule::Enum
        )
    };
    violations.retain(|v| !(on_the_text(v.rule) && spec.encrypt.contains(&v.pointer)));
    violations
}

/// The v2 fields the client fills in ([`prepare`](crate::protocol::v2::prepare)), as JSON
/// pointers.
fn filled_by_the_client(pointer: &str) -> bool {
    use crate::protocol::v2::{NONCE_STR, SIGN};
    pointer
        .strip_prefix('/')
        .is_some_and(|name| name == NONCE_STR || name == SIGN)
}

/// Operations already looked at for a "did you mean" (at most [`REMEMBERED_OPERATIONS`]).
static SEEN: std::sync::Mutex<Option<std::collections::HashSet<String>>> = std::sync::Mutex::new(None);

/// How many operations [`first_send_of`] remembers; past that it forgets them all and
/// starts over (templates, not identifiers, so a real client has far fewer).
const REMEMBERED_OPERATIONS: usize = 4096;

/// Whether this process sends `operation` (`METHOD /template`) through a validating client
/// for the first time. The search for the closest catalogued operation costs about as much
/// as a signature: it runs once per operation, not on every send.
fn first_send_of(operation: &str) -> bool {
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let seen = seen.get_or_insert_with(Default::default);
    if seen.contains(operation) {
        return false;
    }
    if seen.len() >= REMEMBERED_OPERATIONS {
        seen.clear();
    }
    seen.insert(operation.to_owned())
}

/// Applies `mode` to `spec` before it is sent.
pub(crate) fn enforce(mode: ValidationMode, spec: &Spec) -> Result<()> {
    if mode == ValidationMode::Off {
        return Ok(());
    }
    let operation = format!(
        "{} {}",
        spec.method,
        crate::protocol::path::template_for_logs(&format!("/{}", spec.template))
    );
    if first_send_of(&operation)
        && let Some(near) = closest(spec)
    {
        tracing::warn!(
            operation = %operation,
            closest = %near,
            "the operation is not in the catalogue: did you mean the closest one? (sent as given)"
        );
    }
    let violations = violations(spec);
    let refuse = mode == ValidationMode::Refuse;
    for v in violations.iter().filter(|v| !refuse || v.severity == Severity::Warning) {
        // What was found may be the caller's data (an order number): it stays out of logs.
        tracing::warn!(
            operation = %operation,
            pointer = %v.pointer,
            rule = %v.rule,
            expected = %v.expected,
            severity = %v.severity,
            "request breaks the catalogue"
        );
    }
    if refuse && violations.iter().any(|v| v.severity == Severity::Error) {
        return Err(RequestError::Refused { operation, violations }.into());
    }
    Ok(())
}

/// For each variable of the caller's template, the catalogue's name at the same place.
fn variable_names<'a>(mine: &'a str, catalogued: &'a str) -> Vec<(&'a str, &'a str)> {
    let variable = |segment: &'a str| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
    mine.split('/')
        .zip(catalogued.trim_start_matches('/').split('/'))
        .filter_map(|(m, c)| Some((variable(m)?, variable(c)?)))
        .collect()
}

fn renamed<'a>(names: &[(&'a str, &'a str)], name: &'a str) -> &'a str {
    names
        .iter()
        .find(|(mine, _)| *mine == name)
        .map_or(name, |(_, catalogued)| catalogued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_one_segment_a_few_characters_away() {
        assert!(a_likely_typo(
            "/v3/pay/transactions/nativ",
            "/v3/pay/transactions/native"
        ));
        assert!(a_likely_typo(
            "/v3/pay/transaction/native",
            "/v3/pay/transactions/native"
        ));
        assert!(!a_likely_typo("/v3/not-catalogued/echo", "/v3/marketing/echo"));
        assert!(!a_likely_typo("/v3/a/b/c", "/v3/x/y/c"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn variables_are_renamed_to_the_catalogues_by_position() {
        let names = variable_names(
            "v3/pay/transactions/id/{id}",
            "/v3/pay/transactions/id/{transaction_id}",
        );
        assert_eq!(names, [("id", "transaction_id")]);
        assert_eq!(renamed(&names, "id"), "transaction_id");
        assert_eq!(renamed(&names, "other"), "other");
    }
}
