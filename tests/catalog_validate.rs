//! Validation of requests and responses against the catalogue: the seed operation
//! (`POST /v3/parking/reminders/ext-payment`), every rule, severities, v2's text rule, and
//! odd input.
#![cfg(feature = "catalog")]

use serde_json::{Value, json};
use wechatpay::catalog::{Catalog, Operation, Request, Rule, SchemaType, Severity, Violation};

fn op(method: &str, path: &str) -> Operation<'static> {
    Catalog::get()
        .lookup(method, path)
        .unwrap_or_else(|| panic!("{method} {path} is catalogued"))
}

fn seed() -> Operation<'static> {
    op("POST", "/v3/parking/reminders/ext-payment")
}

fn seed_body() -> Value {
    json!({
        "out_trade_no": "TRADE202407041530001",
        "fee_items": [{ "fee_type": "EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY", "amount": 5000 }],
        "pay_time": 1719128975
    })
}

fn body(op: &Operation<'_>, body: &Value) -> Vec<Violation> {
    op.validate(&Request {
        body: Some(body),
        ..Request::default()
    })
}

fn find<'v>(violations: &'v [Violation], pointer: &str, rule: Rule) -> &'v Violation {
    violations
        .iter()
        .find(|v| v.pointer == pointer && v.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} at {pointer} in {violations:#?}"))
}

#[test]
fn the_seed_schema_is_as_documented() {
    let schema = seed().request_schema().unwrap();
    let required: Vec<&str> = schema.required().collect();
    assert_eq!(required, ["out_trade_no", "fee_items", "pay_time"]);
    let out_trade_no = schema.property("out_trade_no").unwrap();
    assert_eq!(out_trade_no.schema_type(), Some(SchemaType::String));
    assert_eq!(out_trade_no.max_length(), Some(64));
    let fee_items = schema.property("fee_items").unwrap();
    assert_eq!(
        (fee_items.schema_type(), fee_items.min_items()),
        (Some(SchemaType::Array), Some(1))
    );
    let item = fee_items.items().unwrap();
    assert_eq!(item.required().collect::<Vec<_>>(), ["fee_type", "amount"]);
    assert_eq!(item.property("fee_type").unwrap().enum_values().len(), 4);
    assert_eq!(
        item.property("amount").unwrap().schema_type(),
        Some(SchemaType::Integer)
    );
    assert_eq!(
        schema.property("pay_time").unwrap().schema_type(),
        Some(SchemaType::Integer)
    );
    // Properties keep the description's order.
    let names: Vec<&str> = schema.properties().map(|(n, _)| n).collect();
    assert_eq!(&names[..3], ["out_trade_no", "fee_items", "pay_time"]);
    assert_eq!(seed().response_status(), Some(204));
    assert!(seed().response_schema().is_none());
}

#[test]
fn a_valid_seed_body_has_no_violation() {
    assert_eq!(body(&seed(), &seed_body()), []);
}

#[test]
fn a_seed_body_without_pay_time_has_exactly_one_error() {
    let mut b = seed_body();
    b.as_object_mut().unwrap().remove("pay_time");
    let violations = body(&seed(), &b);
    assert_eq!(violations.len(), 1, "{violations:#?}");
    let v = &violations[0];
    assert_eq!(
        (v.pointer.as_str(), v.rule, v.severity),
        ("/pay_time", Rule::Required, Severity::Error)
    );
    assert_eq!(v.expected, "integer");
    assert_eq!(
        v.to_string(),
        "error[required]: /pay_time: expected integer, found nothing"
    );
}

#[test]
fn a_wrong_enum_and_a_string_amount_are_both_reported() {
    let mut b = seed_body();
    b["fee_items"] = json!([{ "fee_type": "X", "amount": "1" }]);
    let violations = body(&seed(), &b);
    assert_eq!(violations.len(), 2, "{violations:#?}");
    let e = find(&violations, "/fee_items/0/fee_type", Rule::Enum);
    assert_eq!(e.severity, Severity::Error);
    assert_eq!(e.found, "\"X\"");
    assert!(e.expected.contains("EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY"));
    let t = find(&violations, "/fee_items/0/amount", Rule::Type);
    assert_eq!((t.expected.as_str(), t.found.as_str()), ("integer", "string \"1\""));
    assert_eq!(t.severity, Severity::Error);
}

#[test]
fn every_violation_is_reported_not_only_the_first() {
    let b = json!({
        "out_trade_no": "x".repeat(65),
        "fee_items": [],
        "pay_time": 1.5,
        "undocumented": true
    });
    let violations = body(&seed(), &b);
    find(&violations, "/out_trade_no", Rule::MaxLength);
    find(&violations, "/fee_items", Rule::MinItems);
    find(&violations, "/pay_time", Rule::Type);
    let unknown = find(&violations, "/undocumented", Rule::UnknownField);
    assert_eq!(unknown.severity, Severity::Warning);
    assert_eq!(violations.len(), 4, "{violations:#?}");
    // The whole body of the wrong type is one violation at the root.
    let violations = body(&seed(), &json!([1, 2]));
    assert_eq!(violations.len(), 1);
    assert_eq!((violations[0].pointer.as_str(), violations[0].rule), ("", Rule::Type));
    assert!(
        violations[0]
            .to_string()
            .starts_with("error[type]: body: expected object")
    );
}

#[test]
fn lengths_count_characters_not_bytes() {
    let mut b = seed_body();
    b["out_trade_no"] = json!("订".repeat(64)); // 192 bytes
    assert_eq!(body(&seed(), &b), []);
    b["out_trade_no"] = json!("订".repeat(65));
    let violations = body(&seed(), &b);
    let v = find(&violations, "/out_trade_no", Rule::MaxLength);
    assert_eq!((v.expected.as_str(), v.found.as_str()), ("at most 64 characters", "65"));
}

#[test]
fn long_values_are_shortened_in_messages() {
    let mut b = seed_body();
    b["fee_items"][0]["fee_type"] = json!("Y".repeat(500));
    let violations = body(&seed(), &b);
    let v = find(&violations, "/fee_items/0/fee_type", Rule::Enum);
    assert!(v.found.len() < 80, "{}", v.found);
    assert!(v.found.contains("500 characters"), "{}", v.found);
    b["fee_items"] = json!({ "not": "an array" });
    let v = &body(&seed(), &b)[0];
    assert_eq!(v.found, "an object of 1 fields");
}

#[test]
fn pointers_escape_slash_and_tilde() {
    let mut b = seed_body();
    b["a/b~c"] = json!(1);
    let violations = body(&seed(), &b);
    find(&violations, "/a~1b~0c", Rule::UnknownField);
}

#[test]
fn date_times_are_errors_and_other_formats_warnings() {
    let native = op("POST", "/v3/pay/transactions/native");
    let mut b = native.example_request().unwrap();
    assert!(
        body(&native, &b).iter().all(|v| v.severity == Severity::Warning),
        "the example passes"
    );
    b["time_expire"] = json!("2018-06-08 10:34:56");
    let violations = body(&native, &b);
    let v = find(&violations, "/time_expire", Rule::Format);
    assert_eq!(v.severity, Severity::Error);
    assert!(v.expected.contains("RFC 3339"));
    // `base64` marks encrypted fields; plain text there is worth a warning only.
    let hk = op("POST", "/hk/v3/merchants");
    let mut b = hk.example_request().unwrap();
    b["contact"]["email"] = json!("plain@example.com");
    let violations = body(&hk, &b);
    let v = find(&violations, "/contact/email", Rule::Format);
    assert_eq!(v.severity, Severity::Warning);
}

#[test]
fn patterns_written_javascript_style_are_checked() {
    let op = op("POST", "/v3/payscore/serviceorder/direct-complete");
    let end = op
        .request_schema()
        .unwrap()
        .property("time_range")
        .unwrap()
        .property("end_time")
        .unwrap();
    assert_eq!(end.pattern(), Some(r"/\d{8}|\d{14}/"));
    let mut b = op.example_request().unwrap();
    b["time_range"]["end_time"] = json!("2009-12-25");
    let violations = body(&op, &b);
    let v = find(&violations, "/time_range/end_time", Rule::Pattern);
    assert_eq!(v.severity, Severity::Error);
    b["time_range"]["end_time"] = json!("20091225");
    assert!(body(&op, &b).iter().all(|v| v.rule != Rule::Pattern));
}

#[test]
fn where_the_description_contradicts_its_own_example_the_rule_is_a_warning() {
    // `relation_type` lists MERCHANT_ID and PERSONAL_OPENID, and gives SUPPLIER as example.
    let op = op("POST", "/v3/ecommerce/profitsharing/receivers/add");
    let schema = op.request_schema().unwrap().property("relation_type").unwrap();
    let example = schema.example().unwrap();
    assert!(!schema.enum_values().contains(example));
    let mut b = op.example_request().unwrap();
    b["relation_type"] = example.clone();
    let violations = body(&op, &b);
    assert_eq!(
        find(&violations, "/relation_type", Rule::Enum).severity,
        Severity::Warning
    );
    // The seed's enum agrees with its example: there an unknown value is an error.
    let item = seed()
        .request_schema()
        .unwrap()
        .property("fee_items")
        .unwrap()
        .items()
        .unwrap();
    let fee_type = item.property("fee_type").unwrap();
    assert!(fee_type.enum_values().contains(fee_type.example().unwrap()));
}

#[test]
fn nullable_fields_accept_null_and_others_do_not() {
    let micropay = op("POST", "/v2/pay/micropay");
    let schema = micropay.request_schema().unwrap();
    assert!(schema.property("sub_appid").unwrap().nullable());
    let mut b = micropay.example_request().unwrap();
    b["sub_appid"] = Value::Null;
    assert!(body(&micropay, &b).iter().all(|v| v.pointer != "/sub_appid"));
    let mut b = seed_body();
    b["pay_time"] = Value::Null;
    let violations = body(&seed(), &b);
    assert_eq!(find(&violations, "/pay_time", Rule::Type).found, "null");
}

#[test]
fn v2_fields_are_text_so_numeric_strings_are_integers() {
    let micropay = op("POST", "/v2/pay/micropay");
    let total_fee = micropay.request_schema().unwrap().property("total_fee").unwrap();
    assert_eq!(total_fee.schema_type(), Some(SchemaType::Integer));
    let mut b = micropay.example_request().unwrap();
    for ok in [json!("888"), json!(888)] {
        b["total_fee"] = ok;
        assert!(body(&micropay, &b).iter().all(|v| v.pointer != "/total_fee"));
    }
    b["total_fee"] = json!("8.88");
    find(&body(&micropay, &b), "/total_fee", Rule::Type);
    // A number is the text of a string field too, and its length counts that text.
    b["total_fee"] = json!(1);
    b["mch_id"] = json!(1900000109);
    assert!(body(&micropay, &b).iter().all(|v| v.pointer != "/mch_id"));
    b["mch_id"] = json!(10_u64.pow(19)); // 20 characters, within 32
    assert!(body(&micropay, &b).iter().all(|v| v.pointer != "/mch_id"));
    b["device_info"] = json!("9".repeat(33));
    find(&body(&micropay, &b), "/device_info", Rule::MaxLength);
    // v3 is JSON: a numeric string is not an integer there.
    let mut b = seed_body();
    b["pay_time"] = json!("1719128975");
    find(&body(&seed(), &b), "/pay_time", Rule::Type);
}

#[test]
fn path_variables_and_query_parameters_are_checked_as_text() {
    let bill = op("GET", "/v3/bill/tradebill");
    let violations = bill.validate(&Request {
        query: &[("tar_type", "ZIP"), ("extra", "1")],
        ..Request::default()
    });
    assert_eq!(
        find(&violations, "query: bill_date", Rule::Required).severity,
        Severity::Error
    );
    assert_eq!(
        find(&violations, "query: tar_type", Rule::Enum).severity,
        Severity::Error
    );
    assert_eq!(
        find(&violations, "query: extra", Rule::UnknownField).severity,
        Severity::Warning
    );
    assert_eq!(violations.len(), 3, "{violations:#?}");
    let ok = bill.validate(&Request {
        query: &[("bill_date", "2019-06-11"), ("tar_type", "GZIP")],
        ..Request::default()
    });
    assert_eq!(ok, []);

    let balance = op("GET", "/v3/ecommerce/fund/enddaybalance/{sub_mchid}");
    let violations = balance.validate(&Request {
        query: &[("date", "2019-8-17")],
        ..Request::default()
    });
    assert_eq!(
        find(&violations, "path: sub_mchid", Rule::Required).severity,
        Severity::Error
    );
    let v = find(&violations, "query: date", Rule::Format);
    assert_eq!((v.severity, v.found.as_str()), (Severity::Error, "\"2019-8-17\""));
    assert!(
        v.to_string()
            .starts_with("error[format]: query: date: expected a date (2024-07-04)")
    );
}

#[test]
fn a_missing_or_unexpected_body_is_reported() {
    let violations = seed().validate(&Request::default());
    assert_eq!(violations.len(), 1);
    assert_eq!(
        (violations[0].pointer.as_str(), violations[0].rule),
        ("", Rule::Required)
    );
    assert_eq!(violations[0].severity, Severity::Error);
    let query = op("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}");
    let stray = json!({ "a": 1 });
    let violations = query.validate(&Request {
        params: &[("out_trade_no", "T1")],
        query: &[("mchid", "1230000109")],
        body: Some(&stray),
    });
    assert_eq!(violations.len(), 1);
    assert_eq!(
        (violations[0].rule, violations[0].severity),
        (Rule::UnknownField, Severity::Warning)
    );
}

#[test]
fn responses_are_checked_too() {
    let query = op("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}");
    let mut answer = query.example_response(&[], None).unwrap();
    assert_eq!(query.validate_response(&answer), []);
    answer["trade_state"] = json!("NOT_A_STATE");
    answer["amount"]["total"] = json!("100");
    answer["new_field"] = json!(1);
    let violations = query.validate_response(&answer);
    find(&violations, "/trade_state", Rule::Enum);
    find(&violations, "/amount/total", Rule::Type);
    assert_eq!(
        find(&violations, "/new_field", Rule::UnknownField).severity,
        Severity::Warning
    );
    // No response schema: nothing to check.
    assert_eq!(seed().validate_response(&json!({ "anything": 1 })), []);
}

/// Nested arrays deep enough to stop any naive recursion.
fn deep(levels: usize) -> Value {
    let mut v = json!(1);
    for _ in 0..levels {
        v = Value::Array(vec![v]);
    }
    v
}

#[test]
fn no_body_makes_any_operation_panic() {
    let odd = [
        Value::Null,
        json!(true),
        json!(-1),
        json!(1.0e300),
        json!("x"),
        json!([]),
        json!({}),
        json!({ "": "", "/": [null], "~": {} }),
        deep(1_000),
    ];
    for op in Catalog::get().operations() {
        for value in &odd {
            let _ = op.validate(&Request {
                params: &[("", ""), ("\u{0}", "{")],
                query: &[("%", "%%"), ("a", "\u{fffd}")],
                body: Some(value),
            });
            let _ = op.validate_response(value);
        }
        // Every property of the example set to each odd value.
        if let Some(Value::Object(example)) = op.example_request() {
            for key in example.keys() {
                for value in &odd[..8] {
                    let mut b = Value::Object(example.clone());
                    b[key] = value.clone();
                    let violations = body(&op, &b);
                    for v in &violations {
                        assert!(!v.to_string().is_empty());
                    }
                }
            }
        }
    }
}
