//! The path index: a trie keyed by literal segment, with one wildcard child for a variable
//! segment. A lookup walks one node per segment, prefers the literal child and falls back to
//! the wildcard when the literal branch leads nowhere.

/// One node: the segment's children and the operations whose template ends here.
#[derive(Default)]
struct TrieNode {
    /// Literal children, sorted by segment for binary search.
    literals: Vec<(Box<str>, u32)>,
    /// The child for a `{variable}` segment.
    variable: Option<u32>,
    /// Operations (indexes) whose template ends here.
    ops: Vec<u32>,
}

/// The trie of every template.
pub(super) struct Trie {
    nodes: Vec<TrieNode>,
}

/// Whether a segment is a template variable: `{name}`.
fn is_variable(segment: &str) -> bool {
    segment.len() >= 2 && segment.starts_with('{') && segment.ends_with('}')
}

/// The segments of a path or template: no query or fragment, no leading slash. A trailing
/// slash gives a last, empty segment, so `/a/` and `/a` differ.
fn segments(path: &str) -> std::str::Split<'_, char> {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    let path = &path[..end];
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// Whether `path` spells `template` (a leading slash, query and fragment aside).
pub(super) fn same_template(template: &str, path: &str) -> bool {
    segments(template).eq(segments(path))
}

impl Trie {
    /// Builds the trie of `(operation index, template)` pairs.
    pub(super) fn build<'a>(templates: impl Iterator<Item = (usize, &'a str)>) -> Trie {
        let mut trie = Trie {
            nodes: vec![TrieNode::default()],
        };
        for (op, template) in templates {
            let mut at = 0usize;
            for segment in segments(template) {
                at = trie.child(at, segment);
            }
            trie.nodes[at].ops.push(op as u32);
        }
        trie
    }

    /// The child of `at` for `segment`, created when missing.
    fn child(&mut self, at: usize, segment: &str) -> usize {
        let next = self.nodes.len() as u32;
        let node = &mut self.nodes[at];
        let found = if is_variable(segment) {
            *node.variable.get_or_insert(next)
        } else {
            match node.literals.binary_search_by(|(s, _)| (**s).cmp(segment)) {
                Ok(i) => node.literals[i].1,
                Err(i) => {
                    node.literals.insert(i, (segment.into(), next));
                    next
                }
            }
        };
        if found == next {
            self.nodes.push(TrieNode::default());
        }
        found as usize
    }

    /// Walks `path` (concrete or template) and gives `accept` the operations of each node the
    /// whole path reaches, literal branches first; the first `Some` it returns is the answer.
    pub(super) fn find(&self, path: &str, mut accept: impl FnMut(&[u32]) -> Option<u32>) -> Option<u32> {
        self.walk(0, segments(path), 0, &mut accept)
    }

    fn walk(
        &self,
        at: usize,
        mut rest: std::str::Split<'_, char>,
        depth: usize,
        accept: &mut dyn FnMut(&[u32]) -> Option<u32>,
    ) -> Option<u32> {
        let node = &self.nodes[at];
        let Some(segment) = rest.next() else {
            return accept(&node.ops);
        };
        if depth > 64 {
            return None; // deeper than any template
        }
        let variable = is_variable(segment);
        if !variable
            && let Ok(i) = node.literals.binary_search_by(|(s, _)| (**s).cmp(segment))
            && let Some(hit) = self.walk(node.literals[i].1 as usize, rest.clone(), depth + 1, accept)
        {
            return Some(hit);
        }
        match node.variable {
            Some(child) if !segment.is_empty() => self.walk(child as usize, rest, depth + 1, accept),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trie(templates: &[&str]) -> Trie {
        Trie::build(templates.iter().copied().enumerate())
    }

    fn find(t: &Trie, path: &str) -> Option<u32> {
        t.find(path, |ops| ops.first().copied())
    }

    #[test]
    fn literal_segments_win_and_the_walk_backtracks() {
        let t = trie(&["/v3/a/{id}/x", "/v3/a/b/y", "/v3/a/b", "/v3/a/{id}"]);
        assert_eq!(find(&t, "/v3/a/b"), Some(2));
        assert_eq!(find(&t, "/v3/a/c"), Some(3));
        // `b` is a literal child, but `b/x` only exists under the variable.
        assert_eq!(find(&t, "/v3/a/b/x"), Some(0));
        assert_eq!(find(&t, "v3/a/b/y?q=1"), Some(1));
        assert_eq!(find(&t, "/v3/a/{whatever}/x"), Some(0));
        // A variable in the query is still the query.
        assert_eq!(find(&t, "/v3/a/{id}?x={y}"), Some(3));
    }

    #[test]
    fn trailing_and_empty_segments_are_significant() {
        let t = trie(&["/v3/e/applyments/", "/v3/e/applyments/{id}"]);
        assert_eq!(find(&t, "/v3/e/applyments/"), Some(0));
        assert_eq!(find(&t, "/v3/e/applyments/7"), Some(1));
        assert_eq!(find(&t, "/v3/e/applyments"), None);
        assert_eq!(find(&t, "/v3/e//applyments/"), None);
        assert_eq!(find(&t, ""), None);
        assert_eq!(find(&t, "/"), None);
    }

    #[test]
    fn the_accept_callback_can_refuse_a_node() {
        let t = trie(&["/v3/a/b", "/v3/a/{id}"]);
        // Refusing the literal node sends the walk to the variable.
        assert_eq!(t.find("/v3/a/b", |ops| ops.iter().copied().find(|&i| i == 1)), Some(1));
    }
}
