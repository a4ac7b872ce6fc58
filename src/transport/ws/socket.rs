//! One established gateway connection: writes queued request frames, pings every 24 s, drops
//! the connection after 30 s without any frame, and sorts incoming frames into replies (matched
//! by `msgIncr`), pushes and kicks. Malformed frames are logged and skipped.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use openim_wire::constant::req;
use openim_wire::gateway::{TextMessage, WsResponse, decode_frame};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use super::connect::Socket;
use super::{Connection, MAX_INFLATED_FRAME, TransportEvent};
use crate::util::operation_id;

/// Ping period (OpenIM: `pingPeriod` = 24 s).
pub const PING_PERIOD: Duration = Duration::from_secs(24);
/// Read deadline, reset by every frame (OpenIM: `pongWait` = 30 s).
pub const PONG_WAIT: Duration = Duration::from_secs(30);
/// Time allowed for one write.
pub const WRITE_WAIT: Duration = Duration::from_secs(10);

/// Why a connection ended.
#[derive(Debug)]
pub enum End {
    Cancelled,
    Kicked,
    Lost(String),
}

enum Action {
    Continue,
    Send(Message),
    End(End),
}

/// Reads only while the session can take what a frame may carry: a reserved slot in its event
/// queue. While the session is behind (a slow listener holds it up), frames wait in the socket
/// and nothing is dropped; pings and queued requests still go out.
pub async fn run(
    ws: Socket,
    first: Option<Message>,
    conn: &Connection,
    outbound: &mut mpsc::Receiver<Vec<u8>>,
    events: &mpsc::Sender<TransportEvent>,
    cancel: &CancellationToken,
) -> End {
    let (mut sink, mut stream) = ws.split();
    let mut ping = tokio::time::interval_at(Instant::now() + PING_PERIOD, PING_PERIOD);
    let mut deadline = Instant::now() + PONG_WAIT;
    let mut slot: Option<mpsc::OwnedPermit<TransportEvent>> = None;
    let mut pending_action = match first {
        Some(m) => match events.clone().reserve_owned().await {
            Ok(permit) => Some(on_message(m, conn, permit, &mut slot)),
            Err(_) => return End::Cancelled,
        },
        None => None,
    };
    loop {
        if let Some(action) = pending_action.take() {
            match action {
                Action::Continue => {}
                Action::End(end) => return end,
                Action::Send(msg) => {
                    if let Err(reason) = write(&mut sink, msg).await {
                        return End::Lost(reason);
                    }
                }
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => {
                let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(Message::Close(None))).await;
                return End::Cancelled;
            }
            _ = conn.shared.network_changed.notified() => return End::Lost("the device's network changed".into()),
            frame = outbound.recv() => match frame {
                Some(frame) => pending_action = Some(Action::Send(Message::Binary(frame.into()))),
                None => return End::Cancelled,
            },
            _ = ping.tick() => {
                pending_action = Some(Action::Send(Message::Ping(operation_id().into_bytes().into())));
            }
            permit = events.clone().reserve_owned(), if slot.is_none() => match permit {
                Ok(permit) => slot = Some(permit),
                Err(_) => return End::Cancelled,
            },
            item = tokio::time::timeout_at(deadline, stream.next()), if slot.is_some() => match item {
                Err(_) => return End::Lost(format!("no frame from the gateway for {PONG_WAIT:?}")),
                Ok(None) => return End::Lost("connection closed".into()),
                Ok(Some(Err(e))) => return End::Lost(e.to_string()),
                Ok(Some(Ok(msg))) => {
                    deadline = Instant::now() + PONG_WAIT;
                    let permit = slot.take().expect("a slot is reserved before reading");
                    pending_action = Some(on_message(msg, conn, permit, &mut slot));
                }
            },
        }
    }
}

async fn write<S>(sink: &mut S, msg: Message) -> Result<(), String>
where
    S: futures_util::Sink<Message, Error = tokio_tungstenite::tungstenite::Error> + Unpin,
{
    match tokio::time::timeout(WRITE_WAIT, sink.send(msg)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("write failed: {e}")),
        Err(_) => Err(format!("write took longer than {WRITE_WAIT:?}")),
    }
}

/// Handles one frame with `permit` (a reserved queue slot); a slot it did not use goes back
/// into `slot`.
fn on_message(
    msg: Message,
    conn: &Connection,
    permit: mpsc::OwnedPermit<TransportEvent>,
    slot: &mut Option<mpsc::OwnedPermit<TransportEvent>>,
) -> Action {
    let mut permit = Some(permit);
    let action = on_frame(msg, conn, &mut permit);
    *slot = permit;
    action
}

fn on_frame(msg: Message, conn: &Connection, permit: &mut Option<mpsc::OwnedPermit<TransportEvent>>) -> Action {
    match msg {
        Message::Binary(frame) => on_binary(&frame, conn, permit),
        Message::Text(text) => match serde_json::from_str::<TextMessage>(text.as_str()) {
            Ok(m) if m.kind == TextMessage::PING => {
                let pong = TextMessage { kind: TextMessage::PONG.into(), body: m.body };
                Action::Send(Message::text(serde_json::to_string(&pong).unwrap_or_default()))
            }
            Ok(_) => Action::Continue,
            Err(_) => {
                tracing::warn!(len = text.len(), "ignoring a text frame that is not a heartbeat");
                Action::Continue
            }
        },
        // tungstenite queues the pong itself; both kinds of control frame just reset the deadline.
        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Action::Continue,
        Message::Close(frame) => Action::End(End::Lost(match frame {
            Some(f) => format!("closed by the gateway ({} {})", f.code, f.reason),
            None => "closed by the gateway".into(),
        })),
    }
}

fn on_binary(frame: &[u8], conn: &Connection, permit: &mut Option<mpsc::OwnedPermit<TransportEvent>>) -> Action {
    // We ask for gzip, but accept a server that sends plain JSON.
    let gzipped = frame.starts_with(&[0x1f, 0x8b]);
    let resp: WsResponse = match decode_frame(frame, gzipped, MAX_INFLATED_FRAME) {
        Ok(resp) => resp,
        Err(e) => {
            tracing::error!(error = %e, len = frame.len(), "dropping an undecodable gateway frame");
            return Action::Continue;
        }
    };
    let resp = if resp.msg_incr.is_empty() {
        resp
    } else {
        match conn.complete(resp) {
            None => return Action::Continue,
            Some(unclaimed) => unclaimed,
        }
    };
    match resp.req_identifier {
        req::KICK_ONLINE_MSG => Action::End(End::Kicked),
        req::PUSH_MSG => {
            if let Some(permit) = permit.take() {
                permit.send(TransportEvent::Push(resp.data));
            }
            Action::Continue
        }
        req::SUB_USER_ONLINE_STATUS => {
            if let Some(permit) = permit.take() {
                permit.send(TransportEvent::UserStatus(resp.data));
            }
            Action::Continue
        }
        other => {
            tracing::debug!(req = other, msg_incr = %resp.msg_incr, "ignoring an unsolicited gateway frame");
            Action::Continue
        }
    }
}
