//! The one list of APIv2 endpoints whose answers carry no `sign`.
//!
//! Their `return_code` and `result_code` are still read; only the signature check is
//! skipped. Every other endpoint's answer must be signed, and an answer without `sign` is a
//! verification failure.

/// Endpoints (paths on the API host, without the leading `/`) that answer unsigned: red
/// packets and transfers, payments to bank cards, bill downloads, reporting, the risk and
/// contract-signing pages, sub-merchant management, the sign-key (the deprecated sandbox's
/// too) and access-token calls. An answer from one of them that does carry a `sign` (the
/// bank-card payment documents one) still has it checked.
///
/// The bank-card payment operations live under `mmpaysptrans/`, not under
/// `mmpaymkttransfers/` like the other transfers.
pub const UNSIGNED_ANSWERS: [&str; 27] = [
    "appauth/getaccesstoken",
    "mchrisk/querymchrisk",
    "mchrisk/setmchriskcallback",
    "mchrisk/syncmchriskresult",
    "mmpaymkttransfers/gethbinfo",
    "mmpaymkttransfers/gettransferinfo",
    "mmpaymkttransfers/promotion/paywwsptrans2pocket",
    "mmpaymkttransfers/promotion/querywwsptrans2pocket",
    "mmpaymkttransfers/promotion/transfers",
    "mmpaymkttransfers/sendgroupredpack",
    "mmpaymkttransfers/sendminiprogramhb",
    "mmpaymkttransfers/sendredpack",
    "mmpaysptrans/pay_bank",
    "mmpaysptrans/query_bank",
    "papay/entrustweb",
    "papay/h5entrustweb",
    "papay/partner/entrustweb",
    "papay/partner/h5entrustweb",
    "pay/downloadbill",
    "pay/downloadfundflow",
    "payitil/report",
    "risk/getpublickey",
    "risk/getviolation",
    "sandboxnew/pay/downloadbill",
    "sandboxnew/pay/getsignkey",
    "secapi/mch/submchmanage",
    "xdc/apiv2getsignkey/sign/getsignkey",
];

/// The endpoint named by an APIv2 path as written by a caller: without leading slashes,
/// without a first segment `v2` (in any case, as in the chain style), without a query
/// string or fragment.
///
/// ```
/// use wechatpay::protocol::v2::endpoint;
/// assert_eq!(endpoint("v2/pay/micropay"), "pay/micropay");
/// assert_eq!(endpoint("/V2/pay/downloadbill?x=1"), "pay/downloadbill");
/// assert_eq!(endpoint("/pay/orderquery"), "pay/orderquery");
/// ```
pub fn endpoint(path: &str) -> &str {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_start_matches('/');
    match path.split_once('/') {
        Some((first, rest)) if first.eq_ignore_ascii_case("v2") => rest.trim_start_matches('/'),
        _ => path,
    }
}

/// Whether the answer of the endpoint at `path` comes unsigned (see [`endpoint`] for the
/// forms of `path` accepted). The comparison is exact otherwise: a path in another case is
/// treated as signed, so a mistake can only make a check stricter.
///
/// ```
/// use wechatpay::protocol::v2::answers_unsigned;
/// assert!(answers_unsigned("v2/mmpaymkttransfers/sendredpack"));
/// assert!(answers_unsigned("/mmpaysptrans/pay_bank"));
/// assert!(!answers_unsigned("v2/pay/unifiedorder"));
/// ```
pub fn answers_unsigned(path: &str) -> bool {
    UNSIGNED_ANSWERS.contains(&endpoint(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_pinned() {
        let mut sorted = UNSIGNED_ANSWERS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, UNSIGNED_ANSWERS, "kept sorted, no duplicates");
        for path in [
            "mmpaymkttransfers/sendredpack",
            "mmpaymkttransfers/sendgroupredpack",
            "mmpaymkttransfers/sendminiprogramhb",
            "mmpaymkttransfers/gethbinfo",
            "mmpaymkttransfers/gettransferinfo",
            "mmpaymkttransfers/promotion/transfers",
            "mmpaymkttransfers/promotion/paywwsptrans2pocket",
            "mmpaymkttransfers/promotion/querywwsptrans2pocket",
            "mmpaysptrans/pay_bank",
            "mmpaysptrans/query_bank",
            "pay/downloadbill",
            "pay/downloadfundflow",
            "payitil/report",
            "risk/getpublickey",
            "risk/getviolation",
            "sandboxnew/pay/downloadbill",
            "sandboxnew/pay/getsignkey",
            "mchrisk/querymchrisk",
            "mchrisk/setmchriskcallback",
            "mchrisk/syncmchriskresult",
            "papay/entrustweb",
            "papay/h5entrustweb",
            "papay/partner/entrustweb",
            "papay/partner/h5entrustweb",
            "secapi/mch/submchmanage",
            "xdc/apiv2getsignkey/sign/getsignkey",
            "appauth/getaccesstoken",
        ] {
            assert!(answers_unsigned(path), "{path}");
            assert!(answers_unsigned(&format!("v2/{path}")), "{path}");
        }
    }

    #[test]
    fn bank_payments_are_under_mmpaysptrans_only() {
        assert!(answers_unsigned("v2/mmpaysptrans/pay_bank"));
        assert!(answers_unsigned("v2/mmpaysptrans/query_bank"));
        assert!(!answers_unsigned("v2/mmpaymkttransfers/pay_bank"));
        assert!(!answers_unsigned("v2/mmpaymkttransfers/query_bank"));
        assert!(
            !UNSIGNED_ANSWERS
                .iter()
                .any(|p| p.starts_with("mmpaymkttransfers/") && p.ends_with("_bank"))
        );
    }

    #[test]
    fn signed_endpoints_and_near_misses_are_not_unsigned() {
        for path in [
            "pay/unifiedorder",
            "pay/micropay",
            "secapi/pay/refund",
            "pay/refundquery",
            "mmpaymkttransfers/sendredpack/x",
            "mmpaymkttransfers/sendredpac",
            "MMPAYMKTTRANSFERS/SENDREDPACK",
            "v3/pay/downloadbill",
            "v2/v2/pay/downloadbill",
            "",
            "v2",
            "v2/",
        ] {
            assert!(!answers_unsigned(path), "{path:?}");
        }
    }

    #[test]
    fn the_v2_prefix_slashes_and_queries_are_ignored() {
        assert_eq!(endpoint("v2//pay/downloadbill"), "pay/downloadbill");
        assert_eq!(endpoint("//pay/downloadbill#x"), "pay/downloadbill");
        assert_eq!(endpoint("v2x/pay"), "v2x/pay");
        assert_eq!(endpoint("?x"), "");
        assert!(answers_unsigned("V2/risk/getpublickey?sign_type=MD5"));
    }
}
