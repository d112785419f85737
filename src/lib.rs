//! # wechatpay
//!
//! A chain-style client for the WeChat Pay merchant API (APIv3): call any of the platform's
//! endpoints, including ones published tomorrow, with raw `serde_json::Value` bodies, while
//! the client takes care of what makes it safe to put money through: exact request signing,
//! verification of every answer, typed errors carrying the platform's code and Request-ID.
//!
//! ```no_run
//! use serde_json::json;
//! # async fn run() -> wechatpay::Result<()> {
//! let client = wechatpay::Client::builder()
//!     .mchid("1900000001")
//!     .merchant_serial("3775B6A45ACD588826D15E583A95F5DD00000000")
//!     .private_key_file("apiclient_key.pem")?
//!     .platform_public_key("PUB_KEY_ID_0114232134912410000000000000", &std::fs::read_to_string("pub_key.pem").unwrap())?
//!     .build()?;
//!
//! let res = client
//!     .chain("v3/parking/reminders/ext-payment")
//!     .post(json!({ "out_trade_no": "TRADE202407041530001" }))
//!     .await?;
//! assert_eq!(res.status(), 204);
//! # Ok(()) }
//! ```
//!
//! Layers, bottom to top: [`crypto`] (keys and RSA), [`auth`] (the signing message, the
//! `Authorization` header, answer verification, trusted platform keys), [`path`] (segment
//! normalisation and template expansion), then the [`Client`], [`Chain`], [`RequestBuilder`]
//! and [`Response`]; [`blocking`] wraps the async client; [`mock`] is an in-process server.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
pub mod blocking;
pub mod certificates;
mod chain;
mod client;
pub mod clock;
pub mod crypto;
pub mod download;
mod error;
pub mod media;
#[cfg(feature = "mock")]
pub mod mock;
pub mod notify;
pub mod path;
pub mod protocol;
mod request;
mod response;
pub mod retry;
pub mod sensitive;
mod transport;

pub use chain::Chain;
pub use client::{
    Async, Client, ClientBuilder, DEFAULT_BACKUP_BASE_URL, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, USER_AGENT,
};
pub use crypto::Certificate;
pub use download::{Digest, Download};
pub use error::{Error, Result};
pub use notify::{Notification, Notifications};
pub use request::{RequestBuilder, SignedRequest, UNSIGNED_DOWNLOADS};
pub use response::Response;
pub use retry::RetryPolicy;
pub use sensitive::Encrypted;
