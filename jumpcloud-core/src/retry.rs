//! When and how long to wait before sending a request again.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, StatusCode};

/// When failed calls are sent again.
///
/// A call is retried when the server answers 429, 502, 503 or 504, or when the connection
/// fails, and only if it is safe to repeat: `GET`, `HEAD` and `OPTIONS` are; `POST`, `PUT`,
/// `PATCH` and `DELETE` are not unless the policy or the call opts in
/// ([`retry_non_idempotent`](Self::retry_non_idempotent),
/// [`Request::idempotent`](crate::Request::idempotent)). `PUT` and `DELETE` are idempotent in
/// HTTP terms, but a repeat after a lost response still reports something else (a 404 for the
/// second delete), so they are left to the caller.
///
/// Waits grow exponentially from [`initial_backoff`](Self::initial_backoff) up to
/// [`max_backoff`](Self::max_backoff), each randomized between half and all of its value so
/// that many clients do not retry in step. A `Retry-After` header (seconds or HTTP date)
/// replaces the computed wait. No retry starts if it would end after
/// [`max_elapsed`](Self::max_elapsed) since the first attempt. Timeouts are not retried: the
/// attempt already waited its full timeout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    pub(crate) max_elapsed: Duration,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    /// Four attempts, waits from 500 ms up to 30 s, at most 2 minutes in all.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// The default policy; see [`Default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts including the first; at least 1.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry, before jitter.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest computed wait between attempts (a `Retry-After` may ask for more).
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The longest time from the first attempt to the end of the last wait.
    pub fn max_elapsed(mut self, limit: Duration) -> Self {
        self.max_elapsed = limit;
        self
    }

    /// Also retries `POST`, `PUT`, `PATCH` and `DELETE`. Only for callers that know their
    /// writes are safe to repeat.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    pub(crate) fn allows_method(&self, method: &Method, call_override: Option<bool>) -> bool {
        let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        call_override.unwrap_or(self.retry_non_idempotent || safe)
    }

    /// The jittered wait before retry number `retry` (1 for the first retry).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(30);
        let full = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let half = full / 2;
        let jitter_nanos = fastrand::u64(0..=u64::try_from(half.as_nanos()).unwrap_or(u64::MAX));
        half + Duration::from_nanos(jitter_nanos)
    }
}

/// Whether a status is worth another attempt.
pub(crate) fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// The wait a `Retry-After` header asks for: delta-seconds or an HTTP date. A date in the past
/// means "now"; an unreadable value is ignored.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with_retry_after(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::RETRY_AFTER,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after(&with_retry_after("7"), now),
            Some(Duration::from_secs(7))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(42));
        assert_eq!(
            retry_after(&with_retry_after(&later), now),
            Some(Duration::from_secs(42))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(42));
        assert_eq!(
            retry_after(&with_retry_after(&earlier), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&with_retry_after("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_grows_within_jitter_bounds_and_caps() {
        let policy = RetryPolicy::new()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        for _ in 0..200 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            let capped = policy.backoff(10);
            assert!(capped >= Duration::from_millis(175) && capped <= Duration::from_millis(350));
        }
        // Jitter must actually vary, or many clients would retry in step.
        let samples: std::collections::HashSet<Duration> =
            (0..50).map(|_| policy.backoff(3)).collect();
        assert!(samples.len() > 1);
    }

    #[test]
    fn only_safe_methods_retry_by_default() {
        let policy = RetryPolicy::default();
        assert!(policy.allows_method(&Method::GET, None));
        assert!(policy.allows_method(&Method::HEAD, None));
        assert!(!policy.allows_method(&Method::POST, None));
        assert!(!policy.allows_method(&Method::PUT, None));
        assert!(!policy.allows_method(&Method::DELETE, None));
        assert!(policy.allows_method(&Method::POST, Some(true)));
        assert!(!policy.allows_method(&Method::GET, Some(false)));
        assert!(
            RetryPolicy::default()
                .retry_non_idempotent(true)
                .allows_method(&Method::PUT, None)
        );
    }
}
