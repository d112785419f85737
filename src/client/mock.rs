//! Clients configured for the embedded mock server (feature `mock`). They live here, on the
//! client's side, so the mock itself knows nothing of the client.

use super::{Async, Client, ClientBuilder};
use crate::mock::{APIV2_KEY, APIV3_KEY, MCHID, MERCHANT_SERIAL, MockServer, PLATFORM_PUBLIC_KEY_ID, keys};

impl MockServer {
    /// A client builder preset for this mock: its merchant credentials, both platform keys
    /// (the original certificate and the public key, so either signing mode verifies), the
    /// APIv3 key and its base URL.
    pub fn client_builder(&self) -> ClientBuilder<Async> {
        self.merchant_builder()
            .platform_public_key(PLATFORM_PUBLIC_KEY_ID, keys::PLATFORM_PUBLIC_KEY)
            .and_then(|b| b.platform_certificate(keys::PLATFORM_CERTIFICATE))
            .expect("the mock's fixture keys are valid")
    }

    /// A client builder with only the merchant's settings and the base URL: merchant id,
    /// private key and certificate (the client certificate of mutual TLS), the APIv3 and
    /// APIv2 keys, and in TLS mode ([`crate::mock::MockBuilder::tls`]) the sandbox CA as a
    /// trusted root. No platform key yet (to test certificate download and automatic mode).
    ///
    /// ```
    /// let mock = wechatpay::mock::MockServer::builder().tls(true).start();
    /// let client = mock.merchant_builder().build()?;
    /// # Ok::<(), wechatpay::Error>(())
    /// ```
    pub fn merchant_builder(&self) -> ClientBuilder<Async> {
        let builder = ClientBuilder::new()
            .mchid(MCHID)
            .merchant_serial(MERCHANT_SERIAL)
            .apiv3_key(APIV3_KEY)
            .apiv2_key(APIV2_KEY)
            .private_key_pem(keys::MERCHANT_PRIVATE_KEY)
            .and_then(|b| b.merchant_certificate(keys::MERCHANT_CERTIFICATE))
            .and_then(|b| b.base_url(&self.base_url()));
        let builder = if self.is_tls() {
            builder.and_then(|b| b.add_root_certificate(keys::SANDBOX_CA))
        } else {
            builder
        };
        builder.expect("the mock's fixture keys are valid")
    }

    /// A client configured for this mock.
    pub fn client(&self) -> Client {
        self.client_builder()
            .build()
            .expect("the mock's client configuration is valid")
    }
}
