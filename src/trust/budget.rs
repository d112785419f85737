//! The budget of on-demand certificate downloads: a token bucket per kind of asker, so
//! forged serials cannot cause a download storm, and forged callbacks (which anyone can POST)
//! cannot spend the downloads a real rotation needs.

use std::time::{Duration, Instant};

/// How many on-demand downloads may happen back to back (the first load, a rotation soon
/// after) before the interval applies.
pub const ON_DEMAND_BURST: f64 = 3.0;

/// Who needs an unknown serial looked up: an answer to one of the client's own requests, or
/// a callback. Each has its own budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Asker {
    Response,
    Callback,
}

/// The on-demand download budgets, one per [`Asker`].
#[derive(Debug)]
pub(crate) struct Budgets {
    responses: TokenBucket,
    callbacks: TokenBucket,
}

impl Budgets {
    /// Both budgets full.
    pub(crate) fn full() -> Self {
        Self {
            responses: TokenBucket::full(),
            callbacks: TokenBucket::full(),
        }
    }

    /// Takes one download from the asker's budget, refilled at one per `interval`; `false`
    /// when it is spent.
    pub(crate) fn take(&mut self, asker: Asker, interval: Duration) -> bool {
        let bucket = match asker {
            Asker::Response => &mut self.responses,
            Asker::Callback => &mut self.callbacks,
        };
        bucket.take(Instant::now(), interval)
    }
}

/// [`ON_DEMAND_BURST`] tokens at once, then one per interval.
#[derive(Debug)]
struct TokenBucket {
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    fn full() -> Self {
        Self {
            tokens: ON_DEMAND_BURST,
            updated: Instant::now(),
        }
    }

    fn take(&mut self, now: Instant, interval: Duration) -> bool {
        let earned = if interval.is_zero() {
            ON_DEMAND_BURST
        } else {
            now.saturating_duration_since(self.updated).as_secs_f64() / interval.as_secs_f64()
        };
        self.tokens = (self.tokens + earned).min(ON_DEMAND_BURST);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_per_interval() {
        let start = Instant::now();
        let mut bucket = TokenBucket {
            tokens: ON_DEMAND_BURST,
            updated: start,
        };
        let minute = Duration::from_secs(60);
        assert!((0..3).all(|_| bucket.take(start, minute)));
        assert!(!bucket.take(start, minute));
        assert!(!bucket.take(start + Duration::from_secs(59), minute));
        // 61 s after the burst: one token earned, and only one.
        assert!(bucket.take(start + Duration::from_secs(61), minute));
        assert!(!bucket.take(start + Duration::from_secs(61), minute));
    }

    #[test]
    fn callbacks_cannot_spend_the_responses_budget() {
        let mut budgets = Budgets::full();
        let hour = Duration::from_secs(3600);
        assert!((0..3).all(|_| budgets.take(Asker::Callback, hour)));
        assert!(!budgets.take(Asker::Callback, hour));
        assert!(budgets.take(Asker::Response, hour));
    }
}
