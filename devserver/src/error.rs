//! OpenIM's `CodeError`: a code, its name (`errMsg`) and a detail (`errDlt`).

use openim_wire::errcode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code} {msg} {detail}")]
pub struct CodeError {
    pub code: i32,
    pub msg: String,
    pub detail: String,
}

impl CodeError {
    /// An error with the server's standard message for `code`.
    pub fn new(code: i32, detail: impl Into<String>) -> Self {
        Self { code, msg: errcode::server_message(code).to_owned(), detail: detail.into() }
    }

    pub fn args(detail: impl Into<String>) -> Self {
        Self::new(errcode::ARGS, detail)
    }

    pub fn no_permission(detail: impl Into<String>) -> Self {
        Self::new(errcode::NO_PERMISSION, detail)
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(errcode::SERVER_INTERNAL, detail)
    }
}

impl From<sqlx::Error> for CodeError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        Self::internal(format!("database: {e}"))
    }
}

pub type CodeResult<T> = Result<T, CodeError>;
