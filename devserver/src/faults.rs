//! Faults a test can switch on to prove a client survives them: REST that accepts connections
//! but never answers or fails, gateway replies that are dropped or turned into late errors, pushes that
//! never reach a user. All off by default; each counted fault fires that many times. It also
//! counts gateway requests, so a test can tell what a client asked for.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// What happens to the reply of a gateway request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyFault {
    /// The request is handled but its reply is never sent.
    Drop,
    /// The request is handled (a message is stored and pushed), then, after `delay`, the reply
    /// carries error `code` instead of the result.
    LateError { code: i32, delay: Duration },
}

#[derive(Default)]
pub struct Faults {
    rest_black_hole: AtomicBool,
    rest_released: Notify,
    replies: Mutex<HashMap<i32, Vec<ReplyFault>>>,
    pushes_dropped: Mutex<HashMap<String, usize>>,
    requests: Mutex<HashMap<i32, usize>>,
    rest_calls: Mutex<HashMap<String, usize>>,
    rest_failures: Mutex<Vec<(String, usize, usize, u16)>>,
}

impl Faults {
    /// While on, every REST request is accepted and then left unanswered (until switched off).
    pub fn black_hole_rest(&self, on: bool) {
        self.rest_black_hole.store(on, Ordering::SeqCst);
        if !on {
            self.rest_released.notify_waiters();
        }
    }

    /// Waits while REST is black-holed.
    pub(crate) async fn rest_gate(&self) {
        while self.rest_black_hole.load(Ordering::SeqCst) {
            let released = self.rest_released.notified();
            if !self.rest_black_hole.load(Ordering::SeqCst) {
                break;
            }
            released.await;
        }
    }

    /// The next `times` replies to gateway request `req_identifier` suffer `fault`.
    pub fn fault_replies(&self, req_identifier: i32, fault: ReplyFault, times: usize) {
        let mut replies = self.replies.lock().expect("faults lock");
        replies.entry(req_identifier).or_default().extend(std::iter::repeat_n(fault, times));
    }

    pub(crate) fn take_reply_fault(&self, req_identifier: i32) -> Option<ReplyFault> {
        let mut replies = self.replies.lock().expect("faults lock");
        let queue = replies.get_mut(&req_identifier)?;
        (!queue.is_empty()).then(|| queue.remove(0))
    }

    /// How many gateway requests with `req_identifier` the server has received.
    pub fn requests_seen(&self, req_identifier: i32) -> usize {
        self.requests.lock().expect("faults lock").get(&req_identifier).copied().unwrap_or(0)
    }

    pub(crate) fn count_request(&self, req_identifier: i32) {
        *self.requests.lock().expect("faults lock").entry(req_identifier).or_default() += 1;
    }

    /// How many REST calls of `path` the server has received.
    pub fn rest_calls_seen(&self, path: &str) -> usize {
        self.rest_calls.lock().expect("faults lock").get(path).copied().unwrap_or(0)
    }

    /// How many REST calls of paths starting with `prefix` the server has received.
    pub fn rest_calls_seen_under(&self, prefix: &str) -> usize {
        self.rest_calls.lock().expect("faults lock").iter().filter(|(p, _)| p.starts_with(prefix)).map(|(_, n)| n).sum()
    }

    /// After `pass` more REST requests (any method, part uploads included) whose path starts
    /// with `prefix`, the next `times` of them fail with HTTP 503 before the server handles
    /// them: a proxy in front of it failing.
    pub fn fail_rest(&self, prefix: &str, pass: usize, times: usize) {
        self.fail_rest_with(prefix, pass, times, 503);
    }

    /// [`Self::fail_rest`] with another HTTP status (403: an object store refusing a signature).
    pub fn fail_rest_with(&self, prefix: &str, pass: usize, times: usize, status: u16) {
        if times == 0 {
            return;
        }
        self.rest_failures.lock().expect("faults lock").push((prefix.to_owned(), pass, times, status));
    }

    /// The status a REST request to `path` fails with, if it is to fail.
    pub(crate) fn take_rest_failure(&self, path: &str) -> Option<u16> {
        let mut failures = self.rest_failures.lock().expect("faults lock");
        let i = failures.iter().position(|(prefix, ..)| path.starts_with(prefix.as_str()))?;
        let (_, pass, times, status) = &mut failures[i];
        if *pass > 0 {
            *pass -= 1;
            return None;
        }
        let status = *status;
        *times -= 1;
        if *times == 0 {
            failures.remove(i);
        }
        Some(status)
    }

    pub(crate) fn count_rest_call(&self, path: &str) {
        *self.rest_calls.lock().expect("faults lock").entry(path.to_owned()).or_default() += 1;
    }

    /// The next `times` pushes meant for `user_id` reach none of its connections.
    pub fn drop_pushes(&self, user_id: &str, times: usize) {
        *self.pushes_dropped.lock().expect("faults lock").entry(user_id.to_owned()).or_default() += times;
    }

    pub(crate) fn take_push_drop(&self, user_id: &str) -> bool {
        let mut dropped = self.pushes_dropped.lock().expect("faults lock");
        match dropped.get_mut(user_id) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }
}
