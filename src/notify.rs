//! Callbacks (notifications): verify the signature over the raw body, then decrypt the
//! resource with the APIv3 key.
//!
//! Framework-neutral: give it the request headers and the raw body bytes, exactly as
//! received. Never parse and re-serialise the body first: the signature covers the bytes.

use std::fmt;

use http::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::crypto::ApiV3Key;
use crate::error::{BodyError, ConfigError, Error, Result};
pub use crate::protocol::envelope::AEAD_AES_256_GCM;
use crate::protocol::envelope::EncryptedResource;
use crate::protocol::v2::ApiV2Key;
use crate::trust::{Asker, KeyStore};

/// Parses callbacks with one client's platform keys and APIv3 key; see
/// [`Client::notifications`](crate::Client::notifications).
#[derive(Debug, Clone, Copy)]
pub struct Notifications<'a> {
    keys: &'a KeyStore,
    apiv3_key: Option<&'a ApiV3Key>,
    apiv2_key: Option<&'a ApiV2Key>,
}

pub use crate::protocol::v2::RefundNotification;
/// The answer to a v2 callback that was handled: `<xml>` with `return_code` `SUCCESS`.
pub use crate::protocol::v2::SUCCESS_REPLY as V2_SUCCESS_REPLY;
/// The answer to a v2 callback that could not be handled (the platform sends it again).
pub use crate::protocol::v2::failure_reply as v2_failure_reply;

impl<'a> Notifications<'a> {
    pub(crate) fn new(keys: &'a KeyStore, apiv3_key: Option<&'a ApiV3Key>, apiv2_key: Option<&'a ApiV2Key>) -> Self {
        Self {
            keys,
            apiv3_key,
            apiv2_key,
        }
    }

    /// Verifies an APIv2 (XML) callback, a payment notification for one: its `sign`
    /// recomputed over every field with the APIv2 key (MD5 unless its `sign_type` says
    /// HMAC-SHA256), its `return_code` checked. Returns its fields as a JSON object of
    /// strings. Answer [`V2_SUCCESS_REPLY`] when it is handled.
    ///
    /// ```no_run
    /// # fn f(client: wechatpay::Client, body: &[u8]) -> wechatpay::Result<()> {
    /// let fields = client.notifications().parse_v2(body)?;
    /// println!("paid: {}", fields["out_trade_no"]);
    /// // reply with wechatpay::notify::V2_SUCCESS_REPLY
    /// # Ok(()) }
    /// ```
    pub fn parse_v2(&self, body: &[u8]) -> Result<Value> {
        let key = self.apiv2_key.ok_or(Error::Config(ConfigError::MissingApiV2Key))?;
        Ok(crate::protocol::v2::verify_notification(body, key)?)
    }

    /// Reads an APIv2 refund notification: its `req_info` decrypted (AES-256-ECB under the
    /// MD5 of the APIv2 key) into the refund's fields. It carries no `sign`: only decrypting
    /// under the key vouches for it, so confirm the refund with a query before acting on it.
    pub fn parse_v2_refund(&self, body: &[u8]) -> Result<RefundNotification> {
        let key = self.apiv2_key.ok_or(Error::Config(ConfigError::MissingApiV2Key))?;
        Ok(crate::protocol::v2::read_refund_notification(body, key)?)
    }

    /// Verifies a callback's `Wechatpay-*` signature over `body` (the raw bytes received)
    /// with the same rules as responses (four headers, 300 s window, a trusted key,
    /// `WECHATPAY/SIGNTEST/` probes fail), then decrypts its `resource` with the APIv3 key.
    ///
    /// Answer the platform 204 when this succeeds (after handling the event idempotently:
    /// the same callback can arrive more than once), and 4xx/5xx
    /// `{"code":"FAIL","message":"..."}` when it fails, so the platform retries.
    ///
    /// ```no_run
    /// # async fn handle(client: wechatpay::Client, headers: http::HeaderMap, body: bytes::Bytes) -> wechatpay::Result<()> {
    /// let notification = client.notifications().parse(&headers, &body).await?;
    /// if notification.event_type() == "TRANSACTION.SUCCESS" {
    ///     let out_trade_no = notification.resource()["out_trade_no"].as_str();
    ///     // ... mark the order paid, idempotently ...
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn parse(&self, headers: &HeaderMap, body: &[u8]) -> Result<Notification> {
        let verified_by = self.keys.verify(headers, body, Asker::Callback).await?;
        let apiv3_key = self.apiv3_key.ok_or(Error::Config(ConfigError::MissingApiV3Key))?;
        let malformed = |reason| BodyError::MalformedNotification { reason };
        let envelope: Envelope =
            serde_json::from_slice(body).map_err(|_| malformed("the body is not a notification JSON object"))?;
        let resource = envelope.resource;
        if !resource.is_supported() {
            return Err(malformed("unsupported resource algorithm (expected AEAD_AES_256_GCM)").into());
        }
        let plaintext = resource.open(apiv3_key.bytes())?;
        let decrypted: Value =
            serde_json::from_slice(&plaintext).map_err(|_| malformed("the decrypted resource is not JSON"))?;
        Ok(Notification {
            id: envelope.id,
            create_time: envelope.create_time,
            event_type: envelope.event_type,
            resource_type: envelope.resource_type,
            summary: envelope.summary,
            original_type: resource.original_type,
            resource: decrypted,
            verified_by,
        })
    }
}

#[derive(Deserialize)]
struct Envelope {
    id: String,
    #[serde(default)]
    create_time: String,
    event_type: String,
    #[serde(default)]
    resource_type: String,
    #[serde(default)]
    summary: String,
    resource: EncryptedResource,
}

/// A verified and decrypted callback.
#[derive(Clone)]
pub struct Notification {
    id: String,
    create_time: String,
    event_type: String,
    resource_type: String,
    summary: String,
    original_type: Option<String>,
    resource: Value,
    verified_by: String,
}

impl fmt::Debug for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The decrypted resource holds payer and order details: keep it out of logs.
        f.debug_struct("Notification")
            .field("id", &self.id)
            .field("create_time", &self.create_time)
            .field("event_type", &self.event_type)
            .field("verified_by", &self.verified_by)
            .finish_non_exhaustive()
    }
}

impl Notification {
    /// The notification id (the same for every re-delivery of one event).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// When the platform created it (RFC 3339 with offset, as sent).
    pub fn create_time(&self) -> &str {
        &self.create_time
    }

    /// The event, such as `TRANSACTION.SUCCESS` or `REFUND.SUCCESS`.
    pub fn event_type(&self) -> &str {
        &self.event_type
    }

    /// The resource type, normally `encrypt-resource`.
    pub fn resource_type(&self) -> &str {
        &self.resource_type
    }

    /// The platform's short description.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The resource's `original_type` (such as `transaction`), when sent.
    pub fn original_type(&self) -> Option<&str> {
        self.original_type.as_deref()
    }

    /// The decrypted resource.
    pub fn resource(&self) -> &Value {
        &self.resource
    }

    /// The decrypted resource as a typed value.
    pub fn resource_as<T: DeserializeOwned>(&self) -> Result<T> {
        T::deserialize(&self.resource).map_err(Error::decode)
    }

    /// The platform key (public key id or certificate serial) that verified the signature.
    pub fn verified_by(&self) -> &str {
        &self.verified_by
    }
}
