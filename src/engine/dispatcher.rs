//! Delivers events to the app on one dedicated thread ("openim-listener"). The engine queues
//! them through a bounded [`crate::events::Emitter`]: a listener that is slow makes emitters
//! wait (nothing is dropped or reordered), and a listener that throws (a panic on the Rust side)
//! is logged and skipped.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Once};

use crate::events::{self, Emitter, Event, EventSink};
use crate::runtime::panic_message;

pub const THREAD_NAME: &str = "openim-listener";

/// Keeps the default panic hook from printing a backtrace for every failing listener call;
/// the listener threads log those themselves. Panics on other threads reach the previous hook.
pub fn quiet_listener_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !std::thread::current().name().is_some_and(|n| n.starts_with(THREAD_NAME)) {
                previous(info);
            }
        }));
    });
}

/// Starts the listener thread; it ends when every emitter is gone.
pub fn start(sink: Arc<dyn EventSink>) -> Emitter {
    quiet_listener_panics();
    let (emitter, mut rx) = events::queue(events::QUEUE_CAPACITY);
    std::thread::Builder::new()
        .name(THREAD_NAME.into())
        .spawn(move || {
            while let Some(event) = rx.blocking_recv() {
                deliver(&*sink, event);
            }
        })
        .expect("listener thread starts");
    emitter
}

fn deliver(sink: &dyn EventSink, event: Event) {
    let name = event.name();
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| sink.deliver(event))) {
        tracing::error!(event = name, panic = %panic_message(payload), "listener failed; event skipped");
    }
}
