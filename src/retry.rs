//! Retries: which failures are worth another attempt, how long to wait, which requests may
//! be repeated at all, and the attempt loop (with failover and a tracing span per attempt).

use std::time::Duration;

use url::Url;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::request::Prepared;
use crate::response::Response;

/// The platform error codes that mean "try again later" whatever the HTTP status.
pub const RETRYABLE_CODES: &[&str] = &["SYSTEM_ERROR", "FREQUENCY_LIMITED", "BANK_ERROR"];

/// How the client retries a failed request (off unless set with
/// [`ClientBuilder::retry`](crate::ClientBuilder::retry)).
///
/// A request is retried when it failed in transport (connection refused or reset, timeout),
/// or the platform answered 5xx, 429, or one of the codes in [`RETRYABLE_CODES`]. Business
/// errors (other 4xx) and answers that fail verification are never retried.
///
/// Only requests that may be repeated are retried: `GET`, `HEAD`, `OPTIONS` and `DELETE`,
/// and `POST`/`PUT`/`PATCH` marked [`idempotent()`](crate::RequestBuilder::idempotent) by the
/// caller (WeChat Pay deduplicates on `out_trade_no`, `out_refund_no` and similar merchant
/// numbers, so repeating such a request cannot charge twice). With
/// [`ClientBuilder::repeat_unsent`](crate::ClientBuilder::repeat_unsent), any request is
/// also retried after an attempt that failed to connect, since nothing of it was sent. Each attempt is signed anew,
/// with a fresh timestamp and nonce. Waits grow exponentially with full jitter.
///
/// ```
/// use std::time::Duration;
/// use wechatpay::RetryPolicy;
/// let policy = RetryPolicy::new(3).backoff(Duration::from_millis(100), Duration::from_secs(2));
/// assert_eq!(policy.max_attempts(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, waits from 200 ms up to 5 s.
    fn default() -> Self {
        Self::new(3)
    }
}

impl RetryPolicy {
    /// At most `max_attempts` attempts in all (at least 1).
    pub fn new(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }

    /// The wait before the first retry, and the cap on waits.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The largest number of attempts.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait after attempt `attempt` (1-based) failed: a random duration up to
    /// `initial * 2^(attempt-1)`, capped.
    pub(crate) fn wait_after(&self, attempt: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_backoff);
        let mut bytes = [0u8; 4];
        let fraction = match getrandom::fill(&mut bytes) {
            Ok(()) => u32::from_le_bytes(bytes) as f64 / u32::MAX as f64,
            Err(_) => 1.0,
        };
        exp.mul_f64(fraction)
    }
}

/// Whether `error` is worth another attempt (for a request that may be repeated).
pub fn is_retryable(error: &Error) -> bool {
    match error {
        Error::Transport(_) => true,
        Error::Api { status, code, .. } => {
            *status >= 500 || *status == 429 || code.as_deref().is_some_and(|c| RETRYABLE_CODES.contains(&c))
        }
        _ => false,
    }
}

/// Whether `error` is a failure to connect (nothing was sent): the case for failover.
pub(crate) fn is_connect_failure(error: &Error) -> bool {
    matches!(error, Error::Transport(e) if e.is_connect())
}

/// Sends a prepared request, retrying and failing over as the client's policy and the
/// request's repeatability allow. `attempts` counts the attempts made (for the deadline error).
pub(crate) async fn execute_with_retries(
    client: &Client,
    mut prepared: Prepared,
    repeatable: bool,
    attempts: &std::sync::atomic::AtomicU32,
) -> Result<Response> {
    let inner = &client.inner;
    let max_attempts = inner.retry.map_or(1, |p| p.max_attempts());
    let mut failed_over = false;
    let mut attempt = 1;
    loop {
        attempts.store(attempt, std::sync::atomic::Ordering::Relaxed);
        let error = match execute_traced(client, &prepared, attempt).await {
            Ok(response) => return Ok(response),
            Err(error) => error,
        };
        let give_up = |error: Error| {
            Err(if attempt > 1 {
                Error::Retried {
                    attempts: attempt,
                    last: Box::new(error),
                }
            } else {
                error
            })
        };
        // A request that may not be repeated still may be when nothing of it was sent, if
        // the client allows it.
        let may_repeat = repeatable || (inner.repeat_unsent && is_connect_failure(&error));
        if !may_repeat {
            return give_up(error);
        }
        if let Some(backup) = &inner.backup_base_url
            && !failed_over
            && is_connect_failure(&error)
            && let Some(url) = on_backup(&prepared.url, &inner.base_url, backup)
        {
            // A connection failure on the API host: the backup host, at once, with the very
            // same target (the signature covers it).
            failed_over = true;
            prepared.url = url;
            attempt += 1;
            continue;
        }
        let Some(policy) = inner.retry else {
            return give_up(error);
        };
        if attempt >= max_attempts || !crate::retry::is_retryable(&error) {
            return give_up(error);
        }
        tokio::time::sleep(policy.wait_after(attempt)).await;
        attempt += 1;
    }
}

/// The same URL on the backup host: only the origin (scheme, host, port) changes, and only
/// for a URL on the API host (never an allowed download host's). The builder made sure the
/// two base URLs have the same path.
fn on_backup(url: &Url, base: &Url, backup: &Url) -> Option<Url> {
    if url.origin() != base.origin() {
        return None;
    }
    let mut moved = url.clone();
    moved.set_scheme(backup.scheme()).ok()?;
    moved.set_host(backup.host_str()).ok()?;
    moved.set_port(backup.port()).ok()?;
    (moved.path() == url.path() && moved.query() == url.query()).then_some(moved)
}

/// One attempt, inside a `tracing` span: method, path template, attempt, then status,
/// Request-ID and latency. Bodies and identifiers stay out of it.
async fn execute_traced(client: &Client, prepared: &Prepared, attempt: u32) -> Result<Response> {
    use tracing::Instrument as _;
    let span = tracing::info_span!(
        "wechatpay.request",
        method = %prepared.method,
        path = %prepared.template,
        attempt,
        status = tracing::field::Empty,
        request_id = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let result = crate::transport::execute(client, prepared)
        .instrument(span.clone())
        .await;
    span.record("latency_ms", started.elapsed().as_millis() as u64);
    match &result {
        Ok(response) => {
            span.record("status", response.status().as_u16());
            if let Some(id) = response.request_id() {
                span.record("request_id", id);
            }
            tracing::debug!(parent: &span, "verified");
        }
        Err(error) => {
            if let Error::Api { status, request_id, .. } = error {
                span.record("status", status);
                if let Some(id) = request_id {
                    span.record("request_id", id.as_str());
                }
            }
            tracing::info!(parent: &span, error = %error, "request failed");
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> Error {
        Error::Api {
            status,
            code: Some(code.into()),
            message: None,
            detail: None,
            request_id: None,
            body: None,
            headers: Box::default(),
        }
    }

    #[test]
    fn retries_server_errors_rate_limits_and_the_documented_codes_only() {
        assert!(is_retryable(&api(500, "SYSTEM_ERROR")));
        assert!(is_retryable(&api(503, "ANYTHING")));
        assert!(is_retryable(&api(429, "FREQUENCY_LIMITED")));
        assert!(is_retryable(&api(403, "BANK_ERROR")));
        assert!(!is_retryable(&api(400, "PARAM_ERROR")));
        assert!(!is_retryable(&api(403, "NOTENOUGH")));
        assert!(!is_retryable(&api(404, "ORDER_NOT_EXIST")));
        assert!(!is_retryable(&Error::BadSignature { key_id: "x".into() }));
    }

    #[test]
    fn waits_grow_and_stay_under_the_cap() {
        let p = RetryPolicy::new(10).backoff(Duration::from_millis(100), Duration::from_millis(350));
        for attempt in 1..12 {
            let cap = Duration::from_millis(100 * (1 << (attempt - 1).min(16))).min(Duration::from_millis(350));
            assert!(p.wait_after(attempt) <= cap, "attempt {attempt}");
        }
    }
}
