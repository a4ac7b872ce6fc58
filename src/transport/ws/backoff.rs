//! Reconnect delays: 1, 2, 4, 8, 16 seconds, then around again (OpenIM's `reconnect.go`).

use std::time::Duration;

const STEPS: [u64; 5] = [1, 2, 4, 8, 16];

#[derive(Debug, Default, Clone)]
pub struct Backoff {
    index: usize,
}

impl Backoff {
    /// The delay before the next attempt.
    pub fn next_delay(&mut self) -> Duration {
        let secs = STEPS[self.index % STEPS.len()];
        self.index = (self.index + 1) % STEPS.len();
        Duration::from_secs(secs)
    }

    /// Called after a successful connection.
    pub fn reset(&mut self) {
        self.index = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_and_resets() {
        let mut b = Backoff::default();
        let secs: Vec<u64> = (0..7).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 1, 2]);
        b.reset();
        assert_eq!(b.next_delay().as_secs(), 1);
    }
}
