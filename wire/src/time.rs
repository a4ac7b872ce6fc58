//! Time as the protocol counts it.

/// Milliseconds since the Unix epoch (`sendTime`, `createTime`, ...).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
