//! # wechatpay
//!
//! A chain-style client for the WeChat Pay merchant API (APIv3 and APIv2): call any of the platform's
//! endpoints, including ones published tomorrow, with raw `serde_json::Value` bodies, while
//! the client takes care of what makes it safe to put money through: exact request signing,
//! verification of every answer, typed errors carrying the platform's code and Request-ID.
//!
//! With your merchant's keys:
//!
//! ```no_run
//! # async fn run() -> wechatpay::Result<()> {
//! let client = wechatpay::Client::builder()
//!     .mchid("1900000001")
//!     .merchant_serial("3775B6A45ACD588826D15E583A95F5DD00000000")
//!     .private_key_file("apiclient_key.pem")?
//!     .platform_public_key_file("PUB_KEY_ID_0114232134912410000000000000", "pub_key.pem")?
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! Or, before you have any, against the embedded sandbox (feature `mock`), which answers
//! every catalogued operation as the platform documents it:
//!
//! ```
//! use serde_json::json;
//! # #[cfg(feature = "mock")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> wechatpay::Result<()> {
//! let sandbox = wechatpay::mock::MockServer::start();
//! # #[cfg(not(feature = "catalog"))] // Without the catalogue, the sandbox answers routes only.
//! # sandbox.route(wechatpay::Method::POST, "/v3/parking/reminders/ext-payment", 204, serde_json::Value::Null);
//! let client = sandbox.client();
//!
//! let res = client
//!     .chain("v3/parking/reminders/ext-payment")
//!     .post(json!({
//!         "out_trade_no": "TRADE202407041530001",
//!         "fee_items": [{ "fee_type": "EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY", "amount": 5000 }],
//!         "pay_time": 1719128975,
//!         "wx_parking_lot_id": "21232735744117624001123604298240",
//!         "wx_trade_no": "4200001999202407041234567890"
//!     }))
//!     .await?;
//! assert_eq!(res.status(), 204);
//! assert!(res.verified_by().is_some()); // the answer's signature was checked
//! # Ok(()) }
//! # #[cfg(not(feature = "mock"))]
//! # fn main() {}
//! ```
//!
//! ## Layers
//! Each layer only uses the ones below it (`scripts/layers.py` checks it):
//! [`text`] (escaping what the network sent) → [`catalog`] (the operations, feature
//! `catalog`) → [`error`], [`clock`] → [`crypto`] (keys, RSA, AES, the legacy APIv2
//! primitives) → [`protocol`] (what both ends of the wire share: header names, paths,
//! envelopes, multipart, APIv2's XML and signs) → [`auth`] (the signature, answer
//! verification, trusted keys) → the sandbox ([`mock`], feature `mock`) → responses →
//! `wire` (one signed exchange) → `trust` (the key store and certificate downloads) →
//! `send` (attempts, retries, deadlines) → [`sensitive`], [`notify`], [`download`],
//! [`pay_params`] → the request builder and the [`Client`] → [`blocking`].

#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub, missing_debug_implementations)]

pub mod auth;
pub mod blocking;
#[cfg(feature = "catalog")]
pub mod catalog;
mod client;
pub mod clock;
pub mod crypto;
pub mod download;
pub mod env;
pub mod error;
#[cfg(feature = "mock")]
pub mod mock;
pub mod notify;
pub mod pay_params;
pub mod protocol;
mod request;
mod response;
mod send;
pub mod sensitive;
pub mod text;
mod trust;
mod wire;

pub use client::{
    Async, Client, ClientBuilder, DEFAULT_BACKUP_BASE_URL, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, USER_AGENT,
};
pub use crypto::Certificate;
pub use download::Download;
pub use error::{Error, Result};
pub use http::Method;
pub use notify::{Notification, Notifications};
pub use pay_params::{AppPayParams, JsapiPayParams};
pub use protocol::downloads::Digest;
pub use protocol::path;
#[cfg(feature = "catalog")]
pub use request::ValidationMode;
pub use request::{Chain, RequestBuilder};
pub use response::Response;
pub use send::retry;
pub use send::retry::RetryPolicy;
pub use sensitive::Encrypted;
pub use wire::SignedRequest;

/// Platform certificates: what a download returns, and the defaults of automatic mode.
pub mod certificates {
    pub use crate::trust::{
        CertificateDownload, DEFAULT_MIN_ON_DEMAND_INTERVAL, DEFAULT_REFRESH_INTERVAL, DownloadedCertificate,
        ON_DEMAND_BURST,
    };
}
