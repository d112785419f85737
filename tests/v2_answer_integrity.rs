//! What a verified APIv2 answer or callback may not hide: a field folded into another's
//! value (the string to sign joins `k=v` pairs with `&` unescaped, so `nonce_str=abc` +
//! `result_code=FAIL` signs the same as `nonce_str=abc&result_code=FAIL` alone); a wrong
//! `sign` on an endpoint that usually answers unsigned; the deprecated sandbox's endpoints.

use wechatpay::protocol::v2::{
    AnswerSignature, ApiV2Key, Fields, SignType, SignatureFailure, V2Error, classify_download, is_download_endpoint,
    read_answer, render_fields, sign, string_to_sign, verify_notification,
};

const KEY: &str = "192006250b4c09247ec02edce69f6a2d";

fn key() -> ApiV2Key {
    ApiV2Key::new(KEY).unwrap()
}

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn signed(mut fields: Fields) -> Fields {
    let sign = sign(&fields, &key(), SignType::Md5);
    fields.insert("sign".into(), sign);
    fields
}

/// A declined refund, signed by the platform.
fn declined() -> Fields {
    signed(fields(&[
        ("appid", "wx2421b1c4370ec43b"),
        ("err_code", "NOTENOUGH"),
        ("mch_id", "10000100"),
        ("nonce_str", "abc"),
        ("result_code", "FAIL"),
        ("return_code", "SUCCESS"),
        ("return_msg", "OK"),
    ]))
}

/// `result_code` folded into the value before it: the same string to sign, one field less.
fn folded(mut genuine: Fields) -> String {
    let result_code = genuine.remove("result_code").unwrap();
    let nonce = genuine.get_mut("nonce_str").unwrap();
    nonce.push_str(&format!("&result_code={result_code}"));
    render_fields(&genuine).unwrap()
}

#[test]
fn a_result_code_folded_into_another_value_is_refused_not_read_as_success() {
    let genuine = declined();
    let mut unsigned_view = genuine.clone();
    unsigned_view.remove("sign");
    let body = folded(genuine.clone());
    let signature = AnswerSignature::for_endpoint("v2/secapi/pay/refund", SignType::Md5);
    assert!(matches!(
        read_answer(render_fields(&genuine).unwrap().as_bytes(), &key(), signature),
        Err(V2Error::Business { .. })
    ));
    match read_answer(body.as_bytes(), &key(), signature) {
        Err(V2Error::Signature(SignatureFailure::Ambiguous { field: "result_code" })) => {}
        other => panic!("{other:?}"),
    }
    // The same in a callback.
    match verify_notification(body.as_bytes(), &key()) {
        Err(V2Error::Signature(SignatureFailure::Ambiguous { field: "result_code" })) => {}
        other => panic!("{other:?}"),
    }
    // The fold really signs the same: the refusal is not the signature's.
    let mut forged: Fields = wechatpay::protocol::v2::parse(body.as_bytes()).unwrap().fields;
    forged.remove("sign");
    assert_eq!(string_to_sign(&forged), string_to_sign(&unsigned_view));
}

/// The same fold with an empty `<result_code/>` left in its place: an empty value is outside
/// the string to sign, so it counts as absent.
#[test]
fn a_folded_result_code_left_empty_is_refused_too() {
    let body = folded(declined()).replace("</xml>", "<result_code></result_code></xml>");
    let signature = AnswerSignature::for_endpoint("v2/pay/closeorder", SignType::Md5);
    for result in [
        read_answer(body.as_bytes(), &key(), signature),
        verify_notification(body.as_bytes(), &key()),
    ] {
        match result {
            Err(V2Error::Signature(SignatureFailure::Ambiguous { field: "result_code" })) => {}
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn a_value_that_merely_holds_ampersands_is_still_read() {
    // mweb_url carries `&package=...`: a field the answer does not have, legitimately.
    let answer = signed(fields(&[
        (
            "mweb_url",
            "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx20161215&package=1405458241",
        ),
        ("result_code", "SUCCESS"),
        ("return_code", "SUCCESS"),
    ]));
    let body = render_fields(&answer).unwrap();
    let read = read_answer(body.as_bytes(), &key(), AnswerSignature::Signed(SignType::Md5)).unwrap();
    assert!(read["mweb_url"].as_str().unwrap().contains("&package="));
}

#[test]
fn a_sign_on_an_endpoint_that_answers_unsigned_is_still_checked() {
    let signature = AnswerSignature::for_endpoint("v2/mmpaysptrans/pay_bank", SignType::Md5);
    assert_eq!(signature, AnswerSignature::Unsigned);
    let genuine = signed(fields(&[
        ("amount", "100"),
        ("payment_no", "10000"),
        ("result_code", "SUCCESS"),
        ("return_code", "SUCCESS"),
    ]));
    let body = render_fields(&genuine).unwrap();
    assert!(read_answer(body.as_bytes(), &key(), signature).is_ok());
    let forged = body.replace("<amount>100</amount>", "<amount>100000</amount>");
    assert_ne!(forged, body);
    assert!(matches!(
        read_answer(forged.as_bytes(), &key(), signature),
        Err(V2Error::Signature(SignatureFailure::Mismatch))
    ));
    // Without a sign, or with an empty one (outside any signature), as designed: read.
    let mut plain = genuine.clone();
    plain.remove("sign");
    assert!(read_answer(render_fields(&plain).unwrap().as_bytes(), &key(), signature).is_ok());
    plain.insert("sign".into(), String::new());
    assert!(read_answer(render_fields(&plain).unwrap().as_bytes(), &key(), signature).is_ok());
}

#[test]
fn the_deprecated_sandbox_sign_key_and_bill_calls_are_read_as_they_answer() {
    // getsignkey answers unsigned (its documented fields have no sign).
    let signature = AnswerSignature::for_endpoint("v2/sandboxnew/pay/getsignkey", SignType::Md5);
    assert_eq!(signature, AnswerSignature::Unsigned);
    let body = "<xml><return_code>SUCCESS</return_code><mch_id>10000100</mch_id>\
                <sandbox_signkey>013467007045764</sandbox_signkey></xml>";
    assert_eq!(
        read_answer(body.as_bytes(), &key(), signature).unwrap()["sandbox_signkey"],
        "013467007045764"
    );
    // Its downloadbill answers a bill, as the real one does.
    assert!(is_download_endpoint("v2/sandboxnew/pay/downloadbill"));
    assert_eq!(
        classify_download(b"\xef\xbb\xbf\xe4\xba\xa4\xe6\x98\x93\xe6\x97\xb6\xe9\x97\xb4"),
        wechatpay::protocol::v2::DownloadKind::Csv
    );
}
