//! Conversations: the list the user sees, derived from messages and reconciled with the server
//! (settings, read state). Every change goes through [`save`] inside the session's one write,
//! which reports it once the write commits.

use std::collections::HashMap;
use std::sync::Arc;

use openim_wire::api::conversation::{self as wire, ConversationReq, SetConversationsReq};
use openim_wire::api::{Empty, path};
use openim_wire::constant::{msg_status, session_type};
use openim_wire::conversation_id;
use openim_wire::elem::MsgStruct;
use sqlx::SqliteConnection;

use crate::context::{SessionContext, Write};
use crate::error::{OpenIMError, Result};
use crate::events::{Event, MsgEvent};
use crate::model::{Conversation, ConversationUpdate, Message};
use crate::store::chat_logs;
use crate::store::conversations as store;
use crate::store::rows::ConversationRow;
use crate::store::users;
use crate::user::Users;
use crate::util::now_ms;

#[derive(Clone)]
pub struct Conversations {
    ctx: Arc<SessionContext>,
    users: Users,
    sync_runs: Arc<crate::versioned::Coalesce>,
    pending_profiles: Arc<std::sync::Mutex<ProfileQueue>>,
}

/// Peers whose profiles are to be fetched, whether a task is fetching them, and whose profiles
/// this session fetched already (a peer whose name is their ID stays so named: asking again
/// on every message would cost a request and a write each time).
#[derive(Default)]
struct ProfileQueue {
    pending: std::collections::BTreeSet<String>,
    running: bool,
    fetched: std::collections::HashSet<String>,
}

/// Profiles fetched (and conversations renamed) per request and write.
const PROFILE_BATCH: usize = 500;

/// The record apps see.
pub fn from_row(r: ConversationRow) -> Conversation {
    let latest_msg = if r.latest_msg.is_empty() {
        None
    } else {
        match serde_json::from_str::<MsgStruct>(&r.latest_msg) {
            Ok(s) => Some(Message::from_msg_struct(&s)),
            Err(e) => {
                tracing::error!(conversation = %r.conversation_id, error = %e, "stored latest message does not decode");
                None
            }
        }
    };
    Conversation {
        conversation_id: r.conversation_id,
        conversation_type: r.conversation_type,
        user_id: r.user_id,
        group_id: r.group_id,
        show_name: r.show_name,
        face_url: r.face_url,
        recv_msg_opt: r.recv_msg_opt,
        unread_count: r.unread_count,
        group_at_type: r.group_at_type,
        latest_msg,
        latest_msg_send_time: r.latest_msg_send_time,
        draft_text: r.draft_text,
        draft_text_time: r.draft_text_time,
        is_pinned: r.is_pinned,
        is_private_chat: r.is_private_chat,
        burn_duration: r.burn_duration,
        attached_info: r.attached_info,
        ex: r.ex,
        max_seq: r.max_seq,
        min_seq: r.min_seq,
        is_msg_destruct: r.is_msg_destruct,
        msg_destruct_time: r.msg_destruct_time,
    }
}

/// Makes `m` the conversation's latest message.
pub fn set_latest(r: &mut ConversationRow, m: Option<&Message>) {
    match m {
        Some(m) => {
            r.latest_msg = serde_json::to_string(&m.to_msg_struct()).unwrap_or_default();
            r.latest_msg_send_time = m.send_time;
        }
        None => r.latest_msg.clear(),
    }
}

/// The client ID of the conversation's latest message, if any.
pub fn latest_client_msg_id(r: &ConversationRow) -> Option<String> {
    if r.latest_msg.is_empty() {
        return None;
    }
    serde_json::from_str::<MsgStruct>(&r.latest_msg).ok().map(|s| s.client_msg_id)
}

/// What a conversation adds to the total unread count (listed and notifying ones only).
fn unread_share(r: Option<&ConversationRow>) -> i64 {
    match r {
        Some(r) if r.recv_msg_opt < 2 && r.latest_msg_send_time > 0 => i64::from(r.unread_count),
        _ => 0,
    }
}

/// Whether a conversation is in the list apps see (it has a latest message).
fn listed(r: &ConversationRow) -> bool {
    r.latest_msg_send_time > 0
}

/// Writes `row` in `w` and reports what apps see of it: a conversation entering the list is
/// new, one in the list (or leaving it) changed when anything of it changed; one that is not
/// listed is not reported.
pub async fn save(w: &mut Write, row: ConversationRow) -> Result<()> {
    let before = w.tx.conversation(&row.conversation_id).await?;
    save_over(w, before, row).await
}

/// [`save`] when the caller read the stored row (`before`, `None` when there is none) in this
/// same write: one query less.
pub async fn save_over(w: &mut Write, before: Option<ConversationRow>, row: ConversationRow) -> Result<()> {
    if before.as_ref() == Some(&row) {
        return Ok(());
    }
    w.put_conversations(&[&row]).await?;
    report(w, before, row);
    Ok(())
}

/// A conversation off the list until its next message: OpenIM clears its latest message time
/// (and the draft's, which would list it too).
fn hide_row(c: &mut ConversationRow) {
    c.latest_msg_send_time = 0;
    c.draft_text_time = 0;
}

/// [`save_over`] for many conversations (each once), written in a few multi-row statements.
pub async fn save_over_many(w: &mut Write, saves: Vec<(Option<ConversationRow>, ConversationRow)>) -> Result<()> {
    let saves: Vec<_> = saves.into_iter().filter(|(before, row)| before.as_ref() != Some(row)).collect();
    let rows: Vec<&ConversationRow> = saves.iter().map(|(_, row)| row).collect();
    w.put_conversations(&rows).await?;
    for (before, row) in saves {
        report(w, before, row);
    }
    Ok(())
}

/// What apps hear of a conversation saved over `before`: its share of the total unread count,
/// and the conversation when it is (or was) listed and changed.
fn report(w: &mut Write, before: Option<ConversationRow>, row: ConversationRow) {
    w.out.unread_changed(unread_share(Some(&row)) - unread_share(before.as_ref()));
    let was_listed = before.as_ref().is_some_and(listed);
    if !was_listed && !listed(&row) {
        return;
    }
    let after = from_row(row);
    if !was_listed || before.is_none_or(|b| from_row(b) != after) {
        w.out.conversation(after, !was_listed);
    }
}

/// A new, empty conversation row with the peer's cached name and face (no network: a missing
/// profile leaves the ID as name, to be patched later).
pub async fn new_row(c: &mut SqliteConnection, id: &str, session: i32, peer_or_group: &str) -> Result<ConversationRow> {
    let mut rows = new_rows(c, &[(id.to_owned(), session, peer_or_group.to_owned())]).await?;
    Ok(rows.pop().expect("one row per conversation"))
}

/// [`new_row`] for many conversations (`(id, session, peer or group)`), in order: the cached
/// friends, users and groups are read a thousand per query instead of one or two queries each.
pub async fn new_rows(c: &mut SqliteConnection, wanted: &[(String, i32, String)]) -> Result<Vec<ConversationRow>> {
    let (singles, groups): (Vec<_>, Vec<_>) = wanted.iter().partition(|(_, session, _)| session_type::with_user(*session));
    let peers: Vec<String> = singles.iter().map(|(_, _, peer)| peer.clone()).collect();
    let group_ids: Vec<String> = groups.iter().map(|(_, _, group)| group.clone()).collect();
    let mut friends = HashMap::new();
    let mut users = HashMap::new();
    let mut cached_groups = HashMap::new();
    for chunk in peers.chunks(LOOKUP_CHUNK) {
        friends.extend(crate::store::friends::friends(c, Some(chunk)).await?.into_iter().map(|f| (f.friend_user_id.clone(), f)));
        let strangers: Vec<String> = chunk.iter().filter(|p| !friends.contains_key(*p)).cloned().collect();
        users.extend(users::get_many(c, &strangers).await?.into_iter().map(|u| (u.user_id.clone(), u)));
    }
    for chunk in group_ids.chunks(LOOKUP_CHUNK) {
        cached_groups.extend(crate::store::groups::groups(c, Some(chunk)).await?.into_iter().map(|g| (g.group_id.clone(), g)));
    }
    Ok(wanted
        .iter()
        .map(|(id, session, peer_or_group)| {
            let mut r = ConversationRow {
                conversation_id: id.clone(),
                conversation_type: *session,
                show_name: peer_or_group.clone(),
                burn_duration: 30,
                msg_destruct_time: 604_800,
                ..Default::default()
            };
            if session_type::with_user(*session) {
                r.user_id = peer_or_group.clone();
                if let Some(f) = friends.get(peer_or_group) {
                    // A notification account's chat goes by the account's name, as OpenIM's.
                    let remark = !f.remark.is_empty() && *session == session_type::SINGLE_CHAT;
                    r.show_name = if remark { f.remark.clone() } else { f.nickname.clone() };
                    r.face_url = f.face_url.clone();
                } else if let Some(user) = users.get(peer_or_group) {
                    if !user.nickname.is_empty() {
                        r.show_name = user.nickname.clone();
                    }
                    r.face_url = user.face_url.clone();
                }
                if r.show_name.is_empty() {
                    r.show_name = peer_or_group.clone();
                }
            } else {
                r.group_id = peer_or_group.clone();
                if let Some(group) = cached_groups.get(peer_or_group) {
                    if !group.name.is_empty() {
                        r.show_name = group.name.clone();
                    }
                    r.face_url = group.face_url.clone();
                }
            }
            r
        })
        .collect())
}

/// Conversations per [`save_over_many`] where a caller has thousands.
pub const SAVE_CHUNK: usize = 500;

/// IDs per `IN (…)` lookup of [`new_rows`].
const LOOKUP_CHUNK: usize = 1000;

/// How a user is called in the list: the friend remark when there is one, else `nickname`.
pub async fn display_name(c: &mut SqliteConnection, user_id: &str, nickname: &str) -> Result<String> {
    let mut remark = remarks(c, &[user_id.to_owned()]).await?;
    Ok(remark.remove(user_id).unwrap_or_else(|| nickname.to_owned()))
}

/// [`display_name`]'s friend remarks for many users: the non-empty remarks, by user ID.
pub async fn remarks(c: &mut SqliteConnection, user_ids: &[String]) -> Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in user_ids.chunks(LOOKUP_CHUNK) {
        let friends = crate::store::friends::friends(c, Some(chunk)).await?;
        out.extend(friends.into_iter().filter(|f| !f.remark.is_empty()).map(|f| (f.friend_user_id, f.remark)));
    }
    Ok(out)
}

/// The stored row, or a fresh one (not saved yet).
pub async fn load_or_new(c: &mut SqliteConnection, id: &str, session: i32, peer_or_group: &str) -> Result<ConversationRow> {
    let stored = store::get(c, id).await?;
    or_new(c, stored.as_ref(), id, session, peer_or_group).await
}

/// `stored` (the row read already) or, when there is none, a new row as [`new_row`] makes it.
pub async fn or_new(c: &mut SqliteConnection, stored: Option<&ConversationRow>, id: &str, session: i32, peer_or_group: &str) -> Result<ConversationRow> {
    match stored {
        Some(r) => Ok(r.clone()),
        None => new_row(c, id, session, peer_or_group).await,
    }
}

/// Whether a single or notification chat's name and face still wait for the peer's profile.
pub fn lacks_profile(r: &ConversationRow) -> bool {
    session_type::with_user(r.conversation_type) && r.show_name == r.user_id && !r.user_id.is_empty()
}

impl Conversations {
    pub fn new(ctx: Arc<SessionContext>, users: Users) -> Self {
        Self { ctx, users, sync_runs: Default::default(), pending_profiles: Default::default() }
    }

    /// Visible conversations in list order (pinned first, then newest).
    pub async fn list(&self, offset: i32, count: i32) -> Result<Vec<Conversation>> {
        if offset < 0 || count <= 0 {
            return Err(OpenIMError::invalid_argument("offset must be ≥ 0 and count > 0"));
        }
        let rows = store::page(&mut *self.ctx.store.read().await?, offset.into(), count.into()).await?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    pub async fn all(&self) -> Result<Vec<Conversation>> {
        let rows = store::page(&mut *self.ctx.store.read().await?, 0, i64::MAX).await?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    /// Conversations whose shown name contains `keyword` (OpenIM's `SearchConversation`).
    pub async fn search(&self, keyword: &str) -> Result<Vec<Conversation>> {
        if keyword.is_empty() {
            return Err(OpenIMError::invalid_argument("the keyword is empty"));
        }
        crate::util::search_keywords(vec![keyword.to_owned()])?;
        Ok(store::search(&mut *self.ctx.store.read().await?, keyword).await?.into_iter().map(from_row).collect())
    }

    pub async fn get_multiple(&self, ids: Vec<String>) -> Result<Vec<Conversation>> {
        let rows = store::get_many(&mut *self.ctx.store.read().await?, &ids).await?;
        Ok(rows.into_iter().map(from_row).collect())
    }

    pub async fn total_unread(&self) -> Result<i32> {
        Ok(crate::util::count_i32(store::total_unread(&mut *self.ctx.store.read().await?).await?))
    }

    /// The conversation with a user (session type 1), group (3) or notification account (4);
    /// created locally if missing.
    pub async fn get_one(&self, session: i32, source_id: &str) -> Result<Conversation> {
        if source_id.is_empty() {
            return Err(OpenIMError::invalid_argument("source_id is empty"));
        }
        let id = match session {
            session_type::SINGLE_CHAT => conversation_id::single(&self.ctx.user_id, source_id),
            session_type::READ_GROUP_CHAT => conversation_id::group(source_id),
            session_type::NOTIFICATION_CHAT => conversation_id::notification(&self.ctx.user_id, source_id),
            other => return Err(OpenIMError::invalid_argument(format!("session type {other} has no conversations"))),
        };
        if let Some(r) = store::get(&mut *self.ctx.store.read().await?, &id).await? {
            return Ok(from_row(r));
        }
        let mut w = self.ctx.write().await?;
        let row = load_or_new(&mut w.tx, &id, session, source_id).await?;
        // Not listed until its first message, so nothing to report.
        w.put_conversations(&[&row]).await?;
        let missing = lacks_profile(&row).then(|| row.user_id.clone());
        self.ctx.commit(w).await?;
        if let Some(user_id) = missing {
            self.patch_profiles_later(vec![user_id]);
        }
        Ok(from_row(row))
    }

    async fn existing(&self, id: &str) -> Result<ConversationRow> {
        store::get(&mut *self.ctx.store.read().await?, id)
            .await?
            .ok_or_else(|| OpenIMError::invalid_argument(format!("no conversation {id}")))
    }

    /// Pins, mutes, marks private or sets `ex` (saved on the server for every device).
    pub async fn set(&self, id: &str, update: ConversationUpdate) -> Result<Conversation> {
        if let Some(opt) = update.recv_msg_opt
            && !(0..=2).contains(&opt)
        {
            return Err(OpenIMError::invalid_argument("recv_msg_opt must be 0, 1 or 2"));
        }
        if update.group_at_type.is_some_and(|t| !(0..=4).contains(&t)) {
            return Err(OpenIMError::invalid_argument("group_at_type must be 0 to 4"));
        }
        if update.msg_destruct_time.is_some_and(|t| t <= 0) {
            return Err(OpenIMError::invalid_argument("msg_destruct_time must be more than 0 seconds"));
        }
        let c = self.existing(id).await?;
        let req = SetConversationsReq {
            user_ids: vec![self.ctx.user_id.clone()],
            conversation: ConversationReq {
                conversation_id: id.to_owned(),
                conversation_type: c.conversation_type,
                user_id: c.user_id.clone(),
                group_id: c.group_id.clone(),
                recv_msg_opt: update.recv_msg_opt,
                is_pinned: update.is_pinned,
                is_private_chat: update.is_private_chat,
                ex: update.ex.clone(),
                burn_duration: update.burn_duration,
                is_msg_destruct: update.is_msg_destruct,
                msg_destruct_time: update.msg_destruct_time,
                group_at_type: update.group_at_type,
                ..Default::default()
            },
        };
        self.ctx.api.post::<_, Empty>(path::SET_CONVERSATIONS, &req).await?;
        // Applied to the row as it is now, not as it was before the request.
        self.update(id, |c| apply_update(c, &update)).await
    }

    /// Changes one stored conversation in a write of its own and reports it.
    async fn update(&self, id: &str, change: impl FnOnce(&mut ConversationRow)) -> Result<Conversation> {
        let mut w = self.ctx.write().await?;
        let mut c = store::get(&mut w.tx, id).await?.ok_or_else(|| OpenIMError::invalid_argument(format!("no conversation {id}")))?;
        change(&mut c);
        save(&mut w, c.clone()).await?;
        self.ctx.commit(w).await?;
        Ok(from_row(c))
    }

    /// Brings the conversation list up to the server's version (changes made on other devices
    /// or by the server); concurrent calls share one run.
    pub async fn sync(&self) -> Result<()> {
        self.sync_runs.run(|| async { crate::versioned::sync(&self.ctx, self).await.map(drop) }).await
    }

    /// [`Conversations::sync`] in a session task.
    pub fn sync_later(&self) {
        let this = self.clone();
        self.ctx.spawn(async move {
            if let Err(e) = this.sync().await {
                tracing::warn!(error = %e, "conversation sync failed");
            }
        });
    }

    /// Saves a draft (an empty text clears it).
    pub async fn set_draft(&self, id: &str, draft: String) -> Result<()> {
        self.update(id, |c| {
            c.draft_text_time = if draft.is_empty() { 0 } else { now_ms() };
            c.draft_text = draft;
        })
        .await
        .map(drop)
    }

    /// Takes the conversation off the list until its next message (OpenIM clears its latest
    /// message time).
    pub async fn hide(&self, id: &str) -> Result<()> {
        self.existing(id).await?;
        self.update(id, hide_row).await.map(drop)
    }

    /// Takes every conversation off the list until its next message (OpenIM's
    /// `HideAllConversations`): one write, each listed chat reported changed.
    pub async fn hide_all(&self) -> Result<()> {
        let mut w = self.ctx.write().await?;
        let rows = store::all(&mut w.tx).await?;
        let saves = rows
            .into_iter()
            .filter(|c| c.latest_msg_send_time != 0 || c.draft_text_time != 0)
            .map(|before| {
                let mut row = before.clone();
                hide_row(&mut row);
                (Some(before), row)
            })
            .collect();
        save_over_many(&mut w, saves).await?;
        self.ctx.commit(w).await
    }

    /// Names the single chat with `user_id` (when there is one) `name` with face `face`.
    pub async fn rename_single(&self, w: &mut Write, user_id: &str, name: &str, face: &str) -> Result<()> {
        self.rename(w, vec![(conversation_id::single(&self.ctx.user_id, user_id), name, face)]).await
    }

    /// Names the chat of a group after it (no change for a group without a chat yet).
    pub async fn rename_group(&self, w: &mut Write, group_id: &str, name: &str, face: &str) -> Result<()> {
        self.rename(w, vec![(conversation_id::group(group_id), name, face)]).await
    }

    /// A sender's new name and face (a friend's or a group member's changed profile) reach the
    /// messages they sent in a conversation and its copy of the latest message, as OpenIM's
    /// clients do (`UpdateMsgFaceUrlAndNickName`).
    pub async fn sender_renamed(&self, w: &mut Write, conversation_id: &str, user_id: &str, nickname: &str, face_url: &str) -> Result<()> {
        if chat_logs::rename_sender(&mut w.tx, conversation_id, user_id, nickname, face_url).await? == 0 {
            return Ok(());
        }
        let Some(mut c) = w.tx.conversation(conversation_id).await? else { return Ok(()) };
        let Ok(mut latest) = serde_json::from_str::<MsgStruct>(&c.latest_msg) else { return Ok(()) };
        if latest.send_id != user_id {
            return Ok(());
        }
        latest.sender_nickname = nickname.to_owned();
        latest.sender_face_url = face_url.to_owned();
        c.latest_msg = serde_json::to_string(&latest).unwrap_or_default();
        save(w, c).await
    }

    /// Gives existing conversations (each listed once) a name (kept when empty) and a face,
    /// reading and writing them a few hundred per statement.
    pub async fn rename(&self, w: &mut Write, names: Vec<(String, &str, &str)>) -> Result<()> {
        for chunk in names.chunks(LOOKUP_CHUNK) {
            let mut saves = Vec::new();
            let ids: Vec<String> = chunk.iter().map(|(id, _, _)| id.clone()).collect();
            let mut stored: HashMap<String, ConversationRow> =
                store::get_many(&mut w.tx, &ids).await?.into_iter().map(|c| (c.conversation_id.clone(), c)).collect();
            for (id, name, face) in chunk {
                let Some(before) = stored.remove(id) else { continue };
                let mut c = before.clone();
                if !name.is_empty() {
                    c.show_name = (*name).to_owned();
                }
                c.face_url = (*face).to_owned();
                saves.push((Some(before), c));
            }
            save_over_many(w, saves).await?;
        }
        Ok(())
    }

    /// Fetches the profiles of `user_ids` in a session task, then names their single (and
    /// notification) chats.
    /// One task at a time fetches everything queued, [`PROFILE_BATCH`] users per request and
    /// write: a first sync of 10 000 conversations makes 20 requests, not 10 000 at once.
    pub fn patch_profiles_later(&self, user_ids: Vec<String>) {
        let start = {
            let mut q = self.pending_profiles.lock().expect("profiles lock");
            let fresh: Vec<String> = user_ids.into_iter().filter(|id| !q.fetched.contains(id)).collect();
            q.pending.extend(fresh);
            !q.pending.is_empty() && !std::mem::replace(&mut q.running, true)
        };
        if start {
            let this = self.clone();
            self.ctx.spawn(async move { this.drain_profiles().await });
        }
    }

    /// Once `w` commits, queues the peer's profile for `c` when it is a single or notification
    /// chat still named by the peer's ID whose profile is neither fetched this session nor queued.
    pub fn name_later(&self, w: &mut Write, c: &ConversationRow) {
        if !lacks_profile(c) {
            return;
        }
        let wanted = {
            let q = self.pending_profiles.lock().expect("profiles lock");
            !q.fetched.contains(&c.user_id) && !q.pending.contains(&c.user_id)
        };
        if wanted {
            let (this, user_id) = (self.clone(), c.user_id.clone());
            w.then(move || this.patch_profiles_later(vec![user_id]));
        }
    }

    async fn drain_profiles(&self) {
        loop {
            let batch: Vec<String> = {
                let mut q = self.pending_profiles.lock().expect("profiles lock");
                if q.pending.is_empty() {
                    q.running = false;
                    return;
                }
                let batch: Vec<String> = q.pending.iter().take(PROFILE_BATCH).cloned().collect();
                for id in &batch {
                    q.pending.remove(id);
                }
                batch
            };
            match self.patch_profiles(batch.clone()).await {
                // Users the server does not know are not asked for again either.
                Ok(()) => self.pending_profiles.lock().expect("profiles lock").fetched.extend(batch),
                Err(e) => tracing::warn!(error = %e, "peer profiles unavailable; conversations stay named by ID"),
            }
        }
    }

    /// Fetches profiles and applies their names and faces to the single chats with them.
    pub async fn patch_profiles(&self, user_ids: Vec<String>) -> Result<()> {
        let found = self.users.fetch(user_ids).await?;
        if found.is_empty() {
            return Ok(());
        }
        let mut w = self.ctx.write().await?;
        let ids: Vec<String> = found.iter().map(|u| u.user_id.clone()).collect();
        let remarks = remarks(&mut w.tx, &ids).await?;
        let me = &self.ctx.user_id;
        // Their single chats, and the chats of those that are notification accounts.
        let mut names = Vec::with_capacity(found.len() * 2);
        for u in &found {
            let name = remarks.get(&u.user_id).unwrap_or(&u.nickname);
            names.push((conversation_id::single(me, &u.user_id), name.as_str(), u.face_url.as_str()));
            names.push((conversation_id::notification(me, &u.user_id), u.nickname.as_str(), u.face_url.as_str()));
        }
        self.rename(&mut w, names).await?;
        self.ctx.commit(w).await
    }
}

/// The settings the server keeps for a conversation.
pub fn apply_server_settings(c: &mut ConversationRow, record: &wire::Conversation) {
    c.recv_msg_opt = record.recv_msg_opt;
    c.is_pinned = record.is_pinned;
    c.is_private_chat = record.is_private_chat;
    if record.burn_duration != 0 {
        c.burn_duration = record.burn_duration;
    }
    c.ex = record.ex.clone();
    c.attached_info = record.attached_info.clone();
    c.msg_destruct_time = record.msg_destruct_time;
    c.is_msg_destruct = record.is_msg_destruct;
    // The server raises it when it clears the conversation or destructs its messages: history
    // stops there.
    c.min_seq = c.min_seq.max(record.min_seq);
    // The server's mention mark (set by OpenIM's server after a mention or an announcement,
    // cleared by the user's apps). `server_group_at_type` is what this device expects the record
    // to hold: the record as last synced, or the mark a mention that arrived here makes the server
    // set. A record that differs is taken — a clear made on another device (also one that
    // reached the server before its mark was synced here), or a mark not seen here —; the
    // expected value leaves this device's own mark as it is (cleared when the chat was read
    // here). @me and @all add up (the server keeps only the last).
    if record.group_at_type != c.server_group_at_type {
        c.server_group_at_type = record.group_at_type;
        c.group_at_type = match record.group_at_type {
            mark @ 1..=3 if (1..=3).contains(&c.group_at_type) => c.group_at_type | mark,
            mark => mark,
        };
    }
}

fn apply_update(c: &mut ConversationRow, u: &ConversationUpdate) {
    if let Some(v) = u.recv_msg_opt {
        c.recv_msg_opt = v;
    }
    if let Some(v) = u.is_pinned {
        c.is_pinned = v;
    }
    if let Some(v) = u.is_private_chat {
        c.is_private_chat = v;
    }
    if let Some(v) = u.burn_duration {
        c.burn_duration = v;
    }
    if let Some(v) = &u.ex {
        c.ex = v.clone();
    }
    if let Some(v) = u.is_msg_destruct {
        c.is_msg_destruct = v;
    }
    if let Some(v) = u.msg_destruct_time {
        c.msg_destruct_time = v;
    }
    if let Some(v) = u.group_at_type {
        // The server's record holds it now too.
        c.group_at_type = v;
        c.server_group_at_type = v;
    }
}

/// The server destructed this user's messages below `c.min_seq` (OpenIM's self-destructing
/// messages): they go from this device too, and a latest message gone with them leaves none
/// (what stays below the floor was never sent: failed messages, still in history). Below the
/// server's floor (`server_min_seq`, to which devserver raises the read mark) nothing is unread:
/// the read mark rises to it, and the unread count loses the stored messages from others below
/// it and never exceeds what lies above it (a chat may store only its newest messages).
/// Messages not sent yet stay; each one removed that the app could see is reported deleted
/// (`onMsgDeleted`), so that an open chat drops it.
async fn destruct_below(w: &mut Write, me: &str, c: &mut ConversationRow, server_min_seq: i64) -> Result<()> {
    let floor = server_min_seq.saturating_sub(1);
    if c.has_read_seq < floor {
        let unread_gone = chat_logs::count_from_others(&mut w.tx, &c.conversation_id, me, c.has_read_seq, floor).await?;
        let above = c.max_seq.saturating_sub(floor).max(0);
        c.unread_count = (i64::from(c.unread_count) - unread_gone).clamp(0, above).min(i64::from(i32::MAX)) as i32;
        c.has_read_seq = floor;
    }
    let gone = chat_logs::delete_below(&mut w.tx, &c.conversation_id, c.min_seq).await?;
    if gone.is_empty() {
        return Ok(());
    }
    tracing::debug!(conversation = %c.conversation_id, gone = gone.len(), "self-destructed messages removed");
    // An open chat takes them off the screen; those deleted before were reported then.
    for row in gone.into_iter().filter(|r| r.status < msg_status::HAS_DELETED) {
        w.push(Event::Msg(MsgEvent::MsgDeleted(crate::message::from_row(row))));
    }
    if let Some(id) = latest_client_msg_id(c)
        && chat_logs::get(&mut w.tx, &c.conversation_id, &id).await?.is_none()
    {
        set_latest(c, None);
    }
    Ok(())
}

/// Removes a conversation's messages locally; the conversation stays, empty and read.
pub async fn clear_local(w: &mut Write, conversation_id: &str, synced_seq: i64) -> Result<()> {
    crate::store::chat_logs::delete_conversation(&mut w.tx, conversation_id).await?;
    clear_row(w, conversation_id, synced_seq, false).await
}

/// A conversation cleared on this device only: its messages are kept, marked deleted, and
/// history stops above them (the server still holds them, older ones never stored here too;
/// neither sync nor history may bring them back).
pub async fn clear_local_only(w: &mut Write, conversation_id: &str, synced_seq: i64) -> Result<()> {
    crate::store::chat_logs::mark_conversation_deleted(&mut w.tx, conversation_id).await?;
    clear_row(w, conversation_id, synced_seq, true).await
}

/// A cleared conversation: no latest message, nothing unread, read up to its max seq (with
/// `floor`, its history starting above it); it stays listed.
async fn clear_row(w: &mut Write, conversation_id: &str, synced_seq: i64, floor: bool) -> Result<()> {
    let Some(mut c) = store::get(&mut w.tx, conversation_id).await? else { return Ok(()) };
    set_latest(&mut c, None);
    c.unread_count = 0;
    c.group_at_type = 0;
    c.max_seq = c.max_seq.max(synced_seq);
    c.has_read_seq = c.max_seq;
    if floor {
        c.min_seq = c.min_seq.max(c.max_seq.saturating_add(1));
    }
    save(w, c).await
}

/// The conversation notifications (OpenIM 1300 and 1700s).
impl Conversations {
    /// 1300: conversations changed on another device or on the server; synced once the batch
    /// is committed.
    pub fn on_changed(&self, w: &mut Write, data: &openim_wire::pb::sdkws::MsgData) {
        let Some(tips) = crate::util::tips::<openim_wire::elem::ConversationUpdateTips>(data) else { return };
        if tips.user_id != self.ctx.user_id {
            return;
        }
        let this = self.clone();
        w.after_commit(async move {
            if let Err(e) = this.sync().await {
                tracing::warn!(error = %e, "syncing changed conversations failed");
            }
        });
    }

    /// 1703: conversations I cleared on another device.
    pub async fn on_cleared(&self, w: &mut Write, data: &openim_wire::pb::sdkws::MsgData) -> Result<()> {
        let Some(tips) = crate::util::tips::<openim_wire::elem::ClearConversationTips>(data) else { return Ok(()) };
        if tips.user_id != self.ctx.user_id {
            return Ok(());
        }
        for id in &tips.conversation_ids {
            clear_local(w, id, self.ctx.synced_seq(id)).await?;
        }
        Ok(())
    }
}

impl Conversations {
    /// The other conversation notifications (1700s). 1701 switches a single chat's private
    /// mode on every device of both users; the rest change nothing local.
    pub async fn on_settings_notification(&self, w: &mut Write, data: &openim_wire::pb::sdkws::MsgData) -> Result<()> {
        use openim_wire::constant::content_type as ct;
        match data.content_type {
            ct::CONVERSATION_PRIVATE_CHAT => {
                let Some(tips) = crate::util::tips::<openim_wire::elem::ConversationSetPrivateTips>(data) else { return Ok(()) };
                let id = if tips.conversation_id.is_empty() {
                    conversation_id::single(&tips.send_id, &tips.recv_id)
                } else {
                    tips.conversation_id
                };
                if let Some(mut c) = store::get(&mut w.tx, &id).await? {
                    c.is_private_chat = tips.is_private;
                    save(w, c).await?;
                }
                // The server's records stay the reference (OpenIM syncs the list on 1701).
                let this = self.clone();
                w.after_commit(async move {
                    if let Err(e) = this.sync().await {
                        tracing::warn!(error = %e, "syncing conversations after a private-chat change failed");
                    }
                });
                Ok(())
            }
            other => {
                tracing::debug!(content_type = other, "conversation notification without local effect");
                Ok(())
            }
        }
    }
}

/// The conversation list on the versioned syncer (`/conversation/get_incremental_conversations`).
/// Conversations the server drops stay on this device, as in OpenIM.
impl crate::versioned::VersionedList for Conversations {
    type Item = wire::Conversation;
    type Local = ConversationRow;
    const TABLE: &'static str = "local_conversations";

    fn entity(&self) -> String {
        self.ctx.user_id.clone()
    }

    fn id_of(item: &wire::Conversation) -> &str {
        &item.conversation_id
    }

    async fn incremental(&self, version_id: &str, version: u64) -> Result<crate::versioned::Delta<wire::Conversation>> {
        let req = wire::GetIncrementalConversationReq { user_id: self.ctx.user_id.clone(), version_id: version_id.to_owned(), version };
        let resp: wire::GetIncrementalConversationResp = self.ctx.api.post(path::GET_INCREMENTAL_CONVERSATIONS, &req).await?;
        Ok(crate::versioned::Delta {
            version_id: resp.version_id,
            version: resp.version,
            full: resp.full,
            insert: resp.insert,
            update: resp.update,
            delete: resp.delete,
        })
    }

    async fn full_ids(&self, id_hash: u64) -> Result<crate::versioned::FullIds> {
        let req = wire::GetFullOwnerConversationIDsReq { id_hash, user_id: self.ctx.user_id.clone() };
        let resp: wire::GetFullOwnerConversationIDsResp = self.ctx.api.post(path::GET_FULL_CONVERSATION_IDS, &req).await?;
        Ok(crate::versioned::FullIds { ids: (!resp.equal).then_some(resp.conversation_ids) })
    }

    async fn fetch(&self, ids: &[String]) -> Result<Vec<wire::Conversation>> {
        let req = wire::GetConversationsReq { owner_user_id: self.ctx.user_id.clone(), conversation_ids: ids.to_vec() };
        let resp: wire::ConversationsResp = self.ctx.api.post(path::GET_CONVERSATIONS, &req).await?;
        Ok(resp.conversations)
    }

    async fn local(&self, c: &mut SqliteConnection, ids: Option<&[String]>) -> Result<std::collections::HashMap<String, ConversationRow>> {
        let rows = match ids {
            Some(ids) => store::get_many(c, ids).await?,
            None => store::all(c).await?,
        };
        Ok(rows.into_iter().map(|r| (r.conversation_id.clone(), r)).collect())
    }

    fn unchanged(local: &ConversationRow, item: &wire::Conversation) -> bool {
        let mut applied = local.clone();
        apply_server_settings(&mut applied, item);
        applied == *local
    }

    /// A first sync brings every conversation: their rows are made and written in a few
    /// statements, not two or three each.
    async fn insert_many(&self, w: &mut Write, items: Vec<wire::Conversation>) -> Result<()> {
        // A bounded number of rows at a time (ten thousand conversations make tens of MB).
        for items in items.chunks(SAVE_CHUNK) {
            let wanted: Vec<(String, i32, String)> = items
                .iter()
                .map(|i| {
                    let peer = if session_type::with_user(i.conversation_type) { &i.user_id } else { &i.group_id };
                    (i.conversation_id.clone(), i.conversation_type, peer.clone())
                })
                .collect();
            let rows = new_rows(&mut w.tx, &wanted).await?;
            let mut saves = Vec::with_capacity(rows.len());
            for (mut c, item) in rows.into_iter().zip(items) {
                apply_server_settings(&mut c, item);
                self.name_later(w, &c);
                // Read in this write by the syncer: there is no row yet.
                saves.push((None, c));
            }
            save_over_many(w, saves).await?;
        }
        Ok(())
    }

    async fn update(&self, w: &mut Write, local: ConversationRow, item: wire::Conversation) -> Result<()> {
        let mut c = local.clone();
        apply_server_settings(&mut c, &item);
        // Destruct on (or on until now: turned off after the server's last run) — the messages
        // below the floor went on the server. Also when the floor was raised here first (by
        // history reaching the server's end); nothing left below it, the delete is a no-op.
        if (item.is_msg_destruct || local.is_msg_destruct) && c.min_seq > 1 {
            destruct_below(w, &self.ctx.user_id, &mut c, item.min_seq).await?;
        }
        save_over(w, Some(local), c).await
    }

    async fn delete(&self, _w: &mut Write, id: String, _local: ConversationRow) -> Result<()> {
        tracing::debug!(conversation = %id, "the server no longer lists a conversation; kept locally");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server record's mention mark against the one this device expects it to hold.
    #[test]
    fn server_mention_marks_are_taken_when_they_differ_from_the_expected() {
        let apply = |local: i32, expected: i32, record: i32| {
            let mut c = ConversationRow { group_at_type: local, server_group_at_type: expected, ..Default::default() };
            apply_server_settings(&mut c, &wire::Conversation { group_at_type: record, ..Default::default() });
            (c.group_at_type, c.server_group_at_type)
        };
        assert_eq!(apply(2, 2, 0), (0, 0), "cleared on another device");
        assert_eq!(apply(0, 2, 2), (0, 2), "read here: the expected server mark leaves it cleared");
        assert_eq!(apply(1, 1, 2), (3, 2), "@me, then @all from the server");
        assert_eq!(apply(3, 2, 2), (3, 2), "@me and @all here, the server keeps the last");
        assert_eq!(apply(0, 0, 4), (4, 4), "an announcement not seen here");
        assert_eq!(apply(4, 4, 1), (1, 1), "a mention after an announcement");
    }
}
