//! Process-wide tracing set-up. The first `OpenIMClient` installs a stderr subscriber; later
//! clients adjust its level. Tokens are never logged (see [`crate::util::Token`]).

use std::sync::OnceLock;

use tracing_subscriber::filter::LevelFilter;
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
    Trace,
}

static RELOAD: OnceLock<Option<reload::Handle<LevelFilter, tracing_subscriber::Registry>>> = OnceLock::new();

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

/// Installs the subscriber (once) and sets its level.
pub fn init(level: LogLevel) {
    let handle = RELOAD.get_or_init(|| {
        let (filter, handle) = reload::Layer::new(LevelFilter::from(level));
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(true).with_ansi(ansi);
        // Another subscriber may already be installed by the host application; then we use it.
        tracing_subscriber::registry().with(filter).with(fmt).try_init().ok().map(|()| handle)
    });
    if let Some(handle) = handle {
        let _ = handle.modify(|f| *f = LevelFilter::from(level));
    }
}
