//! Friends, applications, the blacklist, the own profile and presence on `OpenIMClient`.

use std::sync::Arc;

use super::client::OpenIMClient;
use super::listeners::{Kind, ListenerHandle};
use super::{FriendListener, UserListener};
use crate::error::Result;
use crate::model::{
    ApplicationState, BlackInfo, FriendApplication, FriendInfo, FriendshipCheck, OnlineStatus, SearchFriendItem, SearchFriendsParams,
    UserInfo, UserInfoUpdate,
};

/// Listeners.
#[uniffi::export]
impl OpenIMClient {
    /// Adds a friend listener, registered while the returned handle lives.
    pub fn add_friend_listener(&self, listener: Arc<dyn FriendListener>) -> Arc<ListenerHandle> {
        self.listeners().add_friend(listener)
    }

    /// Sets (replaces) the friend listener; its handle is kept by the client.
    pub fn set_friend_listener(&self, listener: Arc<dyn FriendListener>) {
        self.listeners().set(Kind::Friend, self.listeners().add_friend(listener));
    }

    /// Adds a user listener (own profile, presence), registered while the handle lives.
    pub fn add_user_listener(&self, listener: Arc<dyn UserListener>) -> Arc<ListenerHandle> {
        self.listeners().add_user(listener)
    }

    /// Sets (replaces) the user listener; its handle is kept by the client.
    pub fn set_user_listener(&self, listener: Arc<dyn UserListener>) {
        self.listeners().set(Kind::User, self.listeners().add_user(listener));
    }
}

/// Friends and applications.
#[uniffi::export]
impl OpenIMClient {
    /// The friends among `user_ids`, in their order (non-friends left out); with
    /// `filter_black`, blocked ones too.
    pub async fn get_specified_friends_info(&self, user_ids: Vec<String>, filter_black: bool) -> Result<Vec<FriendInfo>> {
        self.with_session(move |s| async move { s.friends().specified(user_ids, filter_black).await }).await
    }

    /// The whole friend list, pinned first.
    pub async fn get_friend_list(&self, filter_black: bool) -> Result<Vec<FriendInfo>> {
        self.with_session(move |s| async move { s.friends().list(filter_black).await }).await
    }

    /// One page of the friend list.
    pub async fn get_friend_list_page(&self, offset: i32, count: i32, filter_black: bool) -> Result<Vec<FriendInfo>> {
        self.with_session(move |s| async move { s.friends().page(offset, count, filter_black).await }).await
    }

    /// Friends whose ID, nickname or remark contains a keyword.
    pub async fn search_friends(&self, params: SearchFriendsParams) -> Result<Vec<SearchFriendItem>> {
        self.with_session(move |s| async move { s.friends().search(params).await }).await
    }

    /// How the logged-in user and each user stand to each other, both ways (at most 100).
    pub async fn check_friend(&self, user_ids: Vec<String>) -> Result<Vec<FriendshipCheck>> {
        self.with_session(move |s| async move { s.friends().check(user_ids).await }).await
    }

    /// Applies to become `to_user_id`'s friend.
    pub async fn add_friend(&self, to_user_id: String, req_msg: String, ex: String) -> Result<()> {
        self.with_session(move |s| async move { s.friends().add(to_user_id, req_msg, ex).await }).await
    }

    /// Removes a friend from this user's list (the friend's list keeps this user).
    pub async fn delete_friend(&self, friend_user_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.friends().delete(friend_user_id).await }).await
    }

    /// Sets what this user calls a friend ("" clears it).
    pub async fn set_friend_remark(&self, friend_user_id: String, remark: String) -> Result<()> {
        self.with_session(move |s| async move { s.friends().update(vec![friend_user_id], None, Some(remark), None).await }).await
    }

    /// Pins (or unpins) friends to the top of the list.
    pub async fn pin_friends(&self, friend_user_ids: Vec<String>, is_pinned: bool) -> Result<()> {
        self.with_session(move |s| async move { s.friends().update(friend_user_ids, Some(is_pinned), None, None).await }).await
    }

    /// Sets the app's own data about friends.
    pub async fn set_friends_ex(&self, friend_user_ids: Vec<String>, ex: String) -> Result<()> {
        self.with_session(move |s| async move { s.friends().update(friend_user_ids, None, None, Some(ex)).await }).await
    }

    /// Applications sent to this user, newest first, in the given states (all when empty).
    pub async fn get_friend_application_list_as_recipient(
        &self,
        states: Vec<ApplicationState>,
        offset: i32,
        count: i32,
    ) -> Result<Vec<FriendApplication>> {
        self.with_session(move |s| async move { s.friends().applications_received(states, offset, count).await }).await
    }

    /// Applications this user sent, newest first.
    pub async fn get_friend_application_list_as_applicant(&self, offset: i32, count: i32) -> Result<Vec<FriendApplication>> {
        self.with_session(move |s| async move { s.friends().applications_sent(offset, count).await }).await
    }

    /// Pending applications to this user made after `since_ms` (0: all).
    pub async fn get_friend_application_unhandled_count(&self, since_ms: i64) -> Result<i32> {
        self.with_session(move |s| async move { s.friends().unhandled_count(since_ms).await }).await
    }

    /// Accepts `from_user_id`'s application: both become friends.
    pub async fn accept_friend_application(&self, from_user_id: String, handle_msg: String) -> Result<()> {
        self.with_session(move |s| async move { s.friends().respond(from_user_id, true, handle_msg).await }).await
    }

    /// Refuses `from_user_id`'s application.
    pub async fn refuse_friend_application(&self, from_user_id: String, handle_msg: String) -> Result<()> {
        self.with_session(move |s| async move { s.friends().respond(from_user_id, false, handle_msg).await }).await
    }
}

/// The blacklist.
#[uniffi::export]
impl OpenIMClient {
    /// Blocks `user_id`: their messages to this user are refused (1302).
    pub async fn add_black(&self, user_id: String, ex: String) -> Result<()> {
        self.with_session(move |s| async move { s.friends().add_black(user_id, ex).await }).await
    }

    pub async fn remove_black(&self, user_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.friends().remove_black(user_id).await }).await
    }

    pub async fn get_black_list(&self) -> Result<Vec<BlackInfo>> {
        self.with_session(move |s| async move { s.friends().black_list().await }).await
    }
}

/// The own profile and presence.
#[uniffi::export]
impl OpenIMClient {
    /// Changes the own profile; returns it as the server keeps it. Other devices report it with
    /// `on_self_info_updated`.
    pub async fn set_self_info(&self, update: UserInfoUpdate) -> Result<UserInfo> {
        self.with_session(move |s| async move { s.users().set_self_info(update).await.map(Into::into) }).await
    }

    /// Receive all messages (0), none (1), or without notification (2).
    pub async fn set_global_recv_message_opt(&self, opt: i32) -> Result<()> {
        self.with_session(move |s| async move { s.users().set_global_recv_msg_opt(opt).await }).await
    }

    /// Registers this device's push token for offline pushes, valid `expire_time_secs` seconds.
    pub async fn update_fcm_token(&self, token: String, expire_time_secs: i64) -> Result<()> {
        self.with_session(move |s| async move { s.users().update_fcm_token(token, expire_time_secs).await }).await
    }

    /// Tells the server the app's badge count (used by the next offline push).
    pub async fn set_app_badge(&self, app_unread_count: i32) -> Result<()> {
        self.with_session(move |s| async move { s.users().set_app_badge(app_unread_count).await }).await
    }

    /// Follows the presence of `user_ids`; changes arrive with `on_user_status_changed`.
    pub async fn subscribe_users_status(&self, user_ids: Vec<String>) -> Result<Vec<OnlineStatus>> {
        self.with_session(move |s| async move { s.users().subscribe_status(user_ids).await }).await
    }

    /// OpenIM's `GetUserStatus`: the presence of `user_ids` now. As in OpenIM's core, it
    /// follows them too (their changes arrive with `on_user_status_changed` until
    /// `unsubscribe_users_status`); the gateway answers only for users followed.
    pub async fn get_user_status(&self, user_ids: Vec<String>) -> Result<Vec<OnlineStatus>> {
        self.subscribe_users_status(user_ids).await
    }

    pub async fn unsubscribe_users_status(&self, user_ids: Vec<String>) -> Result<()> {
        self.with_session(move |s| async move { s.users().unsubscribe_status(user_ids).await }).await
    }

    /// The presence of every followed user.
    pub async fn get_subscribe_users_status(&self) -> Result<Vec<OnlineStatus>> {
        self.with_session(move |s| async move { s.users().subscribed_status().await }).await
    }
}
