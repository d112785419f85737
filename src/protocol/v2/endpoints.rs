//! The APIv2 endpoints that need more than the API host and the APIv2 key: the ones that
//! require the merchant's client certificate on the TLS connection (mutual TLS), and the
//! ones on another host. The operation catalogue says the same (a test checks that they
//! agree); these lists keep a build without the catalogue (feature `catalog` off) right.

/// Endpoints (paths on the API host, without the leading `/`) that need the merchant's
/// client certificate: refunds, reversals, red packets and transfers, profit sharing,
/// deposits, sub-merchant management, and more.
pub const CLIENT_CERTIFICATE: [&str; 57] = [
    "applyment/micro/getstate",
    "applyment/micro/getupgradestate",
    "applyment/micro/modifyarchives",
    "applyment/micro/modifycontactinfo",
    "applyment/micro/signcontract",
    "applyment/micro/submit",
    "applyment/micro/submitupgrade",
    "billcommentsp/batchquerycomment",
    "deposit/consume",
    "deposit/refund",
    "deposit/reverse",
    "fund/queryautowithdrawbydate",
    "fund/reautowithdrawbydate",
    "mchrisk/querymchrisk",
    "mchrisk/syncmchriskresult",
    "mmpaymkttransfers/gethbinfo",
    "mmpaymkttransfers/gettransferinfo",
    "mmpaymkttransfers/promotion/paywwsptrans2pocket",
    "mmpaymkttransfers/promotion/querywwsptrans2pocket",
    "mmpaymkttransfers/promotion/transfers",
    "mmpaymkttransfers/queryworkwxredpack",
    "mmpaymkttransfers/send_coupon",
    "mmpaymkttransfers/sendgroupredpack",
    "mmpaymkttransfers/sendminiprogramhb",
    "mmpaymkttransfers/sendredpack",
    "mmpaymkttransfers/sendworkwxredpack",
    "mmpaysptrans/pay_bank",
    "mmpaysptrans/query_bank",
    "pay/downloadfundflow",
    "risk/getpublickey",
    "risk/getviolation",
    "secapi/mch/addInstitutionsub",
    "secapi/mch/addsubdevconfig",
    "secapi/mch/channelsetting",
    "secapi/mch/modifyInstitutionsub",
    "secapi/mch/modifymchinfo",
    "secapi/mch/queryInstitutionsub",
    "secapi/mch/querysubdevconfig",
    "secapi/mch/submchmanage",
    "secapi/mch/uploadmedia",
    "secapi/mkt/addrecommendconf",
    "secapi/pay/facepayreverse",
    "secapi/pay/multiprofitsharing",
    "secapi/pay/profitsharing",
    "secapi/pay/profitsharingfinish",
    "secapi/pay/profitsharingreturn",
    "secapi/pay/refund",
    "secapi/pay/refundv2",
    "secapi/pay/reverse",
    "wxv/cancelbill",
    "wxv/changerentmoney",
    "wxv/createhotelbill",
    "wxv/createrentbill",
    "wxv/finishhotelbill",
    "wxv/finishrentbill",
    "wxv/queryhotelbill",
    "wxv/queryrentbill",
];

/// Endpoints that live on another host than the API host, and that host's base URL.
pub const OTHER_HOSTS: [(&str, &str); 5] = [
    ("appauth/authindex", "https://payapp.mch.weixin.qq.com/"),
    ("face/get_wxpayface_authinfo", "https://payapp.weixin.qq.com/"),
    ("risk/getpublickey", "https://fraud.mch.weixin.qq.com/"),
    ("secsvc/getrealnameinfo", "https://fraud.mch.weixin.qq.com/"),
    ("secsvc/realnameauth", "https://fraud.mch.weixin.qq.com/"),
];

/// Whether `endpoint` (a path on the API host, with or without the leading `/`) needs the
/// merchant's client certificate.
///
/// ```
/// use wechatpay::protocol::v2::needs_client_certificate;
/// assert!(needs_client_certificate("/secapi/pay/refund"));
/// assert!(!needs_client_certificate("pay/orderquery"));
/// ```
pub fn needs_client_certificate(endpoint: &str) -> bool {
    CLIENT_CERTIFICATE.contains(&endpoint.trim_start_matches('/'))
}

/// The base URL of the other host `endpoint` lives on, if it lives on one.
///
/// ```
/// use wechatpay::protocol::v2::other_host;
/// assert_eq!(other_host("/risk/getpublickey"), Some("https://fraud.mch.weixin.qq.com/"));
/// assert_eq!(other_host("/pay/orderquery"), None);
/// ```
pub fn other_host(endpoint: &str) -> Option<&'static str> {
    let endpoint = endpoint.trim_start_matches('/');
    OTHER_HOSTS
        .iter()
        .find(|(path, _)| *path == endpoint)
        .map(|(_, host)| *host)
}
