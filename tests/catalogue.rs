//! Every real endpoint of the list in tests/fixtures/endpoints/ (a copy of the project's
//! endpoint list, which CI checks is current) can be named through the chain,
//! whole or segment by segment, and expands to a concrete path.

use wechatpay::mock::{MCHID, MERCHANT_SERIAL, PLATFORM_PUBLIC_KEY_ID, keys};
use wechatpay::path::expand;

fn catalogue() -> Vec<(String, String, String)> {
    let dir = format!("{}/tests/fixtures/endpoints", env!("CARGO_MANIFEST_DIR"));
    let mut rows = Vec::new();
    for file in ["v3-endpoints.tsv", "v3-endpoints-hk-global.tsv"] {
        let path = format!("{dir}/{file}");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("the endpoint list {path} is missing ({e})"));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 4, "malformed catalogue line: {line}");
            rows.push((cols[0].to_owned(), cols[1].to_owned(), cols[3].to_owned()));
        }
    }
    assert!(rows.len() >= 992, "catalogue unexpectedly small: {}", rows.len());
    rows
}

fn client() -> wechatpay::Client {
    wechatpay::Client::builder()
        .mchid(MCHID)
        .merchant_serial(MERCHANT_SERIAL)
        .private_key_pem(keys::MERCHANT_PRIVATE_KEY)
        .unwrap()
        .platform_public_key(PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY)
        .unwrap()
        .build()
        .unwrap()
}

/// `ext-payment` -> `extPayment`, `{out_trade_no}` -> `_out_trade_no_`.
fn as_php_segment(segment: &str) -> String {
    if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        return format!("_{name}_");
    }
    let mut out = String::new();
    for (i, part) in segment.split('-').enumerate() {
        let mut chars = part.chars();
        match (i, chars.next()) {
            (0, Some(c)) => out.push(c),
            (_, Some(c)) => out.push(c.to_ascii_uppercase()),
            (_, None) => {}
        }
        out.extend(chars);
    }
    out
}

#[test]
fn whole_path_and_camel_case_segments_give_the_same_template_for_every_endpoint() {
    let client = client();
    for (method, template, _) in catalogue() {
        let expected = template.trim_start_matches('/');
        let whole = client.chain(&template);
        assert_eq!(whole.template(), expected, "{method} {template} (whole)");

        let mut segments = expected.split('/');
        let mut chain = client.chain(segments.next().unwrap());
        for segment in segments {
            chain = chain.chain(&as_php_segment(segment));
        }
        assert_eq!(chain.template(), expected, "{method} {template} (segments)");
    }
}

#[test]
fn every_endpoint_expands_to_a_concrete_path_with_sample_values() {
    let client = client();
    for (method, template, _) in catalogue() {
        let chain = client.chain(&template);
        let names: Vec<String> = template
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        let values: Vec<(String, String)> = names.iter().map(|n| (n.clone(), format!("sample {n}/1"))).collect();
        let params: Vec<(&str, &str)> = values.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let path = expand(chain.template(), &params).unwrap_or_else(|e| panic!("{method} {template}: {e}"));
        assert!(
            !path.contains('{') && !path.contains('}'),
            "{method} {template} -> {path}"
        );
        assert_eq!(path.ends_with('/'), template.ends_with('/'), "{template}");
        for name in &names {
            assert!(path.contains(&format!("sample%20{name}%2F1")), "{template} -> {path}");
        }
    }
}

#[test]
fn catalogue_has_the_documented_upload_and_download_endpoints() {
    let rows = catalogue();
    let count = |kind: &str| {
        rows.iter()
            .filter(|(_, t, k)| k == kind && t.starts_with("/v3/"))
            .count()
    };
    assert_eq!(count("upload"), 14);
    assert_eq!(count("download"), 6);
    for (method, template, kind) in &rows {
        if kind == "download" {
            assert!(
                method == "GET"
                    && wechatpay::protocol::downloads::UNSIGNED_DOWNLOADS
                        .iter()
                        .any(|d| d.template == template),
                "{method} {template} should be a known unsigned download path"
            );
        }
    }
}
