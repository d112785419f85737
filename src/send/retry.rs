//! Retries: which failures are worth another attempt, how long to wait, which requests may
//! be repeated at all, and the attempt loop with failover. The loop is generic over the
//! attempt, so its rules are tested without a server.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use url::Url;

use crate::error::{Error, Result};

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
/// also retried after an attempt that failed to connect, since nothing of it was sent. Each
/// attempt is signed anew, with a fresh timestamp and nonce. Waits grow exponentially with
/// full jitter.
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
        Error::Api(api) => {
            api.status >= 500 || api.status == 429 || api.code.as_deref().is_some_and(|c| RETRYABLE_CODES.contains(&c))
        }
        _ => false,
    }
}

/// The client's retry settings.
#[derive(Debug, Clone)]
pub(crate) struct Retries {
    pub(crate) policy: Option<RetryPolicy>,
    /// The API host's base URL: only requests to it fail over.
    pub(crate) base: Url,
    /// The backup host, when failover is on (same path as `base`).
    pub(crate) backup: Option<Url>,
    /// Whether a request that may not be repeated still may be when nothing of it was sent.
    pub(crate) repeat_unsent: bool,
}

impl Retries {
    /// Runs `attempt(number, url)` until it succeeds or the rules say stop. The first attempt
    /// goes to `url`; after a connection failure a request on the API host moves once to the
    /// backup host (same target: the signature covers it) and stays there. `attempts`
    /// counts the attempts started, for a deadline's error.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        url: &Url,
        repeatable: bool,
        attempts: &AtomicU32,
        mut attempt: F,
    ) -> Result<T>
    where
        F: FnMut(u32, Url) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let backup = self
            .backup
            .as_ref()
            .and_then(|backup| on_backup(url, &self.base, backup));
        let mut current = url.clone();
        let mut failed_over = false;
        let mut number = 1;
        loop {
            attempts.store(number, Ordering::Relaxed);
            let error = match attempt(number, current.clone()).await {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            let give_up = |error: Error| {
                Err(if number > 1 {
                    Error::Retried {
                        attempts: number,
                        last: Box::new(error),
                    }
                } else {
                    error
                })
            };
            if !(repeatable || (self.repeat_unsent && error.is_connect_failure())) {
                return give_up(error);
            }
            if let Some(backup) = &backup
                && !failed_over
                && error.is_connect_failure()
            {
                // A connection failure on the API host: the backup host, at once.
                failed_over = true;
                current = backup.clone();
                number += 1;
                continue;
            }
            let Some(policy) = self.policy else {
                return give_up(error);
            };
            if number >= policy.max_attempts() || !is_retryable(&error) {
                return give_up(error);
            }
            tokio::time::sleep(policy.wait_after(number)).await;
            number += 1;
        }
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn api(status: u16, code: &str) -> Error {
        let mut e = crate::protocol::api_error::api_error(
            http::StatusCode::from_u16(status).unwrap(),
            http::HeaderMap::new(),
            b"",
        );
        e.code = Some(code.into());
        e.into()
    }

    /// A real connection failure: a port on 127.0.0.1 that nothing listens on.
    async fn refused() -> Error {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        reqwest::get(format!("http://127.0.0.1:{port}/"))
            .await
            .unwrap_err()
            .into()
    }

    fn retries(policy: Option<RetryPolicy>, failover: bool, repeat_unsent: bool) -> Retries {
        Retries {
            policy: policy.map(|p| p.backoff(Duration::from_millis(1), Duration::from_millis(2))),
            base: Url::parse("https://api.example/").unwrap(),
            backup: failover.then(|| Url::parse("https://backup.example/").unwrap()),
            repeat_unsent,
        }
    }

    /// Runs the loop over scripted outcomes; returns the result and the URLs attempted.
    async fn script(
        retries: &Retries,
        url: &str,
        repeatable: bool,
        outcomes: Vec<Result<u32>>,
    ) -> (Result<u32>, Vec<String>) {
        let outcomes = Mutex::new(outcomes.into_iter());
        let urls = Mutex::new(Vec::new());
        let counter = AtomicU32::new(0);
        let result = retries
            .run(&Url::parse(url).unwrap(), repeatable, &counter, |_, url| {
                urls.lock().unwrap().push(url.to_string());
                let next = outcomes.lock().unwrap().next().expect("an outcome per attempt");
                async move { next }
            })
            .await;
        assert_eq!(counter.load(Ordering::Relaxed) as usize, urls.lock().unwrap().len());
        (result, urls.into_inner().unwrap())
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
        let bad = crate::error::VerificationError::BadSignature { key_id: "x".into() };
        assert!(!is_retryable(&bad.into()));
    }

    #[test]
    fn waits_grow_and_stay_under_the_cap() {
        let p = RetryPolicy::new(10).backoff(Duration::from_millis(100), Duration::from_millis(350));
        for attempt in 1..12 {
            let cap = Duration::from_millis(100 * (1 << (attempt - 1).min(16))).min(Duration::from_millis(350));
            assert!(p.wait_after(attempt) <= cap, "attempt {attempt}");
        }
    }

    #[tokio::test]
    async fn a_repeatable_request_is_retried_up_to_the_limit() {
        let r = retries(Some(RetryPolicy::new(3)), false, false);
        let (result, urls) = script(
            &r,
            "https://api.example/v3/x",
            true,
            vec![
                Err(api(500, "SYSTEM_ERROR")),
                Err(api(503, "X")),
                Err(api(500, "SYSTEM_ERROR")),
            ],
        )
        .await;
        assert_eq!(urls.len(), 3);
        match result {
            Err(Error::Retried { attempts: 3, last }) => assert!(matches!(*last, Error::Api(_))),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_business_error_or_a_request_that_may_not_be_repeated_stops_at_once() {
        let r = retries(Some(RetryPolicy::new(3)), false, false);
        let (result, urls) = script(&r, "https://api.example/v3/x", true, vec![Err(api(400, "PARAM_ERROR"))]).await;
        assert!(
            matches!(result, Err(Error::Api(_))),
            "no Retried wrapper after one attempt"
        );
        assert_eq!(urls.len(), 1);
        let (_, urls) = script(
            &r,
            "https://api.example/v3/x",
            false,
            vec![Err(api(500, "SYSTEM_ERROR"))],
        )
        .await;
        assert_eq!(urls.len(), 1);
    }

    #[tokio::test]
    async fn a_connection_failure_fails_over_once_to_the_backup_with_the_same_target() {
        let r = retries(None, true, false);
        let (result, urls) = script(
            &r,
            "https://api.example/v3/x?a=1",
            true,
            vec![Err(refused().await), Ok(7)],
        )
        .await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(
            urls,
            ["https://api.example/v3/x?a=1", "https://backup.example/v3/x?a=1"]
        );
        let (result, urls) = script(
            &r,
            "https://api.example/v3/x",
            true,
            vec![Err(refused().await), Err(refused().await)],
        )
        .await;
        assert!(matches!(result, Err(Error::Retried { attempts: 2, .. })));
        assert_eq!(urls.len(), 2, "failover happens once");
    }

    #[tokio::test]
    async fn an_allowed_download_host_never_fails_over() {
        let r = retries(None, true, false);
        let (_, urls) = script(&r, "https://files.example/v3/x", true, vec![Err(refused().await)]).await;
        assert_eq!(urls, ["https://files.example/v3/x"]);
    }

    #[tokio::test]
    async fn repeat_unsent_repeats_a_post_only_after_a_connection_failure() {
        let r = retries(Some(RetryPolicy::new(3)), false, true);
        let (result, urls) = script(&r, "https://api.example/v3/x", false, vec![Err(refused().await), Ok(1)]).await;
        assert_eq!((result.unwrap(), urls.len()), (1, 2));
        let (_, urls) = script(&r, "https://api.example/v3/x", false, vec![Err(api(503, "X"))]).await;
        assert_eq!(urls.len(), 1, "an answer means the request was received: not repeated");
    }
}
