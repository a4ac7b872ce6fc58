//! Delivers events to the app on one dedicated thread ("openim-listener"): the engine only
//! queues them, so a listener that blocks delays later listener calls but never the engine, and
//! a listener that throws (a panic on the Rust side) is logged and skipped.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Once};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};

use crate::events::{Emit, Event, EventSink};
use crate::runtime::panic_message;

/// Events that may wait for a slow listener before new ones are dropped (and logged).
pub const QUEUE_CAPACITY: usize = 65_536;

const THREAD_NAME: &str = "openim-listener";

/// Keeps the default panic hook from printing a backtrace for every failing listener call;
/// the dispatcher logs those itself. Panics on other threads reach the previous hook.
fn quiet_listener_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(THREAD_NAME) {
                previous(info);
            }
        }));
    });
}

#[derive(Clone)]
pub struct Dispatcher {
    tx: SyncSender<Event>,
}

impl Dispatcher {
    pub fn new(sink: Arc<dyn EventSink>) -> Self {
        quiet_listener_panics();
        let (tx, rx) = sync_channel::<Event>(QUEUE_CAPACITY);
        std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || {
                // Ends when every sender (the engine and its sessions) is gone.
                for event in rx {
                    let name = event.name();
                    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| sink.deliver(event))) {
                        tracing::error!(event = name, panic = %panic_message(payload), "listener failed; event skipped");
                    }
                }
            })
            .expect("listener thread starts");
        Self { tx }
    }

    /// Queues `event`; never blocks.
    pub fn emit(&self, event: Event) {
        match self.tx.try_send(event) {
            Ok(()) => {}
            Err(TrySendError::Full(event)) => {
                tracing::error!(event = event.name(), "listener queue full (a listener is blocked?); event dropped");
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

impl Emit for Dispatcher {
    fn emit(&self, event: Event) {
        Dispatcher::emit(self, event);
    }
}
