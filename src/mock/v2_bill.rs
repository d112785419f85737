//! The bills the sandbox answers to `pay/downloadbill` and `pay/downloadfundflow`: a small
//! CSV in the platform's layout (a header line, one record with its values behind a
//! backquote, then the totals), gzip-compressed when `tar_type=GZIP`; an unsigned `<xml>`
//! refusal on error, as the platform does.

use std::io::Write as _;

use http::StatusCode;

use super::v2::{V2Reply, refusal, refusal_with};
use super::{Fault, MCHID, MockReply};
use crate::protocol::v2::{Fields, endpoint};

const TRADE_HEADER: [&str; 27] = [
    "交易时间",
    "公众账号ID",
    "商户号",
    "特约商户号",
    "设备号",
    "微信订单号",
    "商户订单号",
    "用户标识",
    "交易类型",
    "交易状态",
    "付款银行",
    "货币种类",
    "应结订单金额",
    "代金券金额",
    "微信退款单号",
    "商户退款单号",
    "退款金额",
    "充值券退款金额",
    "退款类型",
    "退款状态",
    "商品名称",
    "商户数据包",
    "手续费",
    "费率",
    "订单金额",
    "申请退款金额",
    "费率备注",
];
const TRADE_TOTALS: [&str; 7] = [
    "总交易单数",
    "应结订单总金额",
    "退款总金额",
    "充值券退款总金额",
    "手续费总金额",
    "订单总金额",
    "申请退款总金额",
];
const FUND_HEADER: [&str; 11] = [
    "记账时间",
    "微信支付业务单号",
    "资金流水单号",
    "业务名称",
    "业务类型",
    "收支类型",
    "收支金额（元）",
    "账户结余（元）",
    "资金变更提交申请人",
    "备注",
    "业务凭证号",
];
const FUND_TOTALS: [&str; 5] = ["资金流水总笔数", "收入笔数", "收入金额", "支出笔数", "支出金额"];

/// The answer to a checked download request (its required fields are there).
pub(crate) fn answer(path: &str, fields: &Fields, fault: Option<&Fault>) -> V2Reply {
    if matches!(fault, Some(Fault::V2Fail | Fault::V2ReturnFail)) {
        return no_bill();
    }
    let Some(day) = fields.get("bill_date").and_then(|date| day_of(date)) else {
        return refusal("invalid bill_date");
    };
    let csv = if endpoint(path) == "pay/downloadfundflow" {
        fund_flow(&day)
    } else {
        trade_bill(&day, fields)
    };
    match fields.get("tar_type").map(String::as_str) {
        None | Some("") => V2Reply::Raw(Box::new(
            MockReply::raw(200, csv).with_header("Content-Type", "text/plain; charset=utf-8"),
        )),
        Some("GZIP") => V2Reply::Raw(Box::new(
            MockReply::raw(200, gzip(csv.as_bytes())).with_header("Content-Type", "application/octet-stream"),
        )),
        Some(_) => refusal("invalid tar_type"),
    }
}

/// The platform's answer for a day without a bill.
fn no_bill() -> V2Reply {
    refusal_with(StatusCode::OK, "No Bill Exist", &[("error_code", "20002")])
}

/// `20240704` as `2024-07-04`, when it is eight digits.
fn day_of(date: &str) -> Option<String> {
    (date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..]))
}

/// The request's `appid` when it is letters and digits (it goes into the CSV as it is).
fn appid(fields: &Fields) -> &str {
    fields
        .get("appid")
        .map(String::as_str)
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .unwrap_or("wx8888888888888888")
}

/// One CSV line: the values as the platform writes them, each behind a backquote.
fn record(values: &[&str]) -> String {
    values.iter().map(|v| format!("`{v}")).collect::<Vec<_>>().join(",")
}

fn trade_bill(day: &str, fields: &Fields) -> String {
    let time = format!("{day} 15:30:00");
    let row = [
        time.as_str(),
        appid(fields),
        MCHID,
        "0",
        "",
        "4200001999202407041234567890",
        "sandbox-trade-0001",
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        "NATIVE",
        "SUCCESS",
        "OTHERS",
        "CNY",
        "1.00",
        "0.00",
        "0",
        "0",
        "0.00",
        "0.00",
        "",
        "",
        "sandbox",
        "",
        "0.00600",
        "0.60%",
        "1.00",
        "0.00",
        "",
    ];
    let totals = ["1", "1.00", "0.00", "0.00", "0.00600", "1.00", "0.00"];
    format!(
        "{}\r\n{}\r\n{}\r\n{}\r\n",
        TRADE_HEADER.join(","),
        record(&row),
        TRADE_TOTALS.join(","),
        record(&totals)
    )
}

fn fund_flow(day: &str) -> String {
    let time = format!("{day} 15:30:00");
    let row = [
        time.as_str(),
        "4200001999202407041234567890",
        "4200001999202407041234567890",
        "交易",
        "交易",
        "收入",
        "1.00",
        "1.00",
        "system",
        "缺省",
        "sandbox-trade-0001",
    ];
    let totals = ["1", "1", "1.00", "0", "0.00"];
    format!(
        "{}\r\n{}\r\n{}\r\n{}\r\n",
        FUND_HEADER.join(","),
        record(&row),
        FUND_TOTALS.join(","),
        record(&totals)
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn body(reply: V2Reply) -> Vec<u8> {
        match reply {
            V2Reply::Raw(reply) => reply.body.to_vec(),
            V2Reply::Fields { fields, .. } => panic!("a bill, not {fields:?}"),
        }
    }

    #[test]
    fn every_record_has_as_many_values_as_its_header() {
        for csv in [trade_bill("2024-07-04", &Fields::new()), fund_flow("2024-07-04")] {
            let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
            assert_eq!(lines.len(), 4, "{csv}");
            assert_eq!(lines[0].split(',').count(), lines[1].split(',').count(), "{csv}");
            assert_eq!(lines[2].split(',').count(), lines[3].split(',').count(), "{csv}");
            assert!(lines[1].starts_with("`2024-07-04 15:30:00,"), "{csv}");
        }
    }

    #[test]
    fn the_bill_names_the_day_and_the_merchant_and_compresses_on_request() {
        let csv = body(answer(
            "/pay/downloadbill",
            &fields(&[("bill_date", "20240704"), ("appid", "wxabc")]),
            None,
        ));
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with("交易时间,公众账号ID,商户号"), "{csv}");
        assert!(csv.contains("`2024-07-04 15:30:00,`wxabc,`1900000001,"), "{csv}");

        let gz = body(answer(
            "/pay/downloadfundflow",
            &fields(&[("bill_date", "20240704"), ("tar_type", "GZIP")]),
            None,
        ));
        assert_eq!(&gz[..2], b"\x1f\x8b");
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut text).unwrap();
        assert_eq!(text, fund_flow("2024-07-04"));
    }

    #[test]
    fn errors_are_unsigned_xml_refusals() {
        for (given, fault, message) in [
            (fields(&[("bill_date", "2024-07-04")]), None, "invalid bill_date"),
            (
                fields(&[("bill_date", "20240704"), ("tar_type", "ZIP")]),
                None,
                "invalid tar_type",
            ),
            (
                fields(&[("bill_date", "20240704")]),
                Some(&Fault::V2Fail),
                "No Bill Exist",
            ),
        ] {
            match answer("/pay/downloadbill", &given, fault) {
                V2Reply::Fields { fields, signed, .. } => {
                    assert!(!signed);
                    assert_eq!(
                        (fields["return_code"].as_str(), fields["return_msg"].as_str()),
                        ("FAIL", message)
                    );
                }
                V2Reply::Raw(_) => panic!("{message}: an XML refusal"),
            }
        }
    }
}
