//! The background refresh of automatic certificate mode: a task on the caller's runtime that
//! refreshes the store every interval and ends when the store is dropped (it holds a `Weak`).

use std::sync::Weak;
use std::time::Duration;

use super::store::KeyStore;

/// Starts the refresh loop on the current tokio runtime; `None` outside one.
pub(crate) fn spawn(store: Weak<KeyStore>, interval: Duration) -> Option<tokio::task::JoinHandle<()>> {
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    Some(runtime.spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            let Some(store) = store.upgrade() else {
                return; // the client is gone
            };
            // A failed refresh keeps the current keys; the next one tries again.
            let _ = store.refresh().await;
        }
    }))
}
