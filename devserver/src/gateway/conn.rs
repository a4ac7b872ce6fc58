//! One gateway connection: a reader loop (30 s read deadline, envelope validation, request
//! dispatch) and a writer task fed by the connection's bounded queue.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt, stream::SplitSink};
use openim_wire::api::ApiResponse;
use openim_wire::constant::{defaults, req};
use openim_wire::gateway::{TextMessage, WsRequest, WsResponse, decode_frame, decode_gob_frame};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::ConnArgs;
use super::handler;
use super::registry::{ConnHandle, Outbound, WRITE_QUEUE};
use crate::state::SharedState;

/// Time allowed for one write.
pub const WRITE_WAIT: Duration = Duration::from_secs(10);

enum Next {
    Continue,
    Close,
}

pub async fn serve(state: SharedState, socket: WebSocket, args: ConnArgs) {
    let (mut sink, mut stream) = socket.split();
    if args.send_response {
        let ok = serde_json::to_string(&ApiResponse::<()>::success(None)).unwrap_or_default();
        if sink.send(Message::text(ok)).await.is_err() {
            return;
        }
    }
    let (tx, rx) = mpsc::channel(WRITE_QUEUE);
    let conn = Arc::new(ConnHandle::new(state.registry.next_conn_id(), &args, tx));
    let kicked = state.registry.register(conn.clone(), state.config.multi_login_policy);
    if !kicked.is_empty() {
        for old in &kicked {
            old.kick();
        }
        if let Err(e) = state.auth.kick_tokens(&conn.user_id, conn.platform_id, Some(&conn.token)).await {
            tracing::warn!(error = %e, "invalidating older tokens failed");
        }
    }
    tracing::info!(conn = conn.id, user = %conn.user_id, platform = conn.platform_id, kicked = kicked.len(), "connected");
    state.registry.presence_changed(&conn.user_id);

    let writer = tokio::spawn(write_loop(sink, rx, conn.abort.clone()));
    if conn.platform_id == openim_wire::constant::platform::WEB {
        tokio::spawn(ping_web(conn.clone(), state.config.web_ping_period));
    }

    loop {
        let item = tokio::select! {
            _ = conn.abort.cancelled() => break,
            _ = state.shutdown.cancelled() => break,
            item = tokio::time::timeout(state.config.read_deadline, stream.next()) => item,
        };
        let msg = match item {
            Err(_) => {
                tracing::info!(conn = conn.id, "read deadline passed");
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                tracing::info!(conn = conn.id, error = %e, "read failed");
                break;
            }
            Ok(Some(Ok(msg))) => msg,
        };
        let next = match msg {
            Message::Binary(frame) => on_binary(&state, &conn, &frame).await,
            Message::Text(text) => on_text(&conn, text.as_str()),
            // tungstenite answers pings itself; both reset the read deadline.
            Message::Ping(_) | Message::Pong(_) => Next::Continue,
            Message::Close(_) => Next::Close,
        };
        if let Next::Close = next {
            break;
        }
    }

    state.registry.unregister(&conn);
    state.registry.presence_changed(&conn.user_id);
    conn.close();
    if tokio::time::timeout(WRITE_WAIT, writer).await.is_err() {
        conn.abort.cancel();
    }
    tracing::info!(conn = conn.id, user = %conn.user_id, "disconnected");
}

/// OpenIM pings Web connections (only those): a browser answers with a pong, which keeps its
/// read deadline from passing.
async fn ping_web(conn: Arc<ConnHandle>, period: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        tokio::select! {
            _ = conn.abort.cancelled() => return,
            _ = ticks.tick() => {
                if !conn.ping() {
                    return;
                }
            }
        }
    }
}

async fn write_loop(mut sink: SplitSink<WebSocket, Message>, mut rx: mpsc::Receiver<Outbound>, abort: CancellationToken) {
    loop {
        let item = tokio::select! {
            _ = abort.cancelled() => break,
            item = rx.recv() => item,
        };
        match item {
            Some(Outbound::Frame(msg)) => match tokio::time::timeout(WRITE_WAIT, sink.send(msg)).await {
                Ok(Ok(())) => {}
                _ => break,
            },
            Some(Outbound::Close) | None => {
                let _ = tokio::time::timeout(WRITE_WAIT, sink.close()).await;
                break;
            }
        }
    }
    abort.cancel();
}

fn on_text(conn: &ConnHandle, text: &str) -> Next {
    match serde_json::from_str::<TextMessage>(text) {
        Ok(m) if m.kind == TextMessage::PING => {
            let pong = TextMessage { kind: TextMessage::PONG.into(), body: m.body };
            let _ = conn.send_text(serde_json::to_string(&pong).unwrap_or_default());
            Next::Continue
        }
        Ok(m) if m.kind == TextMessage::PONG => Next::Continue,
        _ => {
            tracing::info!(conn = conn.id, "unsupported text frame, closing");
            Next::Close
        }
    }
}

async fn on_binary(state: &SharedState, conn: &ConnHandle, frame: &[u8]) -> Next {
    let limit = defaults::GATEWAY_MAX_CLIENT_FRAME * 20;
    let decoded = if conn.gob { decode_gob_frame(frame, conn.gzip, limit) } else { decode_frame(frame, conn.gzip, limit) };
    let request: WsRequest = match decoded {
        Ok(r) => r,
        Err(e) => {
            tracing::info!(conn = conn.id, error = %e, "undecodable frame, closing");
            return Next::Close;
        }
    };
    if request.req_identifier == 0
        || request.send_id.is_empty()
        || request.operation_id.is_empty()
        || request.msg_incr.is_empty()
    {
        tracing::info!(conn = conn.id, "request misses required fields, closing");
        return Next::Close;
    }
    if request.send_id != conn.user_id {
        tracing::info!(conn = conn.id, "request sendID differs from the connection's user, closing");
        return Next::Close;
    }
    state.faults.count_request(request.req_identifier);
    let Some(result) = handler::handle(state, conn, &request).await else {
        tracing::info!(conn = conn.id, req = request.req_identifier, "unknown reqIdentifier, closing");
        return Next::Close;
    };
    let (mut err_code, mut err_msg, mut data) = match result {
        Ok(data) => (0, String::new(), data),
        Err(e) => (e.code, e.msg, Vec::new()),
    };
    match state.faults.take_reply_fault(request.req_identifier) {
        Some(crate::faults::ReplyFault::Drop) => {
            tracing::info!(conn = conn.id, req = request.req_identifier, "fault: reply dropped");
            return Next::Continue;
        }
        Some(crate::faults::ReplyFault::LateError { code, delay }) => {
            tokio::time::sleep(delay).await;
            (err_code, err_msg, data) = (code, "injected fault".into(), Vec::new());
        }
        None => {}
    }
    conn.send(&WsResponse {
        req_identifier: request.req_identifier,
        msg_incr: request.msg_incr,
        operation_id: request.operation_id,
        err_code,
        err_msg,
        data,
    });
    if request.req_identifier == req::LOGOUT_MSG { Next::Close } else { Next::Continue }
}
