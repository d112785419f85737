//! The total deadline of a request (retries, waits and, for downloads, the whole transfer)
//! or of a certificate download the caller asked for.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::error::{Error, Result};

/// Runs `work` within `deadline` (none: unbounded); when it passes, the error says how many
/// attempts had started, as counted in `attempts`.
pub(crate) async fn within<T>(
    deadline: Option<Duration>,
    attempts: &AtomicU32,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    match deadline {
        None => work.await,
        Some(deadline) => tokio::time::timeout(deadline, work).await.unwrap_or_else(|_| {
            Err(Error::DeadlineExceeded {
                deadline,
                attempts: attempts.load(Ordering::Relaxed),
            })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passes_work_through_or_reports_the_attempts_started() {
        let attempts = AtomicU32::new(0);
        assert_eq!(within(None, &attempts, async { Ok(1) }).await.unwrap(), 1);
        let slow = async {
            attempts.store(2, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(())
        };
        match within(Some(Duration::from_millis(10)), &attempts, slow).await {
            Err(Error::DeadlineExceeded { attempts: 2, .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}
