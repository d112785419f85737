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

/// A moment as a calendar date and a time of day (proleptic Gregorian calendar), for
/// showing Unix seconds as people and the platform write them.
///
/// ```
/// use wechatpay::clock::CivilTime;
/// let t = CivilTime::from_unix(1719128975);
/// assert_eq!((t.year, t.month, t.day, t.hour, t.minute, t.second), (2024, 6, 23, 7, 49, 35));
/// assert_eq!(t.to_string(), "2024-06-23 07:49:35");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    /// The year (negative before year 0).
    pub year: i64,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month, 1 to 31.
    pub day: u32,
    /// The hour, 0 to 23.
    pub hour: u32,
    /// The minute, 0 to 59.
    pub minute: u32,
    /// The second, 0 to 59.
    pub second: u32,
}

impl CivilTime {
    /// The UTC date and time of `secs` Unix seconds; add an offset first for another zone
    /// (`secs + 8 * 3600` for Beijing time).
    pub fn from_unix(secs: i64) -> CivilTime {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Howard Hinnant's civil_from_days: eras of 400 years, March-based years.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        // Every value below is in range by construction (`rem` < 86,400, `mp` < 12).
        let small = |v: i64| u32::try_from(v).unwrap_or_default();
        CivilTime {
            year: yoe + era * 400 + i64::from(month <= 2),
            month: small(month),
            day: small(day),
            hour: small(rem / 3600),
            minute: small(rem % 3600 / 60),
            second: small(rem % 60),
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS`.
impl std::fmt::Display for CivilTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod civil_time_tests {
    use super::CivilTime;

    #[test]
    fn known_dates_as_gnu_date_prints_them() {
        // `date -u -d @SECS '+%F %T'`
        for (secs, expected) in [
            (0, "1970-01-01 00:00:00"),
            (-1, "1969-12-31 23:59:59"),
            (951_782_400, "2000-02-29 00:00:00"),
            (1_719_128_975, "2024-06-23 07:49:35"),
            (4_102_444_799, "2099-12-31 23:59:59"),
        ] {
            assert_eq!(CivilTime::from_unix(secs).to_string(), expected, "{secs}");
        }
    }
}
