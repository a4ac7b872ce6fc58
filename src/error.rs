//! The one error type of the SDK. Every variant carries OpenIM's numeric `code` (server codes
//! such as 1501 token expired, or SDK codes such as 10009 not logged in) and a readable message.

use openim_wire::errcode;

/// An error from any SDK call. `code` is OpenIM's error code and `msg` says what happened; the
/// variant groups codes by what the app can do about them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum OpenIMError {
    /// The server could not be reached or the connection dropped (10000).
    #[error("[{code}] network error: {msg}")]
    Network { code: i32, msg: String },
    /// No answer in time (10001).
    #[error("[{code}] timed out: {msg}")]
    Timeout { code: i32, msg: String },
    /// A wrong argument (10002), or the server refused one (1001); a message sent twice (10204);
    /// a call made while the same one runs (10005: `uploadLogs`, as in OpenIM).
    #[error("[{code}] invalid argument: {msg}")]
    InvalidArgument { code: i32, msg: String },
    /// The call needs a logged-in user (10009).
    #[error("[{code}] not logged in: {msg}")]
    NotLoggedIn { code: i32, msg: String },
    /// `login` while already logged in or logging in (10102).
    #[error("[{code}] already logged in: {msg}")]
    LoginRepeat { code: i32, msg: String },
    /// The token was refused (1501 expired … 1507 not exist; 1506 means kicked). Log in again
    /// with a fresh token.
    #[error("[{code}] token rejected: {msg}")]
    Token { code: i32, msg: String },
    /// Any other error code the server returned.
    #[error("[{code}] server error: {msg}")]
    Server { code: i32, msg: String },
    /// The server sent something that does not decode (10202).
    #[error("[{code}] protocol error: {msg}")]
    Protocol { code: i32, msg: String },
    /// The local database failed (10006).
    #[error("[{code}] local database error: {msg}")]
    Database { code: i32, msg: String },
    /// A bug or an unexpected state inside the SDK (10006).
    #[error("[{code}] internal error: {msg}")]
    Internal { code: i32, msg: String },
    /// The app stopped the call: an upload cancelled with its `CancellationToken` or
    /// `cancelSendingMessage` (10003, OpenIM's code for a call whose context ended).
    #[error("[{code}] cancelled: {msg}")]
    Cancelled { code: i32, msg: String },
}

pub type Result<T, E = OpenIMError> = std::result::Result<T, E>;

impl OpenIMError {
    /// OpenIM's error code.
    pub fn code(&self) -> i32 {
        match self {
            Self::Network { code, .. }
            | Self::Timeout { code, .. }
            | Self::InvalidArgument { code, .. }
            | Self::NotLoggedIn { code, .. }
            | Self::LoginRepeat { code, .. }
            | Self::Token { code, .. }
            | Self::Server { code, .. }
            | Self::Protocol { code, .. }
            | Self::Database { code, .. }
            | Self::Internal { code, .. }
            | Self::Cancelled { code, .. } => *code,
        }
    }

    pub fn network(message: impl Into<String>) -> Self {
        Self::Network { code: errcode::SDK_NETWORK, msg: message.into() }
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Self::Timeout { code: errcode::SDK_NETWORK_TIMEOUT, msg: message.into() }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::InvalidArgument { code: errcode::SDK_ARGS, msg: message.into() }
    }

    pub fn not_logged_in() -> Self {
        Self::NotLoggedIn { code: errcode::SDK_NOT_LOGIN, msg: "log in first".into() }
    }

    pub fn login_repeat() -> Self {
        Self::LoginRepeat { code: errcode::SDK_LOGIN_REPEAT, msg: "already logged in; log out first".into() }
    }

    pub fn protocol(message: impl Into<String>) -> Self {
        Self::Protocol { code: errcode::SDK_MSG_DECODE_BINARY_WS, msg: message.into() }
    }

    pub fn database(message: impl Into<String>) -> Self {
        Self::Database { code: errcode::SDK_INTERNAL, msg: message.into() }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal { code: errcode::SDK_INTERNAL, msg: message.into() }
    }

    pub fn cancelled(message: impl Into<String>) -> Self {
        Self::Cancelled { code: errcode::SDK_CTX_DEADLINE, msg: message.into() }
    }

    /// An `errCode` from the server (REST envelope, gateway reply or handshake).
    pub fn from_server(code: i32, message: impl Into<String>) -> Self {
        let message = message.into();
        if errcode::is_token_error(code) {
            Self::Token { code, msg: message }
        } else if code == errcode::ARGS {
            Self::InvalidArgument { code, msg: message }
        } else {
            Self::Server { code, msg: message }
        }
    }

}

impl From<sqlx::Error> for OpenIMError {
    fn from(e: sqlx::Error) -> Self {
        Self::database(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for OpenIMError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::database(format!("migration: {e}"))
    }
}

impl From<serde_json::Error> for OpenIMError {
    fn from(e: serde_json::Error) -> Self {
        Self::protocol(format!("JSON does not decode: {e}"))
    }
}
