//! The msg gateway: WebSocket handshake with OpenIM's argument and token checks, then one task
//! per connection (see [`conn`]).
//!
//! Handshake failures are reported the two ways OpenIM reports them: as an HTTP 200 JSON body
//! `{errCode, errMsg, errDlt}` without upgrading, or — once the arguments parsed and asked for
//! `isMsgResp=true` — by upgrading, writing that JSON as one text frame and closing.

pub mod conn;
mod handler;
mod handshake;
pub mod registry;

use axum::Router;
use axum::extract::ws::{Message, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use openim_wire::api::ApiResponse;
use openim_wire::constant::defaults;

use crate::api::envelope::error_response;
use crate::error::CodeError;
use crate::state::SharedState;

pub use handshake::ConnArgs;

/// The gateway's router: every path accepts the upgrade, as OpenIM's `http.HandleFunc("/")` does.
pub fn router(state: SharedState) -> Router {
    Router::new().fallback(upgrade).with_state(state)
}

async fn upgrade(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let args = match handshake::parse(query.as_deref().unwrap_or(""), &headers) {
        Ok(args) => args,
        Err(e) => return error_response(&e),
    };
    let checked = check_token(&state, &args).await;
    let ws = match ws {
        // A client frame is at most 51 200 bytes; tungstenite zeroes the free part of its read
        // buffer before every read, and keeps it per connection (128 KiB by default).
        Ok(ws) => ws
            .max_message_size(defaults::GATEWAY_MAX_CLIENT_FRAME)
            .max_frame_size(defaults::GATEWAY_MAX_CLIENT_FRAME)
            .read_buffer_size(16 * 1024),
        Err(rejection) => {
            return match checked {
                Err(e) => error_response(&e),
                Ok(()) => rejection.into_response(),
            };
        }
    };
    match checked {
        Ok(()) => ws.on_upgrade(move |socket| conn::serve(state, socket, args)),
        Err(e) if args.send_response => ws.on_upgrade(move |mut socket| async move {
            let body = serde_json::to_string(&ApiResponse::error(e.code, e.msg, e.detail)).unwrap_or_default();
            let _ = socket.send(Message::text(body)).await;
            let _ = socket.close().await;
        }),
        Err(e) => error_response(&e),
    }
}

/// `ParseToken` plus the check that the token belongs to the query's user and platform.
async fn check_token(state: &SharedState, args: &ConnArgs) -> Result<(), CodeError> {
    let claims = state.auth.parse_token(&args.token).await?;
    if claims.user_id != args.user_id {
        return Err(CodeError::new(
            openim_wire::errcode::TOKEN_INVALID,
            format!("token uid {} != userID {}", claims.user_id, args.user_id),
        ));
    }
    if claims.platform_id != args.platform_id {
        return Err(CodeError::new(
            openim_wire::errcode::TOKEN_INVALID,
            format!("token platform {} != platformID {}", claims.platform_id, args.platform_id),
        ));
    }
    Ok(())
}
