//! Sending: one attempt (wire, API error, checks, tracing), the retry loop around it, the
//! deadline around everything. [`Sender`] holds what that takes.

mod attempt;
pub(crate) mod checks;
pub mod retry;

use std::sync::Arc;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use url::Url;

use crate::auth::signing::Signer;
use crate::clock::Clock;
use crate::error::Result;
use crate::protocol::v2::ApiV2Key;
use crate::response::Response;
use crate::trust::KeyStore;
use crate::wire::{Attempt, Check, Prepared, SignedBody, Wire};
use retry::Retries;

/// Everything sending a request takes: the wire, the signing identity, the trusted keys,
/// the clock, the retry rules and the default deadline.
#[derive(Debug)]
pub(crate) struct Sender {
    pub(crate) wire: Wire,
    pub(crate) signer: Arc<Signer>,
    pub(crate) keys: Arc<KeyStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retries: Retries,
    pub(crate) deadline: Option<Duration>,
    /// Signs and verifies APIv2 requests and answers.
    pub(crate) apiv2_key: Option<Arc<ApiV2Key>>,
}

impl Sender {
    /// Sends a prepared request, retrying and failing over as the rules and the request's
    /// repeatability allow. `attempts` counts the attempts started (for a deadline's error).
    pub(crate) async fn send(&self, prepared: &Prepared, repeatable: bool, attempts: &AtomicU32) -> Result<Response> {
        self.retries
            .run(&prepared.url, repeatable, attempts, |number, url| {
                self.attempt(prepared, url, number)
            })
            .await
    }

    /// One attempt, signed now, its answer's body left unread: for downloads, which stream
    /// it. No retries (a writer may already hold part of a file).
    pub(crate) async fn open(&self, prepared: &Prepared) -> Result<reqwest::Response> {
        self.wire.send(self.wire_attempt(prepared, &prepared.url)).await
    }

    /// How one attempt goes on the wire: signed now, naming the key that encrypted the
    /// sensitive fields, or else the key the client prefers.
    pub(crate) fn wire_attempt<'a>(&'a self, prepared: &'a Prepared, url: &'a Url) -> Attempt<'a> {
        let timestamp = self.clock.now();
        if matches!(prepared.check, Check::V2 { .. }) {
            // APIv2: the body carries its signature; no platform key is named.
            return Attempt {
                prepared,
                url,
                scheme: &SignedBody,
                serial: None,
                timestamp,
            };
        }
        let serial = match &prepared.encrypted_with {
            Some(serial) => Some(serial.clone()),
            None => self.keys.current().preferred_id_at(timestamp).map(str::to_owned),
        };
        Attempt {
            prepared,
            url,
            scheme: self.signer.as_ref(),
            serial,
            timestamp,
        }
    }
}
