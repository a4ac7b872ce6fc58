//! `OpenIMClient`, the SDK's entry point.

use std::sync::Arc;

use std::future::Future;

use crate::conversation::Conversations;
use crate::engine::{Engine, EngineConfig, Session, Status};
use crate::error::{OpenIMError, Result};
use crate::ffi::listeners::{Kind, ListenerHandle, ListenerRegistry};
use crate::ffi::{AdvancedMsgListener, ConnListener, ConversationListener, CustomBusinessListener, LoginStatus, OpenIMConfig};
use crate::message::{CancellationToken, CardInfo, ConversationArgs, HistoryPage, Messages, OfflinePushInfo, SearchParams, SearchResult, UploadProgressListener};
use crate::model::{AtInfo, Conversation, ConversationUpdate, Message, MessageEntity, PictureInfo, SessionType, UserInfo};
use crate::{logging, runtime};

/// One OpenIM account session at a time on one device. Create it once (it is cheap to keep),
/// set listeners, then `login`. All methods are safe to call from any thread.
#[derive(uniffi::Object)]
pub struct OpenIMClient {
    engine: Arc<Engine>,
    listeners: Arc<ListenerRegistry>,
}

#[uniffi::export]
impl OpenIMClient {
    /// Validates `config` and creates a client. Refuses a platform outside 1–11 (or the admin
    /// platform 10), URLs that are not http(s) / ws(s), and an empty `data_dir`.
    #[uniffi::constructor]
    pub fn new(config: OpenIMConfig) -> Result<Arc<Self>> {
        logging::init(config.log_level);
        let config = EngineConfig::new(config.platform, &config.api_addr, &config.ws_addr, &config.data_dir)?;
        let listeners = ListenerRegistry::new();
        let engine = Engine::new(config, listeners.clone())?;
        Ok(Arc::new(Self { engine, listeners }))
    }

    /// Opens `user_id`'s local database and starts connecting to the gateway. Returns once the
    /// session is set up; connection progress arrives through the `ConnListener`. Fails with
    /// code 10102 when a session is already active.
    pub async fn login(&self, user_id: String, token: String) -> Result<()> {
        let engine = self.engine.clone();
        runtime::run(async move { engine.login(user_id, token).await }).await
    }

    /// Tells the server (request 2003), closes the connection and the local database.
    pub async fn logout(&self) -> Result<()> {
        let engine = self.engine.clone();
        runtime::run(async move { engine.logout().await }).await
    }

    pub fn login_status(&self) -> LoginStatus {
        match self.engine.login_status() {
            Status::LoggedOut => LoginStatus::LoggedOut,
            Status::Logging => LoginStatus::Logging,
            Status::Logged => LoginStatus::Logged,
        }
    }

    /// Tells the SDK the device's network changed (OpenIM's `NetworkStatusChanged`; call it from
    /// Android's `ConnectivityManager.NetworkCallback` or iOS's `NWPathMonitor`): the gateway
    /// connection, which may be dead on the old network without knowing it, is dropped and made
    /// again at once, without waiting out the reconnect backoff. `onConnecting` and
    /// `onConnectSuccess` follow, then a sync of what was missed.
    pub fn network_status_changed(&self) -> Result<()> {
        self.engine.session()?.network_changed();
        Ok(())
    }

    /// The logged-in user, or `None`.
    pub fn login_user_id(&self) -> Option<String> {
        self.engine.login_user_id()
    }

    /// The ID OpenIM gives the logged-in user's conversation with `source_id` (a user, or a
    /// group for `Group`): `si_<a>_<b>`, `sg_<group>` or `sn_<a>_<b>` (OpenIM's
    /// `GetConversationIDBySessionType`); no network.
    pub fn get_conversation_id_by_session_type(&self, session_type: SessionType, source_id: String) -> Result<String> {
        let me = self.engine.login_user_id().ok_or_else(OpenIMError::not_logged_in)?;
        if source_id.is_empty() {
            return Err(OpenIMError::invalid_argument("source_id is empty"));
        }
        openim_wire::conversation_id::for_message(session_type.code(), &me, &source_id, &source_id)
            .ok_or_else(|| OpenIMError::invalid_argument("unknown session type"))
    }

    /// Adds a connection listener; it is first told the current connection state (when logged
    /// in), then every change. It stays registered while the returned handle lives.
    pub fn add_conn_listener(&self, listener: Arc<dyn ConnListener>) -> Arc<ListenerHandle> {
        self.listeners.add_conn(listener, self.engine.login_status() != Status::LoggedOut)
    }

    /// Sets (replaces) the connection listener: [`OpenIMClient::add_conn_listener`] with the
    /// handle kept by the client.
    pub fn set_conn_listener(&self, listener: Arc<dyn ConnListener>) {
        self.listeners.set(Kind::Conn, self.add_conn_listener(listener));
    }

    /// Profiles of `user_ids` from the server; unknown IDs are left out.
    pub async fn get_users_info(&self, user_ids: Vec<String>) -> Result<Vec<UserInfo>> {
        let engine = self.engine.clone();
        let users = runtime::run(async move { engine.session()?.users().get_users_info(user_ids).await }).await?;
        Ok(users.into_iter().map(Into::into).collect())
    }

    /// The logged-in user's profile, from the local database (fetched from the server when the
    /// database has none yet).
    pub async fn get_self_user_info(&self) -> Result<UserInfo> {
        let engine = self.engine.clone();
        Ok(runtime::run(async move { engine.session()?.users().self_info().await }).await?.into())
    }

    /// The client settings the app's admin set on the server for this user or for everyone
    /// (OpenIM's `GetUserClientConfig`: feature switches and the like), read from the server.
    pub async fn get_user_client_config(&self) -> Result<std::collections::HashMap<String, String>> {
        self.with_session(move |s| async move { s.users().client_config().await }).await
    }
}

impl OpenIMClient {
    pub(crate) fn listeners(&self) -> &ListenerRegistry {
        &self.listeners
    }

    /// Runs `work` with the active session on the engine runtime.
    pub(crate) async fn with_session<T, F, Fut>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Session>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let session = self.engine.session()?;
        runtime::run(async move { work(session).await }).await
    }

    fn messages(&self) -> Result<Messages> {
        Ok(self.engine.session()?.messages().clone())
    }

    fn conversations(&self) -> Result<Conversations> {
        Ok(self.engine.session()?.conversations().clone())
    }
}

/// Listeners.
#[uniffi::export]
impl OpenIMClient {
    /// Adds a conversation listener, registered while the returned handle lives.
    pub fn add_conversation_listener(&self, listener: Arc<dyn ConversationListener>) -> Arc<ListenerHandle> {
        self.listeners.add_conversation(listener)
    }

    /// Adds a message listener, registered while the returned handle lives.
    pub fn add_advanced_msg_listener(&self, listener: Arc<dyn AdvancedMsgListener>) -> Arc<ListenerHandle> {
        self.listeners.add_advanced_msg(listener)
    }

    /// Sets (replaces) the conversation listener; its handle is kept by the client.
    pub fn set_conversation_listener(&self, listener: Arc<dyn ConversationListener>) {
        self.listeners.set(Kind::Conversation, self.listeners.add_conversation(listener));
    }

    /// Sets (replaces) the message listener; its handle is kept by the client.
    pub fn set_advanced_msg_listener(&self, listener: Arc<dyn AdvancedMsgListener>) {
        self.listeners.set(Kind::AdvancedMsg, self.listeners.add_advanced_msg(listener));
    }

    /// Adds a listener of custom business notifications, registered while the handle lives.
    pub fn add_custom_business_listener(&self, listener: Arc<dyn CustomBusinessListener>) -> Arc<ListenerHandle> {
        self.listeners.add_custom_business(listener)
    }

    /// Sets (replaces) the custom business listener; its handle is kept by the client.
    pub fn set_custom_business_listener(&self, listener: Arc<dyn CustomBusinessListener>) {
        self.listeners.set(Kind::CustomBusiness, self.listeners.add_custom_business(listener));
    }
}

/// Creating messages (nothing is stored or sent until `send_message`).
#[uniffi::export]
impl OpenIMClient {
    pub fn create_text_message(&self, text: String) -> Result<Message> {
        self.messages()?.create_text(text)
    }

    pub fn create_advanced_text_message(&self, text: String, entities: Vec<MessageEntity>) -> Result<Message> {
        self.messages()?.create_advanced_text(text, entities)
    }

    /// Mentions `at_user_ids` (use `"AtAllTag"` for everyone), optionally quoting a message.
    pub fn create_text_at_message(
        &self,
        text: String,
        at_user_ids: Vec<String>,
        at_users_info: Vec<AtInfo>,
        quote: Option<Message>,
    ) -> Result<Message> {
        self.messages()?.create_text_at(text, at_user_ids, at_users_info, quote)
    }

    pub fn create_quote_message(&self, text: String, quoted: Message) -> Result<Message> {
        self.messages()?.create_quote(text, quoted, Vec::new())
    }

    /// A quote whose text carries entities (links, mentions, styles), as OpenIM's
    /// `CreateAdvancedQuoteMessage`.
    pub fn create_advanced_quote_message(&self, text: String, quoted: Message, entities: Vec<MessageEntity>) -> Result<Message> {
        self.messages()?.create_quote(text, quoted, entities)
    }

    /// The ID that mentions everyone in a group (OpenIM's `GetAtAllTag`): `"AtAllTag"`.
    pub fn get_at_all_tag(&self) -> String {
        crate::message::ingest::AT_ALL_TAG.to_owned()
    }

    pub fn create_custom_message(&self, data: String, extension: String, description: String) -> Result<Message> {
        self.messages()?.create_custom(data, extension, description)
    }

    pub fn create_location_message(&self, description: String, longitude: f64, latitude: f64) -> Result<Message> {
        self.messages()?.create_location(description, longitude, latitude)
    }

    pub fn create_card_message(&self, card: CardInfo) -> Result<Message> {
        self.messages()?.create_card(card)
    }

    pub fn create_face_message(&self, index: i64, data: String) -> Result<Message> {
        self.messages()?.create_face(index, data)
    }

    /// A picture already uploaded: its original, big and snapshot versions.
    pub fn create_image_message_by_url(
        &self,
        source_path: String,
        source_picture: PictureInfo,
        big_picture: PictureInfo,
        snapshot_picture: PictureInfo,
    ) -> Result<Message> {
        self.messages()?.create_image_by_url(source_path, source_picture, big_picture, snapshot_picture)
    }

    pub fn create_sound_message_by_url(
        &self,
        source_url: String,
        sound_path: String,
        uuid: String,
        data_size: i64,
        duration: i64,
    ) -> Result<Message> {
        self.messages()?.create_sound_by_url(source_url, sound_path, uuid, data_size, duration)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn create_video_message_by_url(
        &self,
        video_url: String,
        video_type: String,
        video_size: i64,
        duration: i64,
        snapshot_url: String,
        snapshot_width: i32,
        snapshot_height: i32,
    ) -> Result<Message> {
        self.messages()?.create_video_by_url(video_url, video_type, video_size, duration, snapshot_url, snapshot_width, snapshot_height)
    }

    /// A picture from a local file, copied beside the database and uploaded when sent; `width`
    /// × `height` are its pixels (read them with the platform's image API: this SDK decodes no
    /// images).
    pub async fn create_image_message_from_full_path(&self, image_path: String, width: i32, height: i32) -> Result<Message> {
        self.with_session(move |s| async move { s.messages().create_image_from_path(image_path, width, height).await }).await
    }

    /// A voice message from a local file, `duration` seconds long, uploaded when sent.
    pub async fn create_sound_message_from_full_path(&self, sound_path: String, duration: i64) -> Result<Message> {
        self.with_session(move |s| async move { s.messages().create_sound_from_path(sound_path, duration).await }).await
    }

    /// A video from a local file (`video_type` such as `mp4`, empty for the file's extension;
    /// `duration` in seconds) with an optional snapshot picture of the given pixels, both
    /// uploaded when sent.
    #[uniffi::method(default(snapshot_path = None, snapshot_width = 0, snapshot_height = 0))]
    pub async fn create_video_message_from_full_path(
        &self,
        video_path: String,
        video_type: String,
        duration: i64,
        snapshot_path: Option<String>,
        snapshot_width: i32,
        snapshot_height: i32,
    ) -> Result<Message> {
        self.with_session(move |s| async move {
            s.messages().create_video_from_path(video_path, video_type, duration, snapshot_path, snapshot_width, snapshot_height).await
        })
        .await
    }

    /// A file message from a local file, shown as `file_name` (the file's own name when
    /// `None`), uploaded when sent.
    #[uniffi::method(default(file_name = None))]
    pub async fn create_file_message_from_full_path(&self, file_path: String, file_name: Option<String>) -> Result<Message> {
        self.with_session(move |s| async move { s.messages().create_file_from_path(file_path, file_name).await }).await
    }

    pub fn create_file_message_by_url(&self, source_url: String, file_name: String, file_size: i64, file_type: String) -> Result<Message> {
        self.messages()?.create_file_by_url(source_url, file_name, file_size, file_type)
    }

    /// Forwards several messages as one, with a title and one summary line per message.
    pub fn create_merger_message(&self, messages: Vec<Message>, title: String, summary_list: Vec<String>) -> Result<Message> {
        self.messages()?.create_merger(messages, title, summary_list)
    }

    pub fn create_forward_message(&self, message: Message) -> Result<Message> {
        self.messages()?.create_forward(message)
    }
}

/// Sending and changing messages.
#[uniffi::export]
impl OpenIMClient {
    /// Sends to a user (`recv_id`) or a group (`group_id`), exactly one of them. Returns the
    /// message as stored after the server accepted it (with its seq), or fails and leaves it
    /// stored as failed, ready to be sent again. A message made from local files
    /// (`create_*_message_from_full_path`) is stored first and its files uploaded, `progress`
    /// hearing the main file's bytes; the URLs replace nothing the app set.
    #[uniffi::method(default(recv_id = None, group_id = None, offline_push_info = None, is_online_only = false, progress = None))]
    pub async fn send_message(
        &self,
        message: Message,
        recv_id: Option<String>,
        group_id: Option<String>,
        offline_push_info: Option<OfflinePushInfo>,
        is_online_only: bool,
        progress: Option<Arc<dyn UploadProgressListener>>,
    ) -> Result<Message> {
        self.with_session(move |s| async move {
            s.messages().send(message, recv_id, group_id, offline_push_info, is_online_only, progress).await
        })
        .await
    }

    /// Stops the upload of a message being sent (`sendMessage` of a message made from local
    /// files, while its files upload): that send fails with `Cancelled` and the message stays
    /// stored as failed, to be sent again (its upload then goes on from the parts the server
    /// has) or deleted. False when no upload of that message is under way (sent already, or
    /// past its upload).
    pub fn cancel_sending_message(&self, client_msg_id: String) -> Result<bool> {
        Ok(self.messages()?.cancel_sending(&client_msg_id))
    }

    /// `count` messages before `start_client_msg_id` (the newest ones without it), oldest first;
    /// holes in the local history are filled from the server.
    #[uniffi::method(default(start_client_msg_id = None, count = 20))]
    pub async fn get_advanced_history_message_list(
        &self,
        conversation_id: String,
        start_client_msg_id: Option<String>,
        count: i32,
    ) -> Result<HistoryPage> {
        self.with_session(move |s| async move { s.messages().history(&conversation_id, start_client_msg_id, count, false).await })
            .await
    }

    /// `count` messages after `start_client_msg_id`, oldest first.
    #[uniffi::method(default(count = 20))]
    pub async fn get_advanced_history_message_list_reverse(
        &self,
        conversation_id: String,
        start_client_msg_id: String,
        count: i32,
    ) -> Result<HistoryPage> {
        self.with_session(move |s| async move { s.messages().history(&conversation_id, Some(start_client_msg_id), count, true).await })
            .await
    }

    /// Revokes a sent message for everyone.
    pub async fn revoke_message(&self, conversation_id: String, client_msg_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.messages().revoke(&conversation_id, &client_msg_id).await }).await
    }

    /// Deletes a message on this device and on the server (for this user).
    pub async fn delete_message(&self, conversation_id: String, client_msg_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.messages().delete(&conversation_id, &client_msg_id).await }).await
    }

    /// Deletes a message on this device only.
    pub async fn delete_message_from_local_storage(&self, conversation_id: String, client_msg_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.messages().delete_local(&conversation_id, &client_msg_id).await }).await
    }

    /// Removes every message of a conversation, here and on the server.
    pub async fn clear_conversation_and_delete_all_msg(&self, conversation_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.messages().clear_conversation(&conversation_id).await }).await
    }

    /// Clears a conversation's messages here and on the server and takes it off the list
    /// until its next message.
    pub async fn delete_conversation_and_delete_all_msg(&self, conversation_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.messages().delete_conversation(&conversation_id).await }).await
    }

    /// Deletes every message here and on the server (the user's other devices follow);
    /// conversations stay listed, empty and read.
    pub async fn delete_all_msg_from_local_and_svr(&self) -> Result<()> {
        self.with_session(move |s| async move { s.messages().delete_all(true).await }).await
    }

    /// Deletes every message on this device only (the server keeps them, marked read).
    pub async fn delete_all_msg_from_local(&self) -> Result<()> {
        self.with_session(move |s| async move { s.messages().delete_all(false).await }).await
    }

    /// Stores `message` (from a `create_*` call) in the single chat between `send_id` and
    /// `recv_id` (one of them the logged-in user) as a message of this device only: never
    /// sent, no unread count. Returns it as stored (a fresh client ID, sent now).
    pub async fn insert_single_message_to_local_storage(&self, message: Message, recv_id: String, send_id: String) -> Result<Message> {
        self.with_session(move |s| async move { s.messages().insert_single_local(message, recv_id, send_id).await }).await
    }

    /// [`Self::insert_single_message_to_local_storage`] for a group this user is in.
    pub async fn insert_group_message_to_local_storage(&self, message: Message, group_id: String, send_id: String) -> Result<Message> {
        self.with_session(move |s| async move { s.messages().insert_group_local(message, group_id, send_id).await }).await
    }

    /// Tells the other side of a single or group chat whether this user is typing (`focus`), as
    /// OpenIM's `ChangeInputStates`: "yes" goes out at most once per 10 s, "no" only while a
    /// "yes" lasts; the others hear `on_conversation_user_input_status_changed`.
    pub async fn change_input_states(&self, conversation_id: String, focus: bool) -> Result<()> {
        self.with_session(move |s| async move { s.messages().change_input_states(&conversation_id, focus).await }).await
    }

    /// The platforms on which `user_id` is typing in `conversation_id` (each state lasts 12 s
    /// unless renewed).
    pub fn get_input_states(&self, conversation_id: String, user_id: String) -> Result<Vec<i32>> {
        Ok(self.messages()?.input_states(&conversation_id, &user_id))
    }

    /// Marks every conversation with unread messages read (single chats send receipts).
    pub async fn mark_all_conversation_message_as_read(&self) -> Result<()> {
        self.with_session(move |s| async move { s.messages().mark_all_read().await }).await
    }

    /// The stored messages of `conversation_id` among `client_msg_ids`, oldest first (IDs not
    /// stored here are left out).
    pub async fn find_message_list(&self, conversation_id: String, client_msg_ids: Vec<String>) -> Result<Vec<Message>> {
        self.with_session(move |s| async move { s.messages().find_many(&conversation_id, &client_msg_ids).await }).await
    }

    /// OpenIM's `FindMessageList` across conversations: one item per conversation stored here,
    /// in the order asked, with its show name, face and the stored messages among its IDs,
    /// newest first (IDs not stored here are left out; `total_count` counts the messages).
    /// Unlike OpenIM's core, a conversation named twice gives one item with both lists, and an
    /// empty conversation ID is refused (10002) instead of skipped.
    pub async fn find_message_list_in_conversations(&self, conversations: Vec<ConversationArgs>) -> Result<SearchResult> {
        self.with_session(move |s| async move { s.messages().find_in_conversations(conversations).await }).await
    }

    /// Uploads the file at `file_path` to the server's object storage as `name` (its file name
    /// when `None`, kept under the user's ID) and returns its URL, for the
    /// `create_*_message_by_url` calls; `progress` hears the bytes sent after each part. A file
    /// the server already holds is not sent again. `cancel.cancel()` stops it (`Cancelled`), as
    /// does cancelling the calling coroutine in Kotlin; the parts sent stay for the next upload
    /// of the same content.
    #[uniffi::method(default(name = None, content_type = None, progress = None, cancel = None))]
    pub async fn upload_file(
        &self,
        file_path: String,
        name: Option<String>,
        content_type: Option<String>,
        progress: Option<Arc<dyn UploadProgressListener>>,
        cancel: Option<Arc<CancellationToken>>,
    ) -> Result<String> {
        let token = cancel.map(|c| c.child()).unwrap_or_default();
        // A Kotlin coroutine cancelled drops this future (a Swift task's cancellation reaches
        // nothing): the upload stops with it.
        let dropped = token.clone().drop_guard();
        let url = self.with_session(move |s| async move { s.messages().upload_file(file_path, name, content_type, progress, token).await }).await;
        dropped.disarm();
        url
    }

    /// OpenIM's `UploadLogs`, for the log files the app kept (from its `LogSink`; the SDK writes
    /// none): uploads each (1 to 20 files, each with content, all checked first) to the server's
    /// object storage as a new object and tells the server where they are, with `ex`;
    /// `progress` hears the bytes of all of them together. With `line` above 0, only the last
    /// `line` lines of the last file named (the newest: name them oldest first). One upload at a
    /// time: another call while one runs fails with 10005, as in OpenIM.
    #[uniffi::method(default(line = 0, ex = "", progress = None))]
    pub async fn upload_logs(&self, file_paths: Vec<String>, line: u32, ex: String, progress: Option<Arc<dyn UploadProgressListener>>) -> Result<()> {
        self.with_session(move |s| async move { s.messages().upload_logs(file_paths, line, ex, progress).await }).await
    }

    /// Marks a conversation read; single chats send the peer a read receipt.
    pub async fn mark_conversation_message_as_read(&self, conversation_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.messages().mark_conversation_read(&conversation_id).await }).await
    }

    /// Marks some received messages read (OpenIM's `MarkMessagesAsReadByMsgID`): the read mark
    /// rises to the last of them, here and on the user's other devices, and the messages it
    /// covers leave the unread count; in a single chat the peer gets a read receipt naming them
    /// (`onRecvC2cReadReceipt`). The user's own, already read or unknown messages are skipped.
    pub async fn mark_messages_as_read_by_msg_id(&self, conversation_id: String, client_msg_ids: Vec<String>) -> Result<()> {
        self.with_session(move |s| async move { s.messages().mark_messages_read(&conversation_id, &client_msg_ids).await }).await
    }

    pub async fn search_local_messages(&self, params: SearchParams) -> Result<SearchResult> {
        self.with_session(move |s| async move { s.messages().search(params).await }).await
    }

    /// Tells `recv_id` this user is typing (nothing is stored).
    pub async fn typing_status_update(&self, recv_id: String, msg_tip: String) -> Result<()> {
        self.with_session(move |s| async move { s.messages().typing_status_update(recv_id, msg_tip).await }).await
    }

    /// Background: new messages arrive through `on_recv_offline_new_message`. Foreground again:
    /// the SDK resyncs what it may have missed.
    pub async fn set_app_background_status(&self, is_background: bool) -> Result<()> {
        self.with_session(move |s| async move {
            s.messages().set_background(is_background).await?;
            if !is_background {
                s.wake_up();
            }
            Ok(())
        })
        .await
    }

    /// Sets a message's `local_ex` (kept on this device only).
    pub async fn set_message_local_ex(&self, conversation_id: String, client_msg_id: String, local_ex: String) -> Result<()> {
        self.with_session(move |s| async move { s.messages().set_local_ex(&conversation_id, &client_msg_id, local_ex).await }).await
    }
}

/// Conversations.
#[uniffi::export]
impl OpenIMClient {
    /// Every conversation with messages, pinned first, then newest first.
    pub async fn get_all_conversation_list(&self) -> Result<Vec<Conversation>> {
        let conversations = self.conversations()?;
        runtime::run(async move { conversations.all().await }).await
    }

    pub async fn get_conversation_list_split(&self, offset: i32, count: i32) -> Result<Vec<Conversation>> {
        let conversations = self.conversations()?;
        runtime::run(async move { conversations.list(offset, count).await }).await
    }

    /// The conversation with a user (`SessionType::Single`), a group (`Group`) or a notification
    /// account (`Notification`, `sn_`), created when missing.
    pub async fn get_one_conversation(&self, session_type: SessionType, source_id: String) -> Result<Conversation> {
        let conversations = self.conversations()?;
        runtime::run(async move { conversations.get_one(session_type.code(), &source_id).await }).await
    }

    pub async fn get_multiple_conversation(&self, conversation_ids: Vec<String>) -> Result<Vec<Conversation>> {
        let conversations = self.conversations()?;
        runtime::run(async move { conversations.get_multiple(conversation_ids).await }).await
    }

    /// Unread messages over conversations that notify (`recv_msg_opt` below 2).
    pub async fn get_total_unread_msg_count(&self) -> Result<i32> {
        let conversations = self.conversations()?;
        runtime::run(async move { conversations.total_unread().await }).await
    }

    /// Pins, mutes, marks private or sets `ex`; saved on the server for every device.
    pub async fn set_conversation(&self, conversation_id: String, update: ConversationUpdate) -> Result<Conversation> {
        let conversations = self.conversations()?;
        runtime::run(async move { conversations.set(&conversation_id, update).await }).await
    }

    /// Saves a draft; an empty text clears it.
    pub async fn set_conversation_draft(&self, conversation_id: String, draft_text: String) -> Result<()> {
        let conversations = self.conversations()?;
        runtime::run(async move { conversations.set_draft(&conversation_id, draft_text).await }).await
    }

    /// Conversations whose shown name contains `keyword`, newest activity first.
    pub async fn search_conversation(&self, keyword: String) -> Result<Vec<Conversation>> {
        let conversations = self.conversations()?;
        runtime::run(async move { conversations.search(&keyword).await }).await
    }

    /// Takes a conversation off the list until its next message.
    pub async fn hide_conversation(&self, conversation_id: String) -> Result<()> {
        let conversations = self.conversations()?;
        runtime::run(async move { conversations.hide(&conversation_id).await }).await
    }

    /// Takes every conversation off the list until its next message (OpenIM's
    /// `HideAllConversations`); each one listed is reported changed.
    pub async fn hide_all_conversations(&self) -> Result<()> {
        let conversations = self.conversations()?;
        runtime::run(async move { conversations.hide_all().await }).await
    }
}

/// The OpenIM protocol version this SDK speaks (`sdkVersion` of the connect query).
#[uniffi::export]
pub fn sdk_version() -> String {
    openim_wire::constant::defaults::SDK_VERSION.to_owned()
}
