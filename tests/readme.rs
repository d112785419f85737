//! The README's promises that code can break: its error table names every variant of every
//! error enum in `src/error.rs`, and its test command is the one CI runs.

use std::collections::BTreeSet;

const README: &str = include_str!("../README.md");
const ERRORS: &str = include_str!("../src/error.rs");

/// `(enum, variant)` for every `pub enum` in `src/error.rs`.
fn error_variants() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for line in ERRORS.lines() {
        if let Some(rest) = line.strip_prefix("pub enum ") {
            current = rest.split_whitespace().next().map(str::to_owned);
            continue;
        }
        if line == "}" {
            current = None;
            continue;
        }
        let Some(name) = &current else { continue };
        // A variant starts at four spaces with a capital letter.
        if let Some(rest) = line.strip_prefix("    ")
            && rest.starts_with(|c: char| c.is_ascii_uppercase())
        {
            let variant: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            found.push((name.clone(), variant));
        }
    }
    found
}

#[test]
fn the_error_table_names_every_variant() {
    let start = README.find("## Errors").expect("an Errors section");
    let end = README[start + 1..]
        .find("\n## ")
        .map_or(README.len(), |i| start + 1 + i);
    let table = &README[start..end];
    let variants = error_variants();
    let enums: BTreeSet<&str> = variants.iter().map(|(e, _)| e.as_str()).collect();
    assert!(
        enums.len() >= 6 && variants.len() >= 40,
        "the scan found too little: {variants:?}"
    );
    let missing: Vec<String> = variants
        .iter()
        .filter(|(_, variant)| !table.contains(&format!("`{variant}")) && !table.contains(&format!(" {variant}`")))
        .map(|(e, v)| format!("{e}::{v}"))
        .collect();
    assert!(missing.is_empty(), "README's error table lacks {missing:?}");
}

#[test]
fn the_test_command_is_the_one_ci_runs() {
    let ci = include_str!("../.ci/run");
    let command = "cargo test --all-features";
    assert!(
        README.lines().take(20).any(|l| l.starts_with(command)),
        "README's top names `{command}`"
    );
    assert!(ci.lines().any(|l| l.trim() == command), ".ci/run runs `{command}`");
    assert!(
        README
            .lines()
            .take(20)
            .any(|l| l.starts_with("cargo run --example quickstart"))
    );
}
