//! Process-wide logging. The first `OpenIMClient` (or [`set_log_sink`]) installs a tracing
//! subscriber with one level for the whole SDK. Records go to stderr, or, once the host sets a
//! [`LogSink`], to the host (Logcat, OSLog, a file) instead.
//!
//! The sink is called on a thread of its own behind a bounded queue, so a slow or throwing sink
//! never holds up the engine; records that do not fit are counted and the count is logged
//! through the sink as soon as it keeps up again. Tokens are never logged (see
//! [`crate::util::Token`]). This module uses nothing of the SDK's other layers.

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, OnceLock, RwLock};

use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::reload;
use tracing_subscriber::util::SubscriberInitExt;

/// How much the SDK logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, uniffi::Enum)]
pub enum LogLevel {
    Off,
    Error,
    #[default]
    Warn,
    Info,
    Debug,
    /// As `Debug` in release builds: trace records (only dependencies write them) are compiled
    /// out there (tracing's `release_max_level_debug`, 53 KB of the library).
    Trace,
}

impl From<LogLevel> for LevelFilter {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Off => LevelFilter::OFF,
            LogLevel::Error => LevelFilter::ERROR,
            LogLevel::Warn => LevelFilter::WARN,
            LogLevel::Info => LevelFilter::INFO,
            LogLevel::Debug => LevelFilter::DEBUG,
            LogLevel::Trace => LevelFilter::TRACE,
        }
    }
}

fn level_of(level: &tracing::Level) -> LogLevel {
    match *level {
        tracing::Level::ERROR => LogLevel::Error,
        tracing::Level::WARN => LogLevel::Warn,
        tracing::Level::INFO => LogLevel::Info,
        tracing::Level::DEBUG => LogLevel::Debug,
        tracing::Level::TRACE => LogLevel::Trace,
    }
}

/// One log line for a [`LogSink`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LogRecord {
    pub level: LogLevel,
    /// The SDK module that logged it, e.g. `openim_sdk::engine::sync`.
    pub target: String,
    /// The message with its fields (`key=value`).
    pub message: String,
    /// Milliseconds since the epoch.
    pub timestamp_ms: i64,
}

/// Where the host wants the SDK's log (Logcat, OSLog, its own logger). Called on the SDK's log
/// thread, one record at a time.
#[uniffi::export(foreign)]
pub trait LogSink: Send + Sync {
    fn log(&self, record: LogRecord);
}

/// Records queued for the sink before new ones are counted as dropped.
const SINK_QUEUE: usize = 4096;

struct SinkWorker {
    tx: SyncSender<LogRecord>,
    dropped: Arc<AtomicU64>,
}

static RELOAD: OnceLock<Option<reload::Handle<LevelFilter, tracing_subscriber::Registry>>> = OnceLock::new();
static SINK: RwLock<Option<SinkWorker>> = RwLock::new(None);
static SINK_SET: AtomicBool = AtomicBool::new(false);

/// Installs the subscriber (once) and sets its level.
pub fn init(level: LogLevel) {
    let handle = RELOAD.get_or_init(|| {
        let (filter, handle) = reload::Layer::new(LevelFilter::from(level));
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let stderr = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(true)
            .with_ansi(ansi)
            .with_filter(filter_fn(|_| !SINK_SET.load(Ordering::Relaxed)));
        // Another subscriber may already be installed by the host application; then we use it.
        tracing_subscriber::registry().with(filter).with(stderr).with(SinkLayer).try_init().ok().map(|()| handle)
    });
    if let Some(handle) = handle {
        let _ = handle.modify(|f| *f = LevelFilter::from(level));
    }
}

/// Sends the SDK's log to `sink` instead of stderr, at `level` and above (for every client of
/// the process). `None` goes back to stderr.
#[uniffi::export]
pub fn set_log_sink(sink: Option<Arc<dyn LogSink>>, level: LogLevel) {
    init(level);
    let worker = sink.map(start_worker);
    SINK_SET.store(worker.is_some(), Ordering::Relaxed);
    // Replacing the worker drops the old queue's sender: its thread ends after what it holds.
    *SINK.write().unwrap_or_else(|e| e.into_inner()) = worker;
}

fn start_worker(sink: Arc<dyn LogSink>) -> SinkWorker {
    let (tx, rx) = sync_channel::<LogRecord>(SINK_QUEUE);
    let dropped = Arc::new(AtomicU64::new(0));
    let lost = dropped.clone();
    std::thread::Builder::new()
        .name("openim-log".into())
        .spawn(move || {
            for record in rx {
                let n = lost.swap(0, Ordering::Relaxed);
                if n > 0 {
                    let note = LogRecord {
                        level: LogLevel::Warn,
                        target: "openim_sdk::logging".into(),
                        message: format!("{n} log records dropped: the log sink was too slow"),
                        timestamp_ms: record.timestamp_ms,
                    };
                    let _ = catch_unwind(AssertUnwindSafe(|| sink.log(note)));
                }
                // A sink that throws loses that record only.
                let _ = catch_unwind(AssertUnwindSafe(|| sink.log(record)));
            }
        })
        .expect("log thread starts");
    SinkWorker { tx, dropped }
}

/// Formats events for the sink.
struct SinkLayer;

/// An event's message, then its other fields as `key=value`.
#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Text {
    fn into_line(self) -> String {
        if self.fields.is_empty() { self.message } else { format!("{}{}", self.message, self.fields) }
    }
}

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for SinkLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: tracing_subscriber::layer::Context<'_, S>) {
        if !SINK_SET.load(Ordering::Relaxed) {
            return;
        }
        let guard = SINK.read().unwrap_or_else(|e| e.into_inner());
        let Some(worker) = guard.as_ref() else { return };
        let mut text = Text::default();
        event.record(&mut text);
        let meta = event.metadata();
        let record = LogRecord {
            level: level_of(meta.level()),
            target: meta.target().to_owned(),
            message: text.into_line(),
            timestamp_ms: openim_wire::time::now_ms(),
        };
        if let Err(TrySendError::Full(_)) = worker.tx.try_send(record) {
            worker.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}
