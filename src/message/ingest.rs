//! Applying chat messages that arrive from the server (pushes and pulls), OpenIM's `doMsgNew`,
//! inside the session's one write: own messages confirm their local copy (or come in from
//! another device), others' messages are stored once, a client ID already stored under another
//! seq keeps one row (the other seq is remembered as deleted), conversations get their latest
//! message and unread count, and the listener events wait for the commit. No network here: a
//! sender's profile comes from the message itself and is completed after the commit.

use std::collections::{BTreeMap, HashMap, HashSet};

use openim_wire::constant::{content_type, msg_status, options, session_type};
use openim_wire::pb::sdkws::MsgData;

use super::{Messages, from_row, placeholder, to_row};
use crate::context::Write;
use crate::conversation::{self, save, save_over, save_over_many, set_latest};
use crate::error::Result;
use crate::events::{Event, MsgEvent};
use crate::model::*;
use crate::store::rows::ConversationRow;
use crate::store::chat_logs;

/// Whether the server sent a seq without a message behind it.
pub fn is_placeholder(data: &MsgData) -> bool {
    data.seq > 0 && data.status == msg_status::HAS_DELETED && data.client_msg_id.is_empty()
}

/// Whether [`Messages::batch`] stores `data` up front: a message kept in history, with a seq.
/// Placeholders and online-only messages take other paths. The insert is a no-op for a client
/// ID already stored: a repeat, or an own message this device sent (its local copy is then
/// confirmed in [`Messages::apply_chat_over`] as before); an own message without a local copy
/// was sent from another device.
fn stored_up_front(data: &MsgData) -> bool {
    !is_placeholder(data) && data.seq != 0 && options::is_set(&data.options, options::HISTORY)
}

/// `groupAtType` bits: mentioned by ID, and @all.
const AT_ME: i32 = 1;
const AT_ALL: i32 = 2;
/// The ID in `atUserIDList` that mentions everyone (OpenIM's `AtAllTag`).
pub const AT_ALL_TAG: &str = "AtAllTag";

/// Many conversations' messages applied in one write ([`Messages::batch`]).
pub struct Batch {
    /// Client IDs stored up front, per conversation.
    inserted: HashMap<String, HashSet<String>>,
    /// The batch's single-chat senders, and their friend remarks (what `display_name` reads).
    peers: HashSet<String>,
    remarks: HashMap<String, String>,
    /// Conversations to write when the batch finishes, over their stored rows.
    saves: Vec<(Option<ConversationRow>, ConversationRow)>,
}

/// The conversation a chat message affects, as found while applying it.
struct Touch {
    latest: Option<Message>,
    unread_added: i32,
    /// `AT_ME` | `AT_ALL` as seen in this batch.
    at_type: i32,
    /// The kind of the batch's last mention of this user (what the server's record says after it).
    last_at_type: i32,
    session: i32,
    peer: String,
    peer_profile: Option<(String, String)>,
    top_seq: i64,
}

impl Messages {
    /// Applies one conversation's chat messages (sorted by seq here) in `w`.
    pub async fn apply_chat(&self, w: &mut Write, conversation_id: &str, msgs: Vec<MsgData>) -> Result<()> {
        let existing = w.tx.conversation(conversation_id).await?;
        self.apply_chat_over(w, conversation_id, msgs, existing, None).await
    }

    /// Starts applying many conversations' messages at once (a pull brings a hundred): stores,
    /// in a few multi-row statements, the messages that [`Self::apply_chat_over`] would insert
    /// one statement each (others' messages, and own ones sent from another device, which one
    /// by one took three: the confirmation finding no local copy, the read, the insert). Sorts
    /// each conversation's messages by seq, so a client ID the batch repeats is stored under its
    /// first seq, as one by one.
    pub async fn batch(&self, w: &mut Write, chats: &mut BTreeMap<String, Vec<MsgData>>) -> Result<Batch> {
        let me = &self.ctx.user_id;
        let mut rows = Vec::new();
        let mut peers = HashSet::new();
        for (conversation_id, msgs) in chats.iter_mut() {
            msgs.sort_by_key(|m| m.seq);
            for d in msgs.iter().filter(|d| stored_up_front(d)) {
                rows.push(to_row(conversation_id, &Message::from_msg_data(d)));
                if session_type::with_user(d.session_type) && d.send_id != *me {
                    peers.insert(d.send_id.clone());
                }
            }
        }
        let inserted = if rows.is_empty() { HashMap::new() } else { chat_logs::insert_many(&mut w.tx, &rows).await? };
        let ids: Vec<String> = peers.iter().cloned().collect();
        let remarks = conversation::remarks(&mut w.tx, &ids).await?;
        Ok(Batch { inserted, peers, remarks, saves: Vec::new() })
    }

    /// Writes the conversations of a [`Self::batch`] (a few multi-row statements).
    pub async fn finish_batch(&self, w: &mut Write, batch: Batch) -> Result<()> {
        save_over_many(w, batch.saves).await
    }

    /// [`Self::apply_chat`] with the conversation's stored row (`existing`) already read in `w`
    /// (a pull reads those of a whole batch in one query). In a `batch` (each conversation
    /// once), its new messages (others', and own ones sent from another device) are stored
    /// already and the conversation is written when the batch finishes.
    pub async fn apply_chat_over(
        &self,
        w: &mut Write,
        conversation_id: &str,
        mut msgs: Vec<MsgData>,
        existing: Option<ConversationRow>,
        mut batch: Option<&mut Batch>,
    ) -> Result<()> {
        let mut inserted = batch.as_mut().and_then(|b| b.inserted.remove(conversation_id)).unwrap_or_default();
        // Pushed as they happen (not pulled): a mention marks the chat here before the server's
        // mark can reach this device. A pulled one is older than the conversation records synced
        // before the pull, which hold the server's mark — or its clear from another device.
        let live = batch.is_none();
        msgs.sort_by_key(|m| m.seq);
        let me = self.ctx.user_id.clone();
        // Seqs up to the conversation's known max (or read seq) are already counted in its
        // unread count (the connect sync sets it from the server), so only later ones add to it.
        let counted = existing.as_ref().map(|c| c.max_seq.max(c.has_read_seq)).unwrap_or(0);
        let mut t = Touch { latest: None, unread_added: 0, at_type: 0, last_at_type: 0, session: 0, peer: String::new(), peer_profile: None, top_seq: 0 };

        for data in msgs {
            t.top_seq = t.top_seq.max(data.seq);
            if is_placeholder(&data) {
                chat_logs::insert(&mut w.tx, &placeholder(conversation_id, data.seq)).await?;
                continue;
            }
            let mut message = Message::from_msg_data(&data);
            message.conversation_id = conversation_id.to_owned();
            t.session = message.session_type;
            t.peer = if session_type::with_user(message.session_type) {
                if message.send_id == me { message.recv_id.clone() } else { message.send_id.clone() }
            } else {
                message.group_id.clone()
            };
            if !options::is_set(&data.options, options::HISTORY) || data.seq == 0 {
                self.online_only(w, conversation_id, message);
                continue;
            }
            let updates_conversation = options::is_set(&data.options, options::CONVERSATION_UPDATE);
            let row = to_row(conversation_id, &message);
            // The common cases take one statement: an own message confirms its local copy, a
            // message from someone else is inserted (in a batch, both were inserted up front
            // when new). Only when that finds something else is the stored message read.
            // An own message the batch stored was sent from another of our devices: below.
            let new_own = message.send_id == me && inserted.remove(&message.client_msg_id);
            if message.send_id == me {
                let status = if updates_conversation { msg_status::SEND_SUCCESS } else { msg_status::FILTERED };
                if !new_own && let Some(stored) = chat_logs::confirm(&mut w.tx, &row, status).await? {
                    // Our own message coming back with its seq (a late failure never undoes it).
                    w.seq_assigned(
                        conversation_id,
                        &message.client_msg_id,
                        crate::context::Confirmed {
                            seq: stored.seq,
                            server_msg_id: stored.server_msg_id.clone(),
                            send_time: stored.send_time,
                            status: stored.status,
                        },
                    );
                    if updates_conversation && stored.status != msg_status::HAS_DELETED {
                        t.latest = newest(t.latest.take(), from_row(stored));
                    }
                    continue;
                }
            } else if inserted.remove(&message.client_msg_id) || chat_logs::insert(&mut w.tx, &row).await? {
                // (`stored_up_front` names this branch for `batch`.)
                if options::is_set(&data.options, options::UNREAD_COUNT) && message.seq > counted {
                    t.unread_added += 1;
                }
                if live && let MessageContent::AtText { at_user_ids, .. } = &message.content {
                    // OpenIM's groupAtType: 1 @me, 2 @all, 3 both.
                    let at = if at_user_ids.contains(&me) { AT_ME } else { 0 } | if at_user_ids.iter().any(|u| u == AT_ALL_TAG) { AT_ALL } else { 0 };
                    if at != 0 {
                        t.at_type |= at;
                        t.last_at_type = at;
                    }
                }
                if session_type::with_user(message.session_type) && !message.sender_nickname.is_empty() {
                    t.peer_profile = Some((message.sender_nickname.clone(), message.sender_face_url.clone()));
                }
                if updates_conversation {
                    t.latest = newest(t.latest.take(), message.clone());
                }
                w.push(self.new_message_event(message));
                continue;
            }
            let local = if new_own { None } else { chat_logs::get(&mut w.tx, conversation_id, &message.client_msg_id).await? };
            match local {
                Some(local) if local.seq == message.seq => {} // seen before
                Some(local) => {
                    // The server stored this client ID twice: one row stays; the other seq is
                    // known (deleted), so history never asks for it again.
                    tracing::warn!(conversation = conversation_id, client_msg_id = %message.client_msg_id, kept = local.seq,
                        seq = message.seq, "a client message ID came back under a second seq");
                    chat_logs::insert(&mut w.tx, &placeholder(conversation_id, message.seq)).await?;
                }
                None => {
                    // Sent from another of our devices.
                    if !new_own {
                        chat_logs::insert(&mut w.tx, &row).await?;
                    }
                    if updates_conversation && options::is_set(&data.options, options::SENDER_CONVERSATION_UPDATE) {
                        t.latest = newest(t.latest.take(), message.clone());
                    }
                    w.push(self.new_message_event(message));
                }
            }
        }
        if t.latest.is_none() && t.unread_added == 0 {
            return Ok(());
        }
        let mut c = conversation::or_new(&mut w.tx, existing.as_ref(), conversation_id, t.session, &t.peer).await?;
        if let Some(m) = &t.latest
            && (c.latest_msg.is_empty() || m.send_time >= c.latest_msg_send_time)
        {
            set_latest(&mut c, Some(m));
        }
        c.unread_count = c.unread_count.saturating_add(t.unread_added);
        c.max_seq = c.max_seq.max(t.top_seq);
        if let Some((name, face)) = t.peer_profile {
            c.show_name = match batch.as_deref() {
                // A notification account's chat goes by the account's name, as OpenIM's.
                _ if c.conversation_type == session_type::NOTIFICATION_CHAT => name,
                Some(b) if b.peers.contains(&c.user_id) => b.remarks.get(&c.user_id).cloned().unwrap_or(name),
                _ => conversation::display_name(&mut w.tx, &c.user_id, &name).await?,
            };
            if !face.is_empty() {
                c.face_url = face;
            }
        }
        if t.at_type != 0 && !session_type::with_user(t.session) {
            // Bits 1 (@me) and 2 (@all) add up to OpenIM's 3 (@all and @me). The server marks the
            // record too, with the last mention's kind (`apply_server_settings`).
            c.group_at_type = (c.group_at_type & (AT_ME | AT_ALL)) | t.at_type;
            c.server_group_at_type = t.last_at_type;
        }
        self.conversations.name_later(w, &c);
        match batch {
            Some(batch) => {
                batch.saves.push((existing, c));
                Ok(())
            }
            None => save_over(w, existing, c).await,
        }
    }

    /// Messages that keep no history (seq 0): typing notices and online-only messages.
    fn online_only(&self, w: &mut Write, conversation_id: &str, message: Message) {
        if message.send_id == self.ctx.user_id {
            return;
        }
        if message.content_type == content_type::TYPING {
            let (this, conversation_id) = (self.clone(), conversation_id.to_owned());
            w.after_commit(async move { this.typing_received(conversation_id, message).await });
        } else {
            w.push(Event::Msg(MsgEvent::RecvOnlineOnlyMessage(message)));
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

    /// When `client_msg_id` is the conversation's latest message, shows the latest visible one
    /// instead (after a deletion or a revoke).
    pub async fn latest_changed(&self, w: &mut Write, conversation_id: &str, client_msg_id: &str) -> Result<()> {
        let Some(mut c) = w.tx.conversation(conversation_id).await? else { return Ok(()) };
        if conversation::latest_client_msg_id(&c).as_deref() != Some(client_msg_id) {
            return Ok(());
        }
        let latest = chat_logs::latest_visible(&mut w.tx, conversation_id).await?.map(from_row);
        set_latest(&mut c, latest.as_ref());
        save(w, c).await
    }
}

/// The later of two messages by send time, then seq.
fn newest(current: Option<Message>, candidate: Message) -> Option<Message> {
    match current {
        Some(c) if (c.send_time, c.seq) > (candidate.send_time, candidate.seq) => Some(c),
        _ => Some(candidate),
    }
}
