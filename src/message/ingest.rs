//! Applying messages that arrive from the server (pushes and pulls), OpenIM's `doMsgNew`:
//! own messages confirm their local copy (or come in from another device), others' messages are
//! stored once (duplicates by client ID are ignored), conversations get their latest message
//! and unread count, and listeners hear about it. Notification conversations (`n_`) are routed
//! to [`super::notification`].

use std::collections::HashMap;

use openim_wire::constant::{content_type, msg_status, options, session_type};
use openim_wire::pb::sdkws::MsgData;

use super::Messages;
use super::model::*;
use crate::conversation::{Changes, InputStatusChange};
use crate::error::Result;
use crate::events::{ConversationEvent, Event, MsgEvent};

/// Messages from one push or pull, by conversation.
#[derive(Debug, Default)]
pub struct Incoming {
    pub chats: HashMap<String, Vec<MsgData>>,
    pub notifications: HashMap<String, Vec<MsgData>>,
}

impl Incoming {
    pub fn is_empty(&self) -> bool {
        self.chats.values().all(Vec::is_empty) && self.notifications.values().all(Vec::is_empty)
    }
}

/// A seq the server has no message for (deleted, or outside the user's history): kept as a
/// deleted row so the seq counts as known and is never asked for again.
pub(crate) fn placeholder(conversation_id: &str, seq: i64) -> Message {
    Message {
        client_msg_id: format!("{conversation_id}:{seq}"),
        server_msg_id: String::new(),
        create_time: 0,
        send_time: 0,
        session_type: 0,
        send_id: String::new(),
        recv_id: String::new(),
        group_id: String::new(),
        msg_from: 0,
        content_type: 0,
        sender_platform_id: 0,
        sender_nickname: String::new(),
        sender_face_url: String::new(),
        seq,
        is_read: true,
        status: MessageStatus::Deleted,
        attached_info: String::new(),
        ex: String::new(),
        local_ex: String::new(),
        content: MessageContent::Unknown { raw: String::new() },
    }
}

/// Whether the server sent a seq without a message behind it.
pub(crate) fn is_placeholder(data: &MsgData) -> bool {
    data.seq > 0 && data.status == msg_status::HAS_DELETED && data.client_msg_id.is_empty()
}

impl Messages {
    /// Applies `incoming` and reports it to the listeners.
    pub async fn ingest(&self, incoming: Incoming) -> Result<()> {
        if incoming.is_empty() {
            return Ok(());
        }
        let _guard = self.ctx.ingest_lock.lock().await;
        let unread_before = self.conversations.total_unread().await?;
        let mut changes = Changes::default();
        let mut reports: Vec<Event> = Vec::new();

        let mut chats: Vec<_> = incoming.chats.into_iter().collect();
        chats.sort_by(|a, b| a.0.cmp(&b.0));
        for (conversation_id, mut msgs) in chats {
            msgs.sort_by_key(|m| m.seq);
            self.ingest_chat(&conversation_id, msgs, &mut changes, &mut reports).await?;
        }
        let mut notifications: Vec<_> = incoming.notifications.into_iter().collect();
        notifications.sort_by(|a, b| a.0.cmp(&b.0));
        for (conversation_id, mut msgs) in notifications {
            msgs.sort_by_key(|m| m.seq);
            let top = msgs.iter().map(|m| m.seq).max().unwrap_or(0);
            for data in msgs {
                if data.seq == 0 || data.seq > self.ctx.synced_seq(&conversation_id) {
                    self.apply_notification(&data, &mut changes, &mut reports).await?;
                }
            }
            self.ctx.raise_synced_seq(&conversation_id, top).await?;
        }

        for event in reports {
            self.ctx.emit(event);
        }
        self.conversations.report(changes, unread_before).await
    }

    async fn ingest_chat(
        &self,
        conversation_id: &str,
        msgs: Vec<MsgData>,
        changes: &mut Changes,
        reports: &mut Vec<Event>,
    ) -> Result<()> {
        let me = self.ctx.user_id.clone();
        // Seqs up to the conversation's known max are already counted in its unread count (the
        // connect sync sets it from the server), so only later ones add to it.
        let existing = self.ctx.store.conversation(conversation_id).await?;
        let counted = existing.as_ref().map(|c| c.max_seq).unwrap_or(0);
        let counted = counted.max(self.ctx.store.conversation_has_read_seq(conversation_id).await?);
        let mut latest: Option<Message> = None;
        let mut unread_added = 0;
        let mut peer_profile: Option<(String, String)> = None;
        let mut at_me = false;
        let mut session = 0;
        let mut peer = String::new();
        let mut top_seq = 0;

        for data in msgs {
            top_seq = top_seq.max(data.seq);
            if is_placeholder(&data) {
                self.ctx.store.insert_message(conversation_id, &placeholder(conversation_id, data.seq)).await?;
                continue;
            }
            let message = Message::from_msg_data(&data);
            session = message.session_type;
            peer = if message.session_type == session_type::SINGLE_CHAT {
                if message.send_id == me { message.recv_id.clone() } else { message.send_id.clone() }
            } else {
                message.group_id.clone()
            };
            if !options::is_set(&data.options, options::HISTORY) || data.seq == 0 {
                self.online_only(conversation_id, message, reports);
                continue;
            }
            let updates_conversation = options::is_set(&data.options, options::CONVERSATION_UPDATE);
            if message.send_id == me {
                match self.ctx.store.message(conversation_id, &message.client_msg_id).await? {
                    Some(local) if local.seq == 0 => {
                        // Our own message coming back with its seq.
                        let status = if updates_conversation { MessageStatus::SendSuccess } else { MessageStatus::Filtered };
                        self.ctx.store.confirm_own_message(conversation_id, &message, status).await?;
                        self.ctx.store.remove_sending(conversation_id, &message.client_msg_id).await?;
                        self.ctx.seq_assigned(&message.client_msg_id, message.seq);
                        if updates_conversation {
                            let mut confirmed = local;
                            confirmed.seq = message.seq;
                            confirmed.server_msg_id = message.server_msg_id.clone();
                            confirmed.send_time = message.send_time;
                            confirmed.status = status;
                            latest = newest(latest, confirmed);
                        }
                    }
                    Some(_) => continue,
                    None => {
                        // Sent from another of our devices.
                        if !self.ctx.store.insert_message(conversation_id, &message).await? {
                            continue;
                        }
                        if updates_conversation && options::is_set(&data.options, options::SENDER_CONVERSATION_UPDATE) {
                            latest = newest(latest, message.clone());
                        }
                        reports.push(self.new_message_event(message));
                    }
                }
            } else {
                if !self.ctx.store.insert_message(conversation_id, &message).await? {
                    continue;
                }
                if options::is_set(&data.options, options::UNREAD_COUNT) && message.seq > counted {
                    unread_added += 1;
                }
                if let MessageContent::AtText { at_user_ids, .. } = &message.content
                    && at_user_ids.iter().any(|u| *u == me || u == "AtAllTag")
                {
                    at_me = true;
                }
                if message.session_type == session_type::SINGLE_CHAT && !message.sender_nickname.is_empty() {
                    peer_profile = Some((message.sender_nickname.clone(), message.sender_face_url.clone()));
                }
                if updates_conversation {
                    latest = newest(latest, message.clone());
                }
                reports.push(self.new_message_event(message));
            }
        }
        self.ctx.raise_synced_seq(conversation_id, top_seq).await?;

        if latest.is_none() && unread_added == 0 {
            return Ok(());
        }
        let (mut c, is_new) = match existing {
            Some(c) => (c, false),
            None => self.conversations.load_or_new(conversation_id, session, &peer).await?,
        };
        if let Some(m) = latest
            && (c.latest_msg.is_none() || m.send_time >= c.latest_msg_send_time)
        {
            c.latest_msg_send_time = m.send_time;
            c.latest_msg = Some(m);
        }
        c.unread_count += unread_added;
        c.max_seq = c.max_seq.max(top_seq);
        if let Some((name, face)) = peer_profile {
            c.show_name = name;
            if !face.is_empty() {
                c.face_url = face;
            }
        }
        if at_me && session != session_type::SINGLE_CHAT {
            c.group_at_type = 1;
        }
        self.ctx.store.save_conversation(&c).await?;
        changes.record(c, is_new);
        Ok(())
    }

    /// Messages that keep no history (seq 0): typing notices and online-only messages.
    fn online_only(&self, conversation_id: &str, message: Message, reports: &mut Vec<Event>) {
        if message.send_id == self.ctx.user_id {
            return;
        }
        if message.content_type == content_type::TYPING {
            reports.push(Event::Conversation(ConversationEvent::UserInputStatusChanged(InputStatusChange {
                conversation_id: conversation_id.to_owned(),
                user_id: message.send_id.clone(),
                platform_ids: vec![message.sender_platform_id],
            })));
        } else {
            reports.push(Event::Msg(MsgEvent::RecvOnlineOnlyMessage(message)));
        }
    }

    /// `on_recv_new_message`, or `on_recv_offline_new_message` while the app is in background.
    fn new_message_event(&self, message: Message) -> Event {
        if self.ctx.is_background() {
            Event::Msg(MsgEvent::RecvOfflineNewMessage(message))
        } else {
            Event::Msg(MsgEvent::RecvNewMessage(message))
        }
    }
}

/// The later of two messages by send time, then seq.
fn newest(current: Option<Message>, candidate: Message) -> Option<Message> {
    match current {
        Some(c) if (c.send_time, c.seq) > (candidate.send_time, candidate.seq) => Some(c),
        _ => Some(candidate),
    }
}
