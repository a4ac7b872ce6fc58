//! Sending: validation, OpenIM's `encapsulateMsgData`, seq allocation and storage, conversation
//! records for both sides, and pushes.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;

use md5::{Digest, Md5};
use openim_wire::constant::{content_type, msg_from, options, req, session_type};
use openim_wire::conversation_id;
use openim_wire::errcode;
use openim_wire::gateway::WsResponse;
use openim_wire::pb::GoEncode as _;
use openim_wire::pb::msg::SendMsgResp;
use openim_wire::pb::sdkws::{MsgData, PullMsgs, PushMessages};

use super::conversation_id_of;
use crate::error::{CodeError, CodeResult};
use crate::state::SharedState;
use crate::store::{MAX_BATCH, NewMessage, now_ms};

/// OpenIM's `GetMsgID`: md5 of time, sender and randomness.
pub fn new_msg_id(send_id: &str) -> String {
    let seed = format!("{}-{}-{}", now_ms(), send_id, fastrand::u64(..));
    format!("{:x}", Md5::digest(seed.as_bytes()))
}

fn set_off(opts: &mut HashMap<String, bool>, keys: &[&str]) {
    for key in keys {
        opts.insert((*key).to_owned(), false);
    }
}

/// OpenIM's `encapsulateMsgData`: server message ID, send time, options forced by content type.
fn encapsulate(msg: &mut MsgData) {
    msg.server_msg_id = new_msg_id(&msg.send_id);
    if msg.send_time == 0 {
        msg.send_time = now_ms();
    }
    use options::*;
    match msg.content_type {
        content_type::HAS_READ_RECEIPT => {
            set_off(&mut msg.options, &[CONVERSATION_UPDATE, SENDER_CONVERSATION_UPDATE, UNREAD_COUNT, OFFLINE_PUSH])
        }
        content_type::TYPING => set_off(
            &mut msg.options,
            &[HISTORY, PERSISTENT, SENDER_SYNC, CONVERSATION_UPDATE, SENDER_CONVERSATION_UPDATE, UNREAD_COUNT, OFFLINE_PUSH],
        ),
        _ => {}
    }
}

/// A message sent by a client over the gateway (request 1003).
/// `operation_id` is the send request's: the pushes of the message carry it, as OpenIM's do
/// (clients use it to recognise their own message).
pub async fn send_from_client(
    state: &SharedState,
    user_id: &str,
    platform_id: i32,
    operation_id: &str,
    mut msg: MsgData,
) -> CodeResult<SendMsgResp> {
    if msg.send_id != user_id {
        return Err(CodeError::no_permission(format!("sendID {} is not the connection's user", msg.send_id)));
    }
    if msg.client_msg_id.is_empty() {
        return Err(CodeError::args("clientMsgID is empty"));
    }
    if msg.content_type <= 0 {
        return Err(CodeError::args("contentType is invalid"));
    }
    match msg.session_type {
        session_type::SINGLE_CHAT | session_type::READ_GROUP_CHAT => verify(state, &mut msg).await?,
        other => return Err(CodeError::args(format!("sessionType {other} is not supported"))),
    }
    if msg.sender_platform_id == 0 {
        msg.sender_platform_id = platform_id;
    }
    msg.msg_from = msg_from::USER;
    encapsulate(&mut msg);
    let msg = deliver(state, msg, &[], operation_id).await?;
    super::records::mention(state, &msg).await;
    Ok(SendMsgResp { server_msg_id: msg.server_msg_id, client_msg_id: msg.client_msg_id, send_time: msg.send_time, modify: None })
}

/// OpenIM's `messageVerification` and `modifyMessageByUserMessageReceiveOpt` for a message a user
/// sends, from a client or named as its sender through the API: in a single chat, the recipient
/// exists, has not blocked the sender and (when configured) has them as a friend — app managers
/// exempt —, and the recipient's receive options apply; in a group, [`check_group_send`].
pub(crate) async fn verify(state: &SharedState, msg: &mut MsgData) -> CodeResult<()> {
    match msg.session_type {
        session_type::SINGLE_CHAT => {
            if msg.recv_id.is_empty() {
                return Err(CodeError::args("recvID is empty"));
            }
            let sender = msg.send_id.clone();
            // One query: the recipient exists, has not blocked the sender, is their friend.
            let peer = state.store.peer_of(&msg.recv_id, &sender).await?;
            if !peer.exists {
                return Err(CodeError::new(errcode::USER_ID_NOT_FOUND, format!("recvID {} not found", msg.recv_id)));
            }
            if !state.auth.is_admin(&sender) {
                if peer.blocked_sender {
                    return Err(CodeError::new(errcode::BLOCKED_BY_PEER, format!("{} blocked {sender}", msg.recv_id)));
                }
                if state.config.friend_verify && !peer.befriended_sender {
                    return Err(CodeError::new(errcode::NOT_PEERS_FRIEND, format!("{sender} is not a friend of {}", msg.recv_id)));
                }
            }
            apply_recv_opt(&peer, msg)
        }
        session_type::READ_GROUP_CHAT => check_group_send(state, &msg.send_id, msg).await,
        _ => Ok(()),
    }
}

/// OpenIM's `modifyMessageByUserMessageReceiveOpt`, for a user's message to a single chat: a
/// recipient who receives nothing (global option 1), or nothing in this chat (its option 1; read
/// receipts still go), does not get it, and the sender is told so (1001, "message is not sent");
/// option 2 (globally, or else in the chat) delivers it without offline push.
fn apply_recv_opt(peer: &crate::store::friends::Peer, msg: &mut MsgData) -> CodeResult<()> {
    const NOT_RECEIVE: i32 = 1;
    const NOT_NOTIFY: i32 = 2;
    let not_sent = || CodeError::args("message is not sent");
    match peer.global_recv_msg_opt {
        NOT_RECEIVE => return Err(not_sent()),
        NOT_NOTIFY => {
            set_off(&mut msg.options, &[options::OFFLINE_PUSH]);
            return Ok(());
        }
        // RECEIVE, or any other value: the chat's own option decides.
        _ => {}
    }
    match peer.conversation_recv_msg_opt {
        Some(NOT_RECEIVE) if msg.content_type != content_type::HAS_READ_RECEIPT => Err(not_sent()),
        Some(NOT_NOTIFY) => {
            set_off(&mut msg.options, &[options::OFFLINE_PUSH]);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// OpenIM's `messageVerification` for a group: the group exists and is not dismissed, the sender
/// is a member, and neither it nor (for ordinary members) the group is muted. The owner and app
/// managers are exempt from mutes.
async fn check_group_send(state: &SharedState, user_id: &str, msg: &MsgData) -> CodeResult<()> {
    use openim_wire::constant::group as g;
    if msg.group_id.is_empty() {
        return Err(CodeError::args("groupID is empty"));
    }
    // One query: the group's status and the sender's membership.
    let Some(group) = state.store.group_sender(&msg.group_id, user_id).await? else {
        return Err(CodeError::new(errcode::RECORD_NOT_FOUND, format!("group {} not found", msg.group_id)));
    };
    if group.status == g::STATUS_DISMISSED && msg.content_type != content_type::GROUP_DISMISSED {
        return Err(CodeError::new(errcode::DISMISSED_ALREADY, format!("group {} is dismissed", msg.group_id)));
    }
    if state.auth.is_admin(user_id) {
        return Ok(());
    }
    let Some((role_level, mute_end_time)) = group.member else {
        return Err(CodeError::new(errcode::NOT_IN_GROUP_YET, format!("{user_id} is not in group {}", msg.group_id)));
    };
    if role_level == g::OWNER {
        return Ok(());
    }
    if mute_end_time >= now_ms() {
        return Err(CodeError::new(errcode::MUTED_IN_GROUP, format!("{user_id} is muted in group {}", msg.group_id)));
    }
    if group.status == g::STATUS_MUTED && role_level != g::ADMIN {
        return Err(CodeError::new(errcode::MUTED_GROUP, format!("group {} is muted", msg.group_id)));
    }
    Ok(())
}

/// A server-built message (a notification); fills the server fields and delivers it.
pub async fn send_system(state: &SharedState, msg: MsgData) -> CodeResult<MsgData> {
    send_system_to(state, msg, &[]).await
}

/// [`send_system`], also pushed to `extra` users (members who just left a group).
pub async fn send_system_to(state: &SharedState, mut msg: MsgData, extra: &[String]) -> CodeResult<MsgData> {
    encapsulate(&mut msg);
    deliver(state, msg, extra, &new_msg_id("push")).await
}

/// A message waiting for delivery ([`deliver`]).
pub struct Delivery {
    msg: MsgData,
    extra: Vec<String>,
    operation_id: String,
    done: tokio::sync::oneshot::Sender<CodeResult<MsgData>>,
}

/// Stores the message when it keeps history (with the conversation's next seq), creates the
/// conversation records of both sides (of every member for a group's first message), and pushes
/// it to the recipients (every member of a group, and `extra`) and, with `senderSync`, to every
/// connection of the sender.
///
/// Deliveries queue in the order they are asked for; whoever holds the send lock takes up to
/// [`MAX_BATCH`] of them from the front, stores them in one transaction (a group commit: under
/// load one round trip to SQLite serves many sends instead of one each) and pushes them in seq
/// order. Each delivery starts a task that takes the lock once, so no queued delivery is left
/// behind (there are never fewer such tasks than queued deliveries, and each one that finds
/// the queue non-empty takes at least one). The work runs in those tasks: a caller that goes
/// away (a REST client that disconnects) never leaves a stored message without its conversation
/// records or pushes.
async fn deliver(state: &SharedState, msg: MsgData, extra: &[String], operation_id: &str) -> CodeResult<MsgData> {
    let (done, result) = tokio::sync::oneshot::channel();
    // No await between queueing the delivery and starting its task.
    state.deliveries.lock().expect("deliveries lock").push_back(Delivery { msg, extra: extra.to_vec(), operation_id: operation_id.to_owned(), done });
    let state = state.clone();
    tokio::spawn(async move {
        let _order = state.send_lock.lock().await;
        let batch: Vec<Delivery> = {
            let mut queue = state.deliveries.lock().expect("deliveries lock");
            let n = queue.len().min(MAX_BATCH);
            queue.drain(..n).collect()
        };
        if !batch.is_empty() {
            deliver_batch(&state, batch).await;
        }
    });
    result.await.map_err(|_| CodeError::internal("the delivery task ended without a result"))?
}

/// Delivers `batch` in order: one transaction stores those that keep history, then each gets
/// its conversation records and pushes, and its result. A message the store refused fails with
/// its error (the others are delivered).
async fn deliver_batch(state: &SharedState, batch: Vec<Delivery>) {
    let mut items = Vec::with_capacity(batch.len());
    for Delivery { mut msg, extra, operation_id, done } in batch {
        let Some(conversation_id) = conversation_id_of(&msg) else {
            let _ = done.send(Err(CodeError::args("sessionType is not supported")));
            continue;
        };
        // Stored and pushed messages are sent messages (msg_transfer.go, push_handler.go).
        msg.status = openim_wire::constant::msg_status::SEND_SUCCESS;
        msg.seq = 0;
        items.push((conversation_id, msg, extra, operation_id, done));
    }
    let mut readers = Vec::with_capacity(items.len());
    for (conversation_id, msg, ..) in &items {
        // The sender has read everything up to its own message (set in the same write).
        readers.push((!conversation_id::is_notification(conversation_id)).then(|| msg.send_id.clone()));
    }
    let mut to_store: Vec<NewMessage<'_>> = items
        .iter_mut()
        .zip(&readers)
        .filter(|((_, msg, ..), _)| options::is_set(&msg.options, options::HISTORY))
        .map(|((conversation_id, msg, ..), reader)| NewMessage { conversation_id: conversation_id.as_str(), msg, reader: reader.as_deref() })
        .collect();
    let mut failures = if to_store.is_empty() { Vec::new() } else { state.store.insert_messages(&mut to_store).await };
    drop(to_store);
    let mut failures = failures.drain(..).map(Result::err);
    for (conversation_id, msg, extra, operation_id, done) in items {
        let failed = if options::is_set(&msg.options, options::HISTORY) { failures.next().flatten() } else { None };
        let result = match failed {
            Some(e) => Err(e),
            // A panic fails this message only; the rest of the batch is still delivered.
            None => AssertUnwindSafe(deliver_stored(state, msg, &conversation_id, &extra, &operation_id))
                .catch_unwind()
                .await
                .unwrap_or_else(|_| Err(CodeError::internal("the delivery panicked"))),
        };
        let _ = done.send(result);
    }
}

/// A message of [`deliver_batch`] after the store gave it its seq (or none: seq 0 keeps no
/// history): its conversation records, then its pushes.
async fn deliver_stored(state: &SharedState, msg: MsgData, conversation_id: &str, extra: &[String], operation_id: &str) -> CodeResult<MsgData> {
    if msg.seq > 0 && !conversation_id::is_notification(conversation_id) {
        let now = now_ms();
        match msg.session_type {
            // Made with the chat's first message, as OpenIM's transfer does.
            session_type::SINGLE_CHAT if msg.seq == 1 => {
                state.store.ensure_conversation(&msg.send_id, conversation_id, session_type::SINGLE_CHAT, &msg.recv_id, "", now).await?;
                state.store.ensure_conversation(&msg.recv_id, conversation_id, session_type::SINGLE_CHAT, &msg.send_id, "", now).await?;
            }
            // The user's only: the account never reads it (OpenIM's `CreateSingleChatConversations`).
            session_type::NOTIFICATION_CHAT if msg.seq == 1 => {
                state.store.ensure_conversation(&msg.recv_id, conversation_id, session_type::NOTIFICATION_CHAT, &msg.send_id, "", now).await?;
            }
            // Later members get theirs when they join.
            session_type::READ_GROUP_CHAT if msg.seq == 1 => {
                for member in state.store.group_member_ids(&msg.group_id).await? {
                    state.store.ensure_conversation(&member, conversation_id, session_type::READ_GROUP_CHAT, "", &msg.group_id, now).await?;
                }
            }
            _ => {}
        }
    }
    let mut recipients = if msg.session_type == session_type::READ_GROUP_CHAT {
        state.store.group_member_ids(&msg.group_id).await?
    } else {
        vec![msg.recv_id.clone()]
    };
    recipients.extend(extra.iter().cloned());
    if options::is_set(&msg.options, options::SENDER_SYNC) {
        recipients.push(msg.send_id.clone());
    }
    recipients.sort();
    recipients.dedup();
    push(state, &recipients, conversation_id, &msg, operation_id);
    Ok(msg)
}

/// Queues push 2001 for every connection of `users`.
pub fn push(state: &SharedState, users: &[String], conversation_id: &str, msg: &MsgData, operation_id: &str) {
    let pulled = HashMap::from([(conversation_id.to_owned(), PullMsgs { msgs: vec![msg.clone()], is_end: false, end_seq: 0 })]);
    let push = if conversation_id::is_notification(conversation_id) {
        PushMessages { msgs: HashMap::new(), notification_msgs: pulled }
    } else {
        PushMessages { msgs: pulled, notification_msgs: HashMap::new() }
    };
    let frame = WsResponse {
        req_identifier: req::PUSH_MSG,
        operation_id: operation_id.to_owned(),
        data: push.encode_go(),
        ..Default::default()
    };
    let mut frames = crate::gateway::registry::Frames::new(&frame);
    for user in users {
        if state.faults.take_push_drop(user) {
            tracing::info!(%user, "fault: push dropped");
            continue;
        }
        for conn in state.registry.conns_of(user) {
            frames.send_to(&conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::state::AppState;

    /// A caller that goes away once delivery started (a REST client that disconnects) leaves
    /// a complete delivery: the message, and both sides' conversation records of a first
    /// message.
    #[tokio::test]
    async fn a_delivery_finishes_when_its_caller_goes_away() {
        let config = crate::config::DevServerConfig::default();
        let store = crate::store::Store::open(None).await.unwrap();
        let auth = crate::auth::Auth::new(&config.secret, 86_400, Vec::new(), config.multi_login_policy, store.clone());
        let state: SharedState = Arc::new(AppState::new(config, store, auth));
        // Held, so the delivery cannot finish before its caller is dropped.
        let order = state.send_lock.lock().await;
        let msg = MsgData {
            send_id: "a".into(),
            recv_id: "b".into(),
            client_msg_id: "c1".into(),
            session_type: session_type::SINGLE_CHAT,
            content_type: content_type::TEXT,
            options: [(options::HISTORY.to_owned(), true)].into_iter().collect(),
            ..Default::default()
        };
        let caller = send_system(&state, msg);
        assert!(tokio::time::timeout(Duration::from_millis(1), caller).await.is_err(), "the caller was still waiting");
        drop(order);
        let conversation = conversation_id::single("a", "b");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let stored = state.store.max_seqs(std::slice::from_ref(&conversation)).await.unwrap();
            let a = state.store.conversation("a", &conversation).await.unwrap();
            let b = state.store.conversation("b", &conversation).await.unwrap();
            if stored.get(&conversation).map(|s| s.0) == Some(1) && a.is_some() && b.is_some() {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "delivery stopped with its caller: {stored:?} {a:?} {b:?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Deliveries queued while the send lock is held go out as group commits in the order they
    /// were asked for: seqs 1…100 in call order, pushed in that order, every caller answered; a
    /// message the store refuses fails alone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn queued_deliveries_take_their_seqs_in_call_order() {
        use crate::gateway::registry::Outbound;
        let config = crate::config::DevServerConfig::default();
        let store = crate::store::Store::open(None).await.unwrap();
        let auth = crate::auth::Auth::new(&config.secret, 86_400, Vec::new(), config.multi_login_policy, store.clone());
        let state: SharedState = Arc::new(AppState::new(config, store, auth));
        // The recipient's connection (JSON envelope, no gzip), read below.
        let (tx, mut pushed) = tokio::sync::mpsc::channel(256);
        let args = crate::gateway::ConnArgs { user_id: "b".into(), platform_id: 1, token: "t".into(), sdk_type: "js".into(), ..Default::default() };
        state.registry.register(Arc::new(crate::gateway::registry::ConnHandle::new(1, &args, tx)), state.config.multi_login_policy);
        sqlx::query("CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.client_msg_id = 'c50' BEGIN SELECT RAISE(ABORT, 'refused'); END")
            .execute(state.store.pool())
            .await
            .unwrap();

        let order = state.send_lock.lock().await;
        let callers: Vec<_> = (0..101)
            .map(|i| {
                let msg = MsgData {
                    send_id: "a".into(),
                    recv_id: "b".into(),
                    client_msg_id: format!("c{i}"),
                    session_type: session_type::SINGLE_CHAT,
                    content_type: content_type::TEXT,
                    options: [(options::HISTORY.to_owned(), true), (options::IS_NOT_NOTIFICATION.to_owned(), true)].into_iter().collect(),
                    ..Default::default()
                };
                send_system(&state, msg)
            })
            .collect();
        // Polled in order once each, so queued in order, then let through.
        let all = futures_util::future::join_all(callers);
        tokio::pin!(all);
        assert!(tokio::time::timeout(Duration::from_millis(1), &mut all).await.is_err(), "the deliveries waited for the lock");
        assert_eq!(state.deliveries.lock().unwrap().len(), 101);
        drop(order);
        let delivered = tokio::time::timeout(Duration::from_secs(10), all).await.expect("every delivery answered");
        assert!(delivered[50].is_err(), "the refused message fails");
        let seqs: Vec<(String, i64)> = delivered.into_iter().filter_map(|r| r.ok()).map(|m| (m.client_msg_id, m.seq)).collect();
        let want: Vec<(String, i64)> = (0..101).filter(|i| *i != 50).zip(1..).map(|(i, seq)| (format!("c{i}"), seq)).collect();
        assert_eq!(seqs, want);
        assert!(state.deliveries.lock().unwrap().is_empty());

        let mut pushes = Vec::new();
        while let Ok(Outbound::Frame(axum::extract::ws::Message::Binary(frame))) = pushed.try_recv() {
            let resp: WsResponse = openim_wire::gateway::decode_frame(&frame, false, 1 << 20).unwrap();
            let push = <PushMessages as openim_wire::pb::Message>::decode(resp.data.as_slice()).unwrap();
            for pulled in push.msgs.into_values() {
                pushes.extend(pulled.msgs.into_iter().map(|m| (m.client_msg_id, m.seq)));
            }
        }
        assert_eq!(pushes, want, "pushed once each, in seq order");
    }
}
