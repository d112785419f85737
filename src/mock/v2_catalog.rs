//! The sandbox's answers to catalogued APIv2 operations that no route answers (feature
//! `catalog`): which paths are APIv2 ones, the required fields, and a successful answer
//! built from the operation's example response, echoing the request's fields.

use http::{Method, StatusCode};
use serde_json::Value;

use super::v2::{Endpoint, V2Reply, refusal, text_of};
use super::{Fault, MCHID};
use crate::catalog::{Catalog, Operation, Protocol, v2_alternatives};
use crate::protocol::v2::{
    Fields, MERCHANT_FIELDS, NONCE_STR, SIGN, fields_to_json, is_download_endpoint, is_field_name,
};

/// The catalogued v2 operations whose wire path is `path`.
fn operations(path: &str) -> impl Iterator<Item = Operation<'static>> {
    Catalog::get()
        .lookup_path(path)
        .into_iter()
        .filter(move |op| op.protocol() == Protocol::V2 && op.wire_path() == path)
}

/// The endpoint at `path` when a catalogued v2 operation has it as its wire path.
///
/// A v2 path has no variables, so the wire path is compared as it is.
pub(crate) fn endpoint(method: &Method, path: &str) -> Option<Endpoint> {
    let mut found = operations(path).peekable();
    let first = *found.peek()?;
    let same_method = found.find(|op| op.method().eq_ignore_ascii_case(method.as_str()));
    Some(Endpoint {
        cert_required: crate::protocol::v2::needs_client_certificate(path),
        wrong_method: same_method.is_none().then(|| first.method()),
    })
}

/// The catalogue's answer to a checked request: a refusal naming a missing required field,
/// a bill for the two download endpoints, or the operation's example response.
pub(crate) fn answer(method: &Method, path: &str, fields: &Fields, fault: Option<&Fault>) -> Option<V2Reply> {
    let op = operations(path).find(|op| op.method().eq_ignore_ascii_case(method.as_str()))?;
    if let Some(missing) = missing_required(&op, fields) {
        return Some(refusal(format!("缺少参数：{missing}")));
    }
    if is_download_endpoint(path) {
        return Some(super::v2_bill::answer(path, fields, fault));
    }
    Some(success(&op, fields))
}

/// The first required field (of the body, or of the query of a GET) that the request lacks
/// or leaves empty, or the group of alternatives none of which it has (`a 或 b`).
fn missing_required(op: &Operation<'_>, fields: &Fields) -> Option<String> {
    let mut required: Vec<&str> = op.request_schema().map(|s| s.required().collect()).unwrap_or_default();
    required.extend(op.query_parameters().filter(|p| p.required()).map(|p| p.name()));
    let present = |name: &str| fields.get(name).is_some_and(|value| !value.is_empty());
    required.iter().find_map(|&name| {
        if present(name) {
            return None;
        }
        match v2_alternatives(name, &required) {
            Some(group) if group.iter().any(|member| present(member)) => None,
            Some(group) => Some(group.join(" 或 ")),
            None => Some(name.to_owned()),
        }
    })
}

/// The documented success: `return_code`, `return_msg` and `result_code` for success, and
/// the example response's fields, echoing the request's (`appid`, `out_trade_no`, ...), the
/// merchant fields naming [`MCHID`]. `nonce_str` and `sign` are added when it is signed.
fn success(op: &Operation<'_>, fields: &Fields) -> V2Reply {
    let mut echoed = fields.clone();
    echoed.remove(SIGN);
    echoed.remove(NONCE_STR);
    let example = op.example_response(&[], Some(&fields_to_json(echoed)));
    let mut answer = Fields::new();
    if let Some(Value::Object(object)) = example {
        for (name, value) in object {
            // `coupon_fee_$n` is the documentation's way of writing `coupon_fee_0`, ...
            let name = name.replace("$n", "0");
            if let (true, Some(text)) = (is_field_name(&name), text_of(&value)) {
                answer.insert(name, text);
            }
        }
    }
    for field in MERCHANT_FIELDS {
        if let Some(value) = answer.get_mut(field) {
            MCHID.clone_into(value);
        }
    }
    for field in [SIGN, NONCE_STR, "err_code", "err_code_des"] {
        answer.remove(field);
    }
    for (name, value) in [
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
        ("result_code", "SUCCESS"),
    ] {
        answer.insert(name.to_owned(), value.to_owned());
    }
    V2Reply::Fields {
        status: StatusCode::OK,
        fields: answer,
        signed: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn op(path: &str) -> Operation<'static> {
        operations(path).next().unwrap()
    }

    #[test]
    fn v2_paths_are_found_by_their_wire_path_only() {
        let refund = endpoint(&Method::POST, "/secapi/pay/refund").unwrap();
        assert!(refund.cert_required && refund.wrong_method.is_none());
        let micropay = endpoint(&Method::POST, "/pay/micropay").unwrap();
        assert!(!micropay.cert_required);
        assert_eq!(
            endpoint(&Method::GET, "/pay/micropay").unwrap().wrong_method,
            Some("POST")
        );
        assert!(
            endpoint(&Method::GET, "/papay/entrustweb")
                .unwrap()
                .wrong_method
                .is_none()
        );
        assert!(endpoint(&Method::POST, "/v2/pay/micropay").is_none());
        assert!(endpoint(&Method::POST, "/v3/pay/transactions/native").is_none());
        assert!(endpoint(&Method::POST, "/pay/nosuch").is_none());
    }

    #[test]
    fn a_missing_required_field_is_named() {
        let micropay = op("/pay/micropay");
        let mut given = fields(&[
            ("appid", "wx1"),
            ("mch_id", MCHID),
            ("nonce_str", "n"),
            ("sign", "S"),
            ("body", "b"),
            ("out_trade_no", "T1"),
            ("total_fee", "1"),
            ("spbill_create_ip", "127.0.0.1"),
            ("auth_code", "134"),
        ]);
        assert_eq!(missing_required(&micropay, &given), None);
        given.insert("auth_code".into(), String::new());
        assert_eq!(missing_required(&micropay, &given).as_deref(), Some("auth_code"));
        given.remove("body");
        assert_eq!(missing_required(&micropay, &given).as_deref(), Some("body"));
    }

    #[test]
    fn alternatives_need_only_one_member() {
        let query = op("/pay/orderquery");
        let base = fields(&[("appid", "wx1"), ("mch_id", MCHID), ("nonce_str", "n"), ("sign", "S")]);
        let mut given = base.clone();
        assert_eq!(
            missing_required(&query, &given).as_deref(),
            Some("transaction_id 或 out_trade_no")
        );
        given.insert("out_trade_no".into(), "T1".into());
        assert_eq!(missing_required(&query, &given), None);

        let refundquery = op("/pay/refundquery");
        let mut given = base.clone();
        given.insert("refund_id".into(), "R1".into());
        assert_eq!(missing_required(&refundquery, &given), None);

        // A refund needs its own out_refund_no whatever order id it has.
        let refund = op("/secapi/pay/refund");
        let mut given = base;
        for (k, v) in [("transaction_id", "4200"), ("total_fee", "1"), ("refund_fee", "1")] {
            given.insert(k.into(), v.into());
        }
        assert_eq!(missing_required(&refund, &given).as_deref(), Some("out_refund_no"));
    }

    #[test]
    fn a_get_operation_checks_its_required_query_parameters() {
        let token = op("/appauth/getaccesstoken");
        let missing = missing_required(&token, &fields(&[("mch_id", MCHID)]));
        assert!(missing.is_some());
    }

    #[test]
    fn the_success_echoes_the_request_and_names_the_sandbox_merchant() {
        let given = fields(&[
            ("appid", "wx2421b1c4370ec43b"),
            ("mch_id", MCHID),
            ("out_trade_no", "T-echo"),
            ("nonce_str", "request-nonce"),
            ("sign", "S"),
        ]);
        let V2Reply::Fields { fields, signed, status } = success(&op("/secapi/pay/refund"), &given) else {
            panic!("the catalogue answers fields");
        };
        assert!(signed);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(fields["out_trade_no"], "T-echo");
        assert_eq!(fields["appid"], "wx2421b1c4370ec43b");
        assert_eq!(fields["mch_id"], MCHID);
        assert_eq!(fields["result_code"], "SUCCESS");
        assert!(!fields.contains_key("sign") && !fields.contains_key("nonce_str"));
        assert!(!fields.contains_key("err_code"));
        assert!(fields.keys().all(|name| is_field_name(name)), "{fields:?}");
    }

    #[test]
    fn every_catalogued_v2_operation_answers_a_document_that_renders() {
        let mut count = 0;
        for op in Catalog::get().operations().filter(|op| op.protocol() == Protocol::V2) {
            count += 1;
            let request = op
                .example_request()
                .unwrap_or_else(|| Value::Object(Default::default()));
            let given: Fields = request
                .as_object()
                .map(|object| {
                    object
                        .iter()
                        .filter_map(|(k, v)| text_of(v).map(|t| (k.clone(), t)))
                        .collect()
                })
                .unwrap_or_default();
            let V2Reply::Fields { fields, .. } = success(&op, &given) else {
                panic!("{op:?}: fields");
            };
            crate::protocol::v2::render_fields(&fields).unwrap_or_else(|e| panic!("{op:?}: {e}"));
            assert_eq!(fields["return_code"], "SUCCESS", "{op:?}");
            assert!(endpoint(&Method::from_bytes(op.method().as_bytes()).unwrap(), op.wire_path()).is_some());
        }
        assert_eq!(count, 136);
    }
}
