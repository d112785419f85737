//! Finding operations by words, and the nearest template to a wrong one.

use super::data::OpData;

/// The lower-cased text of every operation, and its template as segment ids, built at the
/// first search.
pub(super) struct Index {
    entries: Vec<Entry>,
    /// Every distinct segment of the templates (a variable is kept as written).
    segments: Vec<Box<str>>,
    /// Each operation's method and template segments, as indexes into `segments`.
    templates: Vec<(Box<str>, Vec<u32>)>,
}

struct Entry {
    path: String,
    summary: String,
    /// Tags and roles, one a line.
    labels: String,
    path_len: usize,
}

impl Index {
    pub(super) fn new(ops: &[OpData]) -> Index {
        let entries = ops
            .iter()
            .map(|op| {
                let mut labels = String::new();
                for label in op.tags.iter().chain(&op.roles) {
                    labels.push_str(&label.to_lowercase());
                    labels.push('\n');
                }
                Entry {
                    path: op.path.to_lowercase(),
                    summary: op.summary.to_lowercase(),
                    labels,
                    path_len: op.path.len(),
                }
            })
            .collect();
        let mut ids: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        let mut segments: Vec<Box<str>> = Vec::new();
        let templates = ops
            .iter()
            .map(|op| {
                let list = split(&op.path)
                    .map(|segment| {
                        *ids.entry(segment).or_insert_with(|| {
                            segments.push(segment.into());
                            segments.len() as u32 - 1
                        })
                    })
                    .collect();
                (op.method.clone(), list)
            })
            .collect();
        Index {
            entries,
            segments,
            templates,
        }
    }

    /// The indexes of the operations every word matches, best first: more words in the path,
    /// then more in the summary, then the shorter path, then catalogue order.
    pub(super) fn search(&self, words: &str) -> Vec<usize> {
        let words: Vec<String> = words.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<(usize, usize, usize, usize)> = Vec::new();
        'ops: for (i, e) in self.entries.iter().enumerate() {
            let (mut in_path, mut in_summary) = (0, 0);
            for word in &words {
                let p = e.path.contains(word.as_str());
                let s = e.summary.contains(word.as_str());
                if !p && !s && !e.labels.contains(word.as_str()) {
                    continue 'ops;
                }
                in_path += usize::from(p);
                in_summary += usize::from(s);
            }
            found.push((usize::MAX - in_path, usize::MAX - in_summary, e.path_len, i));
        }
        found.sort_unstable();
        found.into_iter().map(|(.., i)| i).collect()
    }
}

/// The operation nearest to `method template`: the least segment-wise edit distance (a
/// segment replaced by another costs the share of its characters that differ, so `transaction`
/// for `transactions` costs little; a variable for a variable costs nothing; a segment added
/// or removed costs 1), plus a half for another method. `None` when the best is more than half
/// the segments away (at least 1, at most 3).
///
/// The cost of replacing a wanted segment by a catalogued one is computed once per distinct
/// catalogued segment, when first needed, and each template's distance stops as soon as it
/// cannot beat the best so far.
pub(super) fn closest(index: &Index, method: &str, template: &str) -> Option<usize> {
    let wanted: Vec<&str> = split(template).collect();
    if wanted.is_empty() || wanted.len() > 64 {
        return None;
    }
    let limit = (wanted.len() as f64 / 2.0).clamp(1.0, 3.0);
    let width = index.segments.len();
    let mut costs = vec![f64::NAN; wanted.len() * width];
    let mut cost = |w: usize, id: u32| {
        let slot = &mut costs[w * width + id as usize];
        if slot.is_nan() {
            *slot = segment_cost(wanted[w], &index.segments[id as usize]);
        }
        *slot
    };
    let mut best: Option<(f64, usize)> = None;
    for (i, (op_method, have)) in index.templates.iter().enumerate() {
        if have.len().abs_diff(wanted.len()) as f64 > limit {
            continue;
        }
        let penalty = if op_method.eq_ignore_ascii_case(method) {
            0.0
        } else {
            0.5
        };
        let bound = best.map_or(limit, |(d, _)| d.min(limit)) - penalty;
        if let Some(d) = distance(wanted.len(), have, bound, &mut cost) {
            let d = d + penalty;
            if d <= limit && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, i));
            }
        }
    }
    best.map(|(_, i)| i)
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.strip_prefix('/').unwrap_or(path).split('/')
}

/// Edit distance between `wanted` segments (counted) and `have` (ids), with `cost(w, id)` for
/// a replacement; `None` once it must exceed `bound`.
fn distance(wanted: usize, have: &[u32], bound: f64, cost: &mut impl FnMut(usize, u32) -> f64) -> Option<f64> {
    let mut prev: Vec<f64> = (0..=have.len()).map(|j| j as f64).collect();
    let mut row = vec![0.0; have.len() + 1];
    for w in 0..wanted {
        row[0] = (w + 1) as f64;
        let mut least = row[0];
        for (j, &id) in have.iter().enumerate() {
            let swap = prev[j] + cost(w, id);
            row[j + 1] = swap.min(prev[j + 1] + 1.0).min(row[j] + 1.0);
            least = least.min(row[j + 1]);
        }
        if least > bound {
            return None;
        }
        std::mem::swap(&mut prev, &mut row);
    }
    let d = prev[have.len()];
    (d <= bound).then_some(d)
}

/// 0 for equal segments and for two variables; else the share of characters that differ.
fn segment_cost(a: &str, b: &str) -> f64 {
    let var = |s: &str| s.len() >= 2 && s.starts_with('{') && s.ends_with('}');
    if a == b || (var(a) && var(b)) {
        return 0.0;
    }
    if var(a) || var(b) {
        return 1.0;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let longest = a.len().max(b.len()).max(1);
    if a.len().abs_diff(b.len()) * 2 > longest {
        return 1.0;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            row[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    (prev[b.len()] as f64 / longest as f64).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_costs_grade_the_difference() {
        assert_eq!(segment_cost("native", "native"), 0.0);
        assert_eq!(segment_cost("{a}", "{b}"), 0.0);
        assert_eq!(segment_cost("{a}", "native"), 1.0);
        let plural = segment_cost("transaction", "transactions");
        assert!(plural > 0.0 && plural < 0.1, "{plural}");
        assert_eq!(segment_cost("a", "abcdef"), 1.0);
    }

    #[test]
    fn distance_counts_segments_added_removed_and_replaced() {
        let names = ["v3", "a", "b", "c", "x", "y"];
        let dist = |wanted: &[&str], have: &[u32], bound: f64| {
            let mut cost = |w: usize, id: u32| segment_cost(wanted[w], names[id as usize]);
            distance(wanted.len(), have, bound, &mut cost)
        };
        assert_eq!(dist(&["v3", "a", "b"], &[0, 1, 2], 3.0), Some(0.0));
        assert_eq!(dist(&["v3", "a"], &[0, 1, 2], 3.0), Some(1.0));
        assert_eq!(dist(&["v3", "a", "b", "c"], &[4, 5], 1.0), None);
    }
}
