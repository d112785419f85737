//! The environment variables a client (and the `wechatpay` tool) is configured from, with
//! one rule: a variable that is unset or empty is not set. Read by
//! [`ClientBuilder::from_env`](crate::ClientBuilder::from_env), written by the sandbox's
//! `env.sh` (feature `mock`).

/// The merchant id.
pub const MCHID: &str = "WECHATPAY_MCHID";
/// The merchant API certificate serial.
pub const MERCHANT_SERIAL: &str = "WECHATPAY_MERCHANT_SERIAL";
/// The path of the merchant private key's PEM file.
pub const PRIVATE_KEY: &str = "WECHATPAY_PRIVATE_KEY";
/// The path of the merchant API certificate's PEM file (`apiclient_cert.pem`): it gives the
/// merchant serial, and with the private key it is the client certificate of mutual TLS.
pub const MERCHANT_CERTIFICATE: &str = "WECHATPAY_MERCHANT_CERTIFICATE";
/// The platform public key's id, `PUB_KEY_ID_...`.
pub const PUBLIC_KEY_ID: &str = "WECHATPAY_PUBLIC_KEY_ID";
/// The path of the platform public key's PEM file.
pub const PUBLIC_KEY: &str = "WECHATPAY_PUBLIC_KEY";
/// A folder of platform certificate PEM files.
pub const CERTIFICATES: &str = "WECHATPAY_CERTIFICATES";
/// The APIv3 key itself (32 characters).
pub const APIV3_KEY: &str = "WECHATPAY_APIV3_KEY";
/// The APIv2 key itself (32 characters), for the `v2/...` requests and v2 callbacks.
pub const APIV2_KEY: &str = "WECHATPAY_APIV2_KEY";
/// The path of a CA certificate's PEM file, trusted for the API host's TLS certificate
/// besides the system's roots (a sandbox's test CA, an inspecting proxy of your own).
pub const CA_CERTIFICATE: &str = "WECHATPAY_CA_CERTIFICATE";
/// The API base URL.
pub const BASE_URL: &str = "WECHATPAY_BASE_URL";

/// Every variable, in the order the documentation lists them.
pub const ALL: &[&str] = &[
    MCHID,
    MERCHANT_SERIAL,
    PRIVATE_KEY,
    MERCHANT_CERTIFICATE,
    PUBLIC_KEY_ID,
    PUBLIC_KEY,
    CERTIFICATES,
    APIV3_KEY,
    APIV2_KEY,
    CA_CERTIFICATE,
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
