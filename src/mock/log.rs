//! The mock's record of the requests it received: the latest ones, bounded in number and in
//! body bytes, so a long-running sandbox or a flood of large uploads cannot hoard memory.

use std::collections::VecDeque;

use super::MockRequest;

/// The most requests kept by default.
pub const MAX_LOGGED_REQUESTS: usize = 10_000;

/// The most body bytes kept by default, all requests together.
pub const MAX_LOGGED_BYTES: usize = 64 * 1024 * 1024;

/// The latest requests; the oldest are dropped (and counted) to stay within the bounds.
#[derive(Debug)]
pub(crate) struct RequestLog {
    max_requests: usize,
    max_bytes: usize,
    entries: VecDeque<MockRequest>,
    /// Body bytes held.
    bytes: usize,
    /// Requests dropped so far, oldest first: the first entry is request number `dropped`.
    dropped: u64,
}

impl RequestLog {
    /// A log keeping at most `max_requests` requests and `max_bytes` of bodies (the newest
    /// request is kept whatever its size).
    pub(crate) fn new(max_requests: usize, max_bytes: usize) -> Self {
        Self {
            max_requests: max_requests.max(1),
            max_bytes,
            entries: VecDeque::new(),
            bytes: 0,
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, request: MockRequest) {
        self.bytes += request.body.len();
        self.entries.push_back(request);
        while self.entries.len() > self.max_requests || (self.bytes > self.max_bytes && self.entries.len() > 1) {
            if let Some(oldest) = self.entries.pop_front() {
                self.bytes -= oldest.body.len();
                self.dropped += 1;
            }
        }
    }

    /// The requests kept, oldest first.
    pub(crate) fn all(&self) -> Vec<MockRequest> {
        self.entries.iter().cloned().collect()
    }

    /// The requests kept whose number (counting from 0 since the start) is `first` or more.
    pub(crate) fn since(&self, first: u64) -> Vec<MockRequest> {
        let skip = first.saturating_sub(self.dropped);
        self.entries.iter().skip(skip as usize).cloned().collect()
    }

    /// How many requests were dropped to stay within the bounds.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}
