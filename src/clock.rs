//! The time source used to stamp requests and to check the replay window of answers.

use std::fmt::Debug;
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of Unix time in whole seconds. The client uses it to stamp each request and to
/// check that answers are signed within the 300-second window; inject a fixed clock to
/// replay a captured response or callback in a test.
///
/// ```
/// use wechatpay::clock::{Clock, FixedClock};
/// let clock = FixedClock(1_719_128_975);
/// assert_eq!(clock.now(), 1_719_128_975);
/// ```
pub trait Clock: Debug + Send + Sync + 'static {
    /// The current Unix time, in seconds.
    fn now(&self) -> i64;
}

/// The operating system's clock (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// A clock that always says the same time.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}

/// The system clock shifted by a fixed number of seconds (to simulate a skewed peer).
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock(pub i64);

impl Clock for OffsetClock {
    fn now(&self) -> i64 {
        SystemClock.now() + self.0
    }
}
