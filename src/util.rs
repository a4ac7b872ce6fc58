//! Small helpers: the redacted token type and ID generation.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// A user token. Its `Debug` and `Display` never show the value, so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the wire only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh `operationID`: time, a process-wide counter and randomness.
pub fn operation_id() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}{:04}{:06}", now_ms(), n % 10_000, fastrand::u32(..1_000_000))
}

pub use openim_wire::time::now_ms;

/// The tips of a notification message, or `None` (logged) when they do not parse.
pub fn tips<T: serde::de::DeserializeOwned>(data: &openim_wire::pb::sdkws::MsgData) -> Option<T> {
    match openim_wire::elem::parse_notification::<T>(&data.content) {
        Ok(t) => Some(t),
        Err(e) => {
            tracing::error!(content_type = data.content_type, error = %e, "notification tips do not parse; skipped");
            None
        }
    }
}

/// A count as apps see it (`i32`): below 0 is 0, beyond `i32::MAX` is `i32::MAX` (a server's
/// seqs decide unread counts, and it may claim any).
pub fn count_i32(n: i64) -> i32 {
    i32::try_from(n.max(0)).unwrap_or(i32::MAX)
}

/// Unread messages between a read mark and a max seq, whatever the server claims of them.
pub fn unread_between(max_seq: i64, has_read_seq: i64) -> i64 {
    max_seq.saturating_sub(has_read_seq).max(0)
}

/// The longest search keyword taken, in bytes (SQLite refuses `LIKE` patterns over 50 000
/// bytes, and escaping may double one).
pub const MAX_KEYWORD_BYTES: usize = 10_000;
/// The most keywords one search takes (each is a `LIKE` per searched field).
pub const MAX_KEYWORDS: usize = 100;

/// A search's keywords without the empty ones; too many, or one too long, is refused (10002).
pub fn search_keywords(keywords: Vec<String>) -> crate::error::Result<Vec<String>> {
    let keywords: Vec<String> = keywords.into_iter().filter(|k| !k.is_empty()).collect();
    if keywords.len() > MAX_KEYWORDS {
        return Err(crate::error::OpenIMError::invalid_argument(format!("at most {MAX_KEYWORDS} keywords per search")));
    }
    if keywords.iter().any(|k| k.len() > MAX_KEYWORD_BYTES) {
        return Err(crate::error::OpenIMError::invalid_argument(format!("a keyword is longer than {MAX_KEYWORD_BYTES} bytes")));
    }
    Ok(keywords)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_prints() {
        let t = Token::new("eyJsecret");
        assert_eq!(format!("{t:?} {t}"), "Token(***) ***");
        assert_eq!(t.expose(), "eyJsecret");
    }

    #[test]
    fn counts_from_claimed_seqs_stay_in_range() {
        assert_eq!(unread_between(10, 4), 6);
        assert_eq!(unread_between(4, 10), 0);
        assert_eq!(unread_between(i64::MAX, i64::MIN), i64::MAX);
        assert_eq!(count_i32(unread_between(i64::MAX, 0)), i32::MAX);
        assert_eq!(count_i32(-5), 0);
        assert_eq!(count_i32(7), 7);
    }

    #[test]
    fn operation_ids_differ() {
        assert_ne!(operation_id(), operation_id());
    }
}
