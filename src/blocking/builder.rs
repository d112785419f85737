//! The blocking flavour of the one client builder.

use super::{Blocking, Client};
use crate::ClientBuilder;
use crate::client::Async;
use crate::error::Result;

impl ClientBuilder<Blocking> {
    /// Checks the configuration and builds the blocking client.
    pub fn build(self) -> Result<Client> {
        Client::from_async(self.build_async()?)
    }
}

impl ClientBuilder<Async> {
    /// Turns this builder into one for the blocking client.
    pub fn blocking(self) -> ClientBuilder<Blocking> {
        self.into_flavor()
    }
}

#[cfg(feature = "mock")]
impl crate::mock::MockServer {
    /// A blocking client configured for this mock.
    pub fn blocking_client(&self) -> Client {
        self.client_builder()
            .blocking()
            .build()
            .expect("the mock's client configuration is valid")
    }
}
