//! The operation catalogue's index: lookup by concrete path and template, search, "did you
//! mean", and what the generator resolved (both `$ref` spellings, v2 paths, extensions).
#![cfg(feature = "catalog")]

use wechatpay::catalog::{Catalog, Location, Protocol, SchemaType};

fn catalog() -> &'static Catalog {
    Catalog::get()
}

#[test]
fn a_concrete_path_finds_its_template_whatever_the_query_encoding_and_method_case() {
    let c = catalog();
    for path in [
        "/v3/pay/transactions/out-trade-no/1217752501201407033233368018",
        "v3/pay/transactions/out-trade-no/T1?mchid=1230000109",
        "/v3/pay/transactions/out-trade-no/T%2F1%20x#frag",
        "/v3/pay/transactions/out-trade-no/订单1",
    ] {
        for method in ["GET", "get", "Get"] {
            let op = c.lookup(method, path).unwrap_or_else(|| panic!("{method} {path}"));
            assert_eq!(op.template(), "/v3/pay/transactions/out-trade-no/{out_trade_no}");
            assert_eq!(op.method(), "GET");
        }
    }
}

#[test]
fn a_template_matches_whatever_its_variable_names() {
    let c = catalog();
    let op = c.lookup("GET", "/v3/pay/transactions/id/{id}").unwrap();
    assert_eq!(op.template(), "/v3/pay/transactions/id/{transaction_id}");
    // Every operation is found by its own template, and by that template with renamed
    // variables and a concrete value in each.
    for op in c.operations() {
        let found = c.lookup(op.method(), op.template()).unwrap();
        assert_eq!((found.method(), found.template()), (op.method(), op.template()));
        let shape = |template: &str| {
            template
                .split('/')
                .map(|s| if s.starts_with('{') { "{x}" } else { s })
                .collect::<Vec<_>>()
                .join("/")
        };
        // Renamed, it finds the template of that shape (one of two, for the one shape the
        // catalogue has twice).
        let renamed = c.lookup(op.method(), &shape(op.template())).unwrap();
        assert_eq!(shape(renamed.template()), shape(op.template()));
    }
}

#[test]
fn literal_segments_win_over_variables_and_the_walk_backtracks() {
    let c = catalog();
    let at = |method: &str, path: &str| c.lookup(method, path).map(|op| op.template());
    // `refunds/` has literal children (`apply`, `id`, ...) beside `{refund_id}`.
    assert_eq!(
        at("POST", "/v3/ecommerce/refunds/apply"),
        Some("/v3/ecommerce/refunds/apply")
    );
    assert_eq!(
        at("GET", "/v3/ecommerce/refunds/id/R1"),
        Some("/v3/ecommerce/refunds/id/{refund_id}")
    );
    // `apply/return-advance` leads nowhere under the literal `apply`: back to `{refund_id}`.
    assert_eq!(
        at("GET", "/v3/ecommerce/refunds/apply/return-advance"),
        Some("/v3/ecommerce/refunds/{refund_id}/return-advance")
    );
    // The literal `out-trade-no` has no operation of its own: it fills `{out_order_no}`.
    assert_eq!(
        at("GET", "/v3/discount-card/orders/out-trade-no"),
        Some("/v3/discount-card/orders/{out_order_no}")
    );
    // The literal path exists, but not for this method: the variable's operation answers.
    assert_eq!(
        at("PATCH", "/v3/discount-card/orders/out-trade-no"),
        Some("/v3/discount-card/orders/{out_order_no}")
    );
}

#[test]
fn two_templates_of_one_shape_are_told_apart_by_their_variable_names() {
    let c = catalog();
    let by_name = |path: &str| c.lookup("POST", path).unwrap().template();
    assert_eq!(
        by_name("/v3/apply4subject/applyment/{business_code}/cancel"),
        "/v3/apply4subject/applyment/{business_code}/cancel"
    );
    assert_eq!(
        by_name("/v3/apply4subject/applyment/{applyment_id}/cancel"),
        "/v3/apply4subject/applyment/{applyment_id}/cancel"
    );
    // A concrete value cannot tell them apart: one of the two answers.
    assert!(by_name("/v3/apply4subject/applyment/123/cancel").starts_with("/v3/apply4subject/applyment/{"));
}

#[test]
fn a_trailing_slash_is_significant() {
    let c = catalog();
    let with = c.lookup("POST", "/v3/ecommerce/applyments/").unwrap();
    assert_eq!(with.template(), "/v3/ecommerce/applyments/");
    // Without the slash it is another path: nothing is posted there.
    assert!(c.lookup("POST", "/v3/ecommerce/applyments").is_none());
    let by_id = c.lookup("GET", "/v3/ecommerce/applyments/2000002124775691").unwrap();
    assert_eq!(by_id.template(), "/v3/ecommerce/applyments/{applyment_id}");
    // An empty segment fills no variable.
    assert!(c.lookup("GET", "/v3/pay/transactions/out-trade-no/").is_none());
}

#[test]
fn a_wrong_method_finds_nothing_but_the_path_lists_the_right_ones() {
    let c = catalog();
    assert!(c.lookup("DELETE", "/v3/pay/transactions/native").is_none());
    let at: Vec<&str> = c
        .lookup_path("/v3/pay/transactions/native")
        .iter()
        .map(|op| op.method())
        .collect();
    assert_eq!(at, ["POST"]);
    // A path with several methods lists them all.
    let at = c.lookup_path("/v3/marketing/busifavor/stocks/123");
    let mut methods: Vec<&str> = at.iter().map(|op| op.method()).collect();
    methods.sort_unstable();
    assert!(methods.len() >= 2, "{methods:?}");
    for m in methods {
        assert!(c.lookup(m, "/v3/marketing/busifavor/stocks/123").is_some());
    }
}

#[test]
fn unknown_and_odd_paths_find_nothing_without_panicking() {
    let c = catalog();
    for path in [
        "",
        "/",
        "//",
        "?",
        "/v3",
        "/v3/",
        "/v3/no/such/operation",
        "/v3/pay/transactions/native/extra",
        "/v3/pay//native",
        "{}",
        "/{",
        &"/a".repeat(10_000),
        "\u{0}/\u{fffd}",
    ] {
        assert!(c.lookup("GET", path).is_none(), "{path:?}");
        assert!(c.lookup("", path).is_none());
    }
    assert!(c.lookup("FETCH", "/v3/pay/transactions/native").is_none());
}

#[test]
fn v2_operations_answer_to_their_chain_and_wire_paths() {
    let c = catalog();
    let chain = c.lookup("POST", "/v2/pay/micropay").unwrap();
    let wire = c.lookup("post", "pay/micropay").unwrap();
    assert_eq!(
        (chain.template(), wire.template()),
        ("/v2/pay/micropay", "/v2/pay/micropay")
    );
    assert_eq!(chain.wire_path(), "/pay/micropay");
    assert_eq!(chain.protocol(), Protocol::V2);
    for op in c.operations() {
        match op.protocol() {
            Protocol::V2 => {
                assert_eq!(op.template(), format!("/v2{}", op.wire_path()));
                assert!(!op.wire_path().starts_with("/v3/"), "{op}");
            }
            Protocol::V3 => {
                assert_eq!(op.template(), op.wire_path());
                let first = op.template().split('/').nth(1).unwrap();
                assert!(["v3", "hk", "global"].contains(&first), "{op}");
            }
        }
    }
}

#[test]
fn search_matches_every_word_in_chinese_or_english_and_ranks_path_matches_first() {
    let c = catalog();
    // English words match paths.
    let found = c.search("Domestic refunds");
    assert!(!found.is_empty());
    for op in &found {
        let path = op.template().to_lowercase();
        assert!(path.contains("domestic") && path.contains("refunds"), "{op}");
    }
    assert!(
        found
            .iter()
            .any(|op| op.template() == "/v3/refund/domestic/refunds/{out_refund_no}")
    );
    // Chinese words match summaries, tags and roles, case aside.
    let found = c.search("查询 退款");
    assert!(
        found
            .iter()
            .any(|op| op.template() == "/v3/refund/domestic/refunds/{out_refund_no}")
    );
    for op in &found {
        let text = format!(
            "{} {} {}",
            op.summary(),
            op.tags().collect::<Vec<_>>().join(" "),
            op.roles().collect::<Vec<_>>().join(" ")
        );
        assert!(text.contains("查询") && text.contains("退款"), "{op}: {text}");
    }
    // Case does not matter, and every word must match.
    assert_eq!(c.search("NATIVE").len(), c.search("native").len());
    assert!(c.search("native 这个词不会出现在任何地方").is_empty());
    // A tag alone finds its operations; a role too.
    assert!(!c.search("停车缴费服务").is_empty());
    assert!(!c.search("电商平台").is_empty());
    // Path matches come first.
    let found = c.search("transactions");
    let first_summary_only = found.iter().position(|op| !op.template().contains("transactions"));
    let last_path = found
        .iter()
        .rposition(|op| op.template().contains("transactions"))
        .unwrap();
    if let Some(first) = first_summary_only {
        assert!(last_path < first, "path matches must come first");
    }
    assert!(c.search("   ").is_empty());
}

#[test]
fn closest_suggests_a_near_template_and_nothing_for_a_far_one() {
    let c = catalog();
    let cases = [
        ("POST", "/v3/pay/transaction/native", "/v3/pay/transactions/native"),
        (
            "POST",
            "/v3/parking/reminders/extpayment",
            "/v3/parking/reminders/ext-payment",
        ),
        (
            "GET",
            "/v3/pay/transactions/outtradeno/{out_trade_no}",
            "/v3/pay/transactions/out-trade-no/{out_trade_no}",
        ),
        (
            "GET",
            "/v3/refund/domestic/refund/{x}",
            "/v3/refund/domestic/refunds/{out_refund_no}",
        ),
    ];
    for (method, wrong, right) in cases {
        assert!(
            c.lookup(method, wrong).is_none(),
            "{wrong} must be missing for this test"
        );
        let near = c
            .closest(method, wrong)
            .unwrap_or_else(|| panic!("nothing near {wrong}"));
        assert_eq!(near.template(), right, "{wrong}");
    }
    // A catalogued template is its own nearest.
    assert_eq!(
        c.closest("POST", "/v3/pay/transactions/native").unwrap().template(),
        "/v3/pay/transactions/native"
    );
    assert!(c.closest("GET", "/nothing/like/this/at/all/anywhere/here").is_none());
    assert!(c.closest("GET", "").is_none());
    assert!(c.closest("GET", &"/x".repeat(5000)).is_none());
}

#[test]
fn file_refs_with_a_name_fragment_are_resolved() {
    // The response is `allOf` of `Transaction.yaml#TransactionDirection` and
    // `Transaction.yaml#TransactionBase` (no `/` after `#`), and TransactionBase itself is
    // `allOf` of the local `#/OrderBase` and more.
    let op = catalog()
        .lookup("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}")
        .unwrap();
    let response = op.response_schema().unwrap();
    let required: Vec<&str> = response.required().collect();
    for name in ["appid", "mchid", "notify_url", "description", "out_trade_no", "amount"] {
        assert!(required.contains(&name), "{name} in {required:?}");
        assert!(response.property(name).is_some(), "{name}");
    }
    let trade_state = response.property("trade_state").unwrap();
    assert!(trade_state.enum_values().iter().any(|v| v == "SUCCESS"));
    // A local `#Name` ref: the webhook's answer is `#MerchantBusinessException` of its file.
    let webhook = catalog().lookup("POST", "/v3/webhooks").unwrap();
    let answer = webhook.response_schema().unwrap();
    assert!(answer.property("code").is_some() && answer.property("message").is_some());
}

#[test]
fn file_refs_with_a_pointer_fragment_are_resolved() {
    // `id_doc_type: {$ref: '../../../definitions/Enumerations.yaml#/IdType'}`.
    let op = catalog().lookup("POST", "/v3/ecommerce/applyments/").unwrap();
    let id_doc_type = op.request_schema().unwrap().property("id_doc_type").unwrap();
    assert_eq!(id_doc_type.schema_type(), Some(SchemaType::String));
    assert!(
        id_doc_type
            .enum_values()
            .iter()
            .any(|v| v == "IDENTIFICATION_TYPE_IDCARD")
    );
    // A shared header parameter: `Parameters.yaml#/HTTP_WECHATPAY_SERIAL`.
    let header: Vec<String> = op.header_parameters().map(|p| p.name().to_owned()).collect();
    assert!(header.iter().any(|h| h == "Wechatpay-Serial"), "{header:?}");
}

#[test]
fn extensions_and_parameters_are_kept() {
    let c = catalog();
    let (mut cert, mut base, mut roles, mut v2) = (0, 0, 0, 0);
    for op in c.operations() {
        cert += usize::from(op.cert_required());
        base += usize::from(op.base_uri().is_some());
        roles += usize::from(op.roles().len() > 0);
        v2 += usize::from(op.protocol() == Protocol::V2);
        if op.cert_required() {
            assert_eq!(op.protocol(), Protocol::V2, "{op}");
        }
        if let Some(uri) = op.base_uri() {
            assert!(uri.starts_with("https://") && uri.ends_with('/'), "{op}: {uri}");
        }
        // Every variable of the template is a documented path variable.
        let vars: Vec<&str> = op.path_variables().map(|p| p.name()).collect();
        for segment in op.template().split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                assert!(vars.contains(&name), "{op}: {name} not in {vars:?}");
            }
        }
        for p in op.path_variables() {
            assert!(p.required() && p.location() == Location::Path, "{op}");
        }
    }
    assert!(
        cert > 50 && base >= 5 && roles > 1000 && v2 > 100,
        "{cert} {base} {roles} {v2}"
    );
    let micropay = c.lookup("POST", "/v2/pay/micropay").unwrap();
    assert!(micropay.tags().any(|t| t.contains("APIv2")));
    let upload = c.lookup("POST", "/v3/merchant/media/upload").unwrap();
    let parts: Vec<&str> = upload.form_parameters().map(|p| p.name()).collect();
    assert_eq!(parts, ["file", "meta"]);
}

#[test]
fn the_licence_and_source_travel_with_the_data() {
    let c = catalog();
    assert!(c.license().contains("Permission is hereby granted, free of charge"));
    assert!(c.license().lines().any(|l| l.starts_with("Copyright (c)")));
    let (commit, date) = c.source_commit();
    assert!(commit.len() >= 7 && commit.chars().all(|ch| ch.is_ascii_hexdigit()));
    assert_eq!(date.len(), 10);
    assert!(c.source_version().split('.').all(|n| n.parse::<u32>().is_ok()));
}

#[test]
fn the_v2_endpoint_lists_agree_with_the_catalogue() {
    use std::collections::BTreeSet;
    use wechatpay::protocol::v2::{CLIENT_CERTIFICATE, OTHER_HOSTS};

    let v2: Vec<_> = catalog()
        .operations()
        .filter(|op| op.protocol() == Protocol::V2)
        .collect();
    let wire = |op: &wechatpay::catalog::Operation<'_>| op.wire_path().trim_start_matches('/').to_owned();
    let certificate: BTreeSet<String> = v2.iter().filter(|op| op.cert_required()).map(wire).collect();
    let listed: BTreeSet<String> = CLIENT_CERTIFICATE.iter().map(|p| p.to_string()).collect();
    assert_eq!(certificate, listed, "protocol::v2::CLIENT_CERTIFICATE");
    assert_eq!(certificate.len(), 57);

    let hosts: BTreeSet<(String, String)> = v2
        .iter()
        .filter_map(|op| op.base_uri().map(|uri| (wire(op), uri.to_owned())))
        .collect();
    let listed: BTreeSet<(String, String)> = OTHER_HOSTS
        .iter()
        .map(|(p, h)| (p.to_string(), h.to_string()))
        .collect();
    assert_eq!(hosts, listed, "protocol::v2::OTHER_HOSTS");
}
