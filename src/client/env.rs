//! The environment variables a client (and the `wechatpay` tool) is configured from, with
//! one rule: a variable that is unset or empty is not set.

/// The merchant id.
pub const MCHID: &str = "WECHATPAY_MCHID";
/// The merchant API certificate serial.
pub const MERCHANT_SERIAL: &str = "WECHATPAY_MERCHANT_SERIAL";
/// The path of the merchant private key's PEM file.
pub const PRIVATE_KEY: &str = "WECHATPAY_PRIVATE_KEY";
/// The platform public key's id, `PUB_KEY_ID_...`.
pub const PUBLIC_KEY_ID: &str = "WECHATPAY_PUBLIC_KEY_ID";
/// The path of the platform public key's PEM file.
pub const PUBLIC_KEY: &str = "WECHATPAY_PUBLIC_KEY";
/// A folder of platform certificate PEM files.
pub const CERTIFICATES: &str = "WECHATPAY_CERTIFICATES";
/// The APIv3 key itself (32 characters).
pub const APIV3_KEY: &str = "WECHATPAY_APIV3_KEY";
/// The API base URL.
pub const BASE_URL: &str = "WECHATPAY_BASE_URL";

/// Every variable, in the order the documentation lists them.
pub const ALL: &[&str] = &[
    MCHID,
    MERCHANT_SERIAL,
    PRIVATE_KEY,
    PUBLIC_KEY_ID,
    PUBLIC_KEY,
    CERTIFICATES,
    APIV3_KEY,
    BASE_URL,
];

/// The variable's value; `None` when it is unset, empty, or not Unicode.
///
/// ```
/// // Unset and empty read the same.
/// assert_eq!(wechatpay::env::var("WECHATPAY_SURELY_UNSET_FOR_THIS_EXAMPLE"), None);
/// ```
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}
