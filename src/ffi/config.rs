//! Client configuration and status enums.

pub use crate::logging::LogLevel;

/// How an `OpenIMClient` talks to its server and where it keeps data.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpenIMConfig {
    /// OpenIM platform ID of this device: 1 iOS, 2 Android, 3 Windows, 4 macOS, 5 Web,
    /// 6 mini-program, 7 Linux, 8 Android pad, 9 iPad, 11 HarmonyOS (10 is the admin platform).
    pub platform: i32,
    /// REST API base URL, e.g. `http://127.0.0.1:10002` (http or https).
    pub api_addr: String,
    /// Gateway URL, e.g. `ws://127.0.0.1:10001` (ws or wss).
    pub ws_addr: String,
    /// Directory for the per-user databases; created when missing.
    pub data_dir: String,
    /// Verbosity of the SDK's log (stderr).
    pub log_level: LogLevel,
}


/// OpenIM's login status (1 logged out, 2 logging in, 3 logged in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
#[repr(i32)]
pub enum LoginStatus {
    LoggedOut = 1,
    Logging = 2,
    Logged = 3,
}
