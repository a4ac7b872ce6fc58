//! Listener traits implemented by the host app (Kotlin interfaces, Swift protocols), and the
//! registry that delivers events to them.
//!
//! Every registered listener gets its own thread and a bounded queue: callbacks reach one
//! listener one at a time and in order; a listener that is slow fills its queue and then makes
//! the engine wait (back-pressure: nothing is dropped or reordered); a listener that throws is
//! logged and skipped; a listener that blocks delays only itself until its queue is full. A
//! registration lives as long as its [`ListenerHandle`]: cancel it (or drop it) and the listener
//! receives nothing more.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, Weak};

use crate::engine::dispatcher::{THREAD_NAME, quiet_listener_panics};
use crate::events::{ConnEvent, ConversationEvent, Event, EventSink, FriendEvent, GroupEvent, MsgEvent, UserEvent};
use crate::model::{
    BlackInfo, BusinessNotification, Conversation, FriendApplication, FriendInfo, GroupApplication, GroupInfo, GroupMember, InputStatusChange, Message, MessageReceipt, OnlineStatus, RevokedInfo,
    UserInfo,
};
use crate::runtime::panic_message;

/// Callbacks queued for one listener before the engine waits for it.
pub const LISTENER_QUEUE: usize = 1024;

/// Connection and session events (OpenIM `OnConnListener`).
#[uniffi::export(foreign)]
pub trait ConnListener: Send + Sync {
    /// A connection attempt to the gateway starts.
    fn on_connecting(&self);
    /// The gateway accepted the connection.
    fn on_connect_success(&self);
    /// A connection attempt failed; `code` is OpenIM's (10000 network, or the server's code).
    fn on_connect_failed(&self, code: i32, msg: String);
    /// Another login on the same platform replaced this one; the SDK has logged out.
    fn on_kicked_offline(&self);
    /// The token expired (1501); the SDK has logged out.
    fn on_user_token_expired(&self);
    /// The token was refused (1502–1505, 1507); the SDK has logged out.
    fn on_user_token_invalid(&self, msg: String);
}

/// Conversation list and sync events (OpenIM `OnConversationListener`).
#[uniffi::export(foreign)]
pub trait ConversationListener: Send + Sync {
    /// A sync with the server starts (`reinstalled`: first sync on this device).
    fn on_sync_server_start(&self, reinstalled: bool);
    fn on_sync_server_finish(&self, reinstalled: bool);
    fn on_sync_server_failed(&self, reinstalled: bool);
    /// Progress 0–100 of a sync.
    fn on_sync_server_progress(&self, progress: i32);
    fn on_new_conversation(&self, conversations: Vec<Conversation>);
    fn on_conversation_changed(&self, conversations: Vec<Conversation>);
    fn on_total_unread_message_count_changed(&self, total_unread_count: i32);
    /// Someone started or stopped typing in a conversation.
    fn on_conversation_user_input_status_changed(&self, change: InputStatusChange);
}

/// Message events (OpenIM `OnAdvancedMsgListener`).
#[uniffi::export(foreign)]
pub trait AdvancedMsgListener: Send + Sync {
    /// A new message (from someone else, or from another device of this user).
    fn on_recv_new_message(&self, message: Message);
    /// The peer read messages of a single chat.
    fn on_recv_c2c_read_receipt(&self, receipts: Vec<MessageReceipt>);
    fn on_new_recv_message_revoked(&self, revoked: RevokedInfo);
    /// A new message while the app is in background (instead of `on_recv_new_message`).
    fn on_recv_offline_new_message(&self, message: Message);
    fn on_msg_deleted(&self, message: Message);
    /// A message that keeps no history (sent "online only").
    fn on_recv_online_only_message(&self, message: Message);
}

/// Friend, application and blacklist events (OpenIM `OnFriendshipListener`). Each change
/// reaches every device of the user, including changes made while it was offline.
#[uniffi::export(foreign)]
pub trait FriendListener: Send + Sync {
    /// An application was made (to this user, or by this user on another device).
    fn on_friend_application_added(&self, application: FriendApplication);
    fn on_friend_application_deleted(&self, application: FriendApplication);
    fn on_friend_application_accepted(&self, application: FriendApplication);
    fn on_friend_application_rejected(&self, application: FriendApplication);
    fn on_friend_added(&self, friend: FriendInfo);
    fn on_friend_deleted(&self, friend: FriendInfo);
    /// Remark, pin, `ex`, or the friend's nickname or face changed.
    fn on_friend_info_changed(&self, friend: FriendInfo);
    fn on_black_added(&self, black: BlackInfo);
    fn on_black_deleted(&self, black: BlackInfo);
}

/// Group, member and application events (OpenIM `OnGroupListener`). Each change reaches every
/// device of the user, including changes made while it was offline.
#[uniffi::export(foreign)]
pub trait GroupListener: Send + Sync {
    /// The user is in a new group (created, invited, accepted, or joined on another device).
    fn on_joined_group_added(&self, group: GroupInfo);
    /// The user left (quit, was kicked, or the group's members were removed).
    fn on_joined_group_deleted(&self, group: GroupInfo);
    /// Someone joined one of the user's groups (not told for the members found when the user
    /// joins: `on_joined_group_added` covers those).
    fn on_group_member_added(&self, member: GroupMember);
    fn on_group_member_deleted(&self, member: GroupMember);
    /// Someone applied to a group the user manages.
    fn on_group_application_added(&self, application: GroupApplication);
    fn on_group_application_deleted(&self, application: GroupApplication);
    fn on_group_application_accepted(&self, application: GroupApplication);
    fn on_group_application_rejected(&self, application: GroupApplication);
    /// Name, face, notice, owner, member count, status or settings changed.
    fn on_group_info_changed(&self, group: GroupInfo);
    fn on_group_dismissed(&self, group: GroupInfo);
    /// Role, group nickname or face, mute or `ex` of a member changed.
    fn on_group_member_info_changed(&self, member: GroupMember);
}

/// The user's own profile and the presence of followed users (OpenIM `OnUserListener`).
#[uniffi::export(foreign)]
pub trait UserListener: Send + Sync {
    fn on_self_info_updated(&self, info: UserInfo);
    fn on_user_status_changed(&self, status: OnlineStatus);
}

/// Custom business notifications (2001) an app's server sends through OpenIM's
/// `/msg/send_business_notification` (OpenIM `OnCustomBusinessListener`).
#[uniffi::export(foreign)]
pub trait CustomBusinessListener: Send + Sync {
    fn on_recv_custom_business_message(&self, notification: BusinessNotification);
}

/// One registration; cancelling it (or dropping the last reference) removes the listener.
#[derive(uniffi::Object)]
pub struct ListenerHandle {
    id: u64,
    cancelled: Arc<AtomicBool>,
    registry: Weak<ListenerRegistry>,
}

#[uniffi::export]
impl ListenerHandle {
    /// Removes the listener; it receives nothing more, even what was already queued for it.
    pub fn cancel(&self) {
        if !self.cancelled.swap(true, Ordering::SeqCst)
            && let Some(registry) = self.registry.upgrade()
        {
            registry.remove(self.id);
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

impl Drop for ListenerHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// The listener kinds and the events each receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Conn,
    Conversation,
    AdvancedMsg,
    Friend,
    Group,
    User,
    CustomBusiness,
}

/// The queue to one listener's thread.
struct Slot {
    id: u64,
    kind: Kind,
    tx: SyncSender<Event>,
}

#[derive(Default)]
struct Inner {
    slots: Vec<Slot>,
    /// The connection state as last delivered, told first to a connection listener added later.
    conn_state: Option<ConnEvent>,
    /// Registrations made through the `set_*` calls (one per kind, replaced by the next).
    set_handles: HashMap<Kind, Arc<ListenerHandle>>,
}

/// The listeners of one `OpenIMClient`; the engine's events are delivered here.
pub(crate) struct ListenerRegistry {
    inner: Mutex<Inner>,
    next_id: AtomicU64,
    me: Weak<ListenerRegistry>,
}

impl ListenerRegistry {
    pub fn new() -> Arc<Self> {
        quiet_listener_panics();
        Arc::new_cyclic(|me| Self { inner: Mutex::new(Inner::default()), next_id: AtomicU64::new(1), me: me.clone() })
    }

    /// `logged_in`: whether a session is active, so there is a connection state to tell.
    pub fn add_conn(&self, l: Arc<dyn ConnListener>, logged_in: bool) -> Arc<ListenerHandle> {
        self.add(Kind::Conn, logged_in, move |event| {
            if let Event::Conn(e) = event {
                match e {
                    ConnEvent::Connecting => l.on_connecting(),
                    ConnEvent::ConnectSuccess => l.on_connect_success(),
                    ConnEvent::ConnectFailed { code, message } => l.on_connect_failed(code, message),
                    ConnEvent::KickedOffline => l.on_kicked_offline(),
                    ConnEvent::UserTokenExpired => l.on_user_token_expired(),
                    ConnEvent::UserTokenInvalid { message } => l.on_user_token_invalid(message),
                    ConnEvent::Closed => {}
                }
            }
        })
    }

    pub fn add_conversation(&self, l: Arc<dyn ConversationListener>) -> Arc<ListenerHandle> {
        self.add(Kind::Conversation, false, move |event| {
            if let Event::Conversation(e) = event {
                match e {
                    ConversationEvent::SyncServerStart { reinstalled } => l.on_sync_server_start(reinstalled),
                    ConversationEvent::SyncServerFinish { reinstalled } => l.on_sync_server_finish(reinstalled),
                    ConversationEvent::SyncServerFailed { reinstalled } => l.on_sync_server_failed(reinstalled),
                    ConversationEvent::SyncServerProgress { progress } => l.on_sync_server_progress(progress),
                    ConversationEvent::NewConversation(list) => l.on_new_conversation(list),
                    ConversationEvent::ConversationChanged(list) => l.on_conversation_changed(list),
                    ConversationEvent::TotalUnreadMessageCountChanged(n) => l.on_total_unread_message_count_changed(n),
                    ConversationEvent::UserInputStatusChanged(change) => l.on_conversation_user_input_status_changed(change),
                }
            }
        })
    }

    pub fn add_advanced_msg(&self, l: Arc<dyn AdvancedMsgListener>) -> Arc<ListenerHandle> {
        self.add(Kind::AdvancedMsg, false, move |event| {
            if let Event::Msg(e) = event {
                match e {
                    MsgEvent::RecvNewMessage(m) => l.on_recv_new_message(m),
                    MsgEvent::RecvOfflineNewMessage(m) => l.on_recv_offline_new_message(m),
                    MsgEvent::RecvOnlineOnlyMessage(m) => l.on_recv_online_only_message(m),
                    MsgEvent::NewRecvMessageRevoked(r) => l.on_new_recv_message_revoked(r),
                    MsgEvent::RecvC2CReadReceipt(list) => l.on_recv_c2c_read_receipt(list),
                    MsgEvent::MsgDeleted(m) => l.on_msg_deleted(m),
                }
            }
        })
    }

    pub fn add_friend(&self, l: Arc<dyn FriendListener>) -> Arc<ListenerHandle> {
        self.add(Kind::Friend, false, move |event| {
            if let Event::Friend(e) = event {
                match e {
                    FriendEvent::ApplicationAdded(a) => l.on_friend_application_added(a),
                    FriendEvent::ApplicationDeleted(a) => l.on_friend_application_deleted(a),
                    FriendEvent::ApplicationAccepted(a) => l.on_friend_application_accepted(a),
                    FriendEvent::ApplicationRejected(a) => l.on_friend_application_rejected(a),
                    FriendEvent::FriendAdded(f) => l.on_friend_added(f),
                    FriendEvent::FriendDeleted(f) => l.on_friend_deleted(f),
                    FriendEvent::FriendInfoChanged(f) => l.on_friend_info_changed(f),
                    FriendEvent::BlackAdded(b) => l.on_black_added(b),
                    FriendEvent::BlackDeleted(b) => l.on_black_deleted(b),
                }
            }
        })
    }

    pub fn add_group(&self, l: Arc<dyn GroupListener>) -> Arc<ListenerHandle> {
        self.add(Kind::Group, false, move |event| {
            if let Event::Group(e) = event {
                match e {
                    GroupEvent::JoinedGroupAdded(g) => l.on_joined_group_added(g),
                    GroupEvent::JoinedGroupDeleted(g) => l.on_joined_group_deleted(g),
                    GroupEvent::GroupMemberAdded(m) => l.on_group_member_added(m),
                    GroupEvent::GroupMemberDeleted(m) => l.on_group_member_deleted(m),
                    GroupEvent::ApplicationAdded(a) => l.on_group_application_added(a),
                    GroupEvent::ApplicationDeleted(a) => l.on_group_application_deleted(a),
                    GroupEvent::ApplicationAccepted(a) => l.on_group_application_accepted(a),
                    GroupEvent::ApplicationRejected(a) => l.on_group_application_rejected(a),
                    GroupEvent::GroupInfoChanged(g) => l.on_group_info_changed(g),
                    GroupEvent::GroupDismissed(g) => l.on_group_dismissed(g),
                    GroupEvent::GroupMemberInfoChanged(m) => l.on_group_member_info_changed(m),
                }
            }
        })
    }

    pub fn add_user(&self, l: Arc<dyn UserListener>) -> Arc<ListenerHandle> {
        self.add(Kind::User, false, move |event| {
            if let Event::User(e) = event {
                match e {
                    UserEvent::SelfInfoUpdated(u) => l.on_self_info_updated(u),
                    UserEvent::UserStatusChanged(s) => l.on_user_status_changed(s),
                }
            }
        })
    }

    pub fn add_custom_business(&self, l: Arc<dyn CustomBusinessListener>) -> Arc<ListenerHandle> {
        self.add(Kind::CustomBusiness, false, move |event| {
            if let Event::Business(n) = event {
                l.on_recv_custom_business_message(n);
            }
        })
    }

    /// Replaces the listener of `kind` registered through `set_*`.
    pub fn set(&self, kind: Kind, handle: Arc<ListenerHandle>) {
        let previous = self.inner.lock().expect("listener lock").set_handles.insert(kind, handle);
        if let Some(previous) = previous {
            previous.cancel();
        }
    }

    /// Registers `deliver` on a thread of its own; with `tell_state`, it is first told the
    /// current connection state.
    fn add(&self, kind: Kind, tell_state: bool, deliver: impl Fn(Event) + Send + 'static) -> Arc<ListenerHandle> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let cancelled = Arc::new(AtomicBool::new(false));
        let (tx, rx) = sync_channel::<Event>(LISTENER_QUEUE);
        let flag = cancelled.clone();
        std::thread::Builder::new()
            .name(format!("{THREAD_NAME}-{id}"))
            .stack_size(512 * 1024)
            .spawn(move || run_listener(rx, flag, deliver))
            .expect("listener thread starts");
        {
            let mut inner = self.inner.lock().expect("listener lock");
            if tell_state
                && let Some(state) = inner.conn_state.clone()
            {
                // The queue is new and empty: this cannot block.
                let _ = tx.try_send(Event::Conn(state));
            }
            inner.slots.push(Slot { id, kind, tx });
        }
        Arc::new(ListenerHandle { id, cancelled, registry: self.me.clone() })
    }

    fn remove(&self, id: u64) {
        // Dropping the queue's sender ends the listener thread once it is idle.
        self.inner.lock().expect("listener lock").slots.retain(|s| s.id != id);
    }
}

fn run_listener(rx: Receiver<Event>, cancelled: Arc<AtomicBool>, deliver: impl Fn(Event)) {
    for event in rx {
        if cancelled.load(Ordering::SeqCst) {
            break;
        }
        let name = event.name();
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| deliver(event))) {
            tracing::error!(event = name, panic = %panic_message(payload), "listener failed; event skipped");
        }
    }
}

impl EventSink for ListenerRegistry {
    /// Hands `event` to every listener of its kind, waiting while a listener's queue is full.
    fn deliver(&self, event: Event) {
        let kind = match &event {
            Event::Conn(_) => Kind::Conn,
            Event::Conversation(_) => Kind::Conversation,
            Event::Msg(_) => Kind::AdvancedMsg,
            Event::Friend(_) => Kind::Friend,
            Event::Group(_) => Kind::Group,
            Event::User(_) => Kind::User,
            Event::Business(_) => Kind::CustomBusiness,
        };
        let targets: Vec<SyncSender<Event>> = {
            let mut inner = self.inner.lock().expect("listener lock");
            if let Event::Conn(e) = &event {
                inner.conn_state = match e {
                    ConnEvent::Connecting | ConnEvent::ConnectSuccess | ConnEvent::ConnectFailed { .. } => Some(e.clone()),
                    _ => None,
                };
            }
            inner.slots.iter().filter(|s| s.kind == kind).map(|s| s.tx.clone()).collect()
        };
        if matches!(event, Event::Conn(ConnEvent::Closed)) {
            return;
        }
        for tx in targets {
            // A listener removed meanwhile has closed its queue: nothing to do.
            let _ = tx.send(event.clone());
        }
    }
}
