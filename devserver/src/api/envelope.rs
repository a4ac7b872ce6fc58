//! Building OpenIM's reply envelope and reading JSON bodies.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use openim_wire::api::ApiResponse;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::CodeError;

/// An error envelope (always HTTP 200, as OpenIM answers).
pub fn error_response(e: &CodeError) -> Response {
    Json(ApiResponse::error(e.code, e.msg.clone(), e.detail.clone())).into_response()
}

impl IntoResponse for CodeError {
    fn into_response(self) -> Response {
        error_response(&self)
    }
}

/// A success envelope carrying `data`.
pub fn ok<T: Serialize>(data: T) -> Response {
    Json(ApiResponse::success(Some(data))).into_response()
}

/// A success envelope without `data` (an empty protobuf reply).
pub fn ok_empty() -> Response {
    Json(ApiResponse::<()>::success(None)).into_response()
}

pub type ApiResult = Result<Response, CodeError>;

/// A JSON request body; anything unreadable is `ArgsError` (1001), as gin's binding reports it.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = CodeError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| CodeError::args(e.to_string()))?;
        serde_json::from_slice(&bytes).map(Body).map_err(|e| CodeError::args(e.to_string()))
    }
}
