//! Groups, members and join applications on `OpenIMClient` (OpenIM v3 names).

use std::sync::Arc;

use super::GroupListener;
use super::client::OpenIMClient;
use super::listeners::{Kind, ListenerHandle};
use crate::error::Result;
use crate::model::{
    ApplicationState, CreateGroupParams, GroupApplication, GroupInfo, GroupInfoUpdate, GroupMember, GroupMemberFilter, GroupMemberUpdate,
    SearchGroupMembersParams, SearchGroupsParams,
};

/// Listener.
#[uniffi::export]
impl OpenIMClient {
    /// Adds a group listener, registered while the returned handle lives.
    pub fn add_group_listener(&self, listener: Arc<dyn GroupListener>) -> Arc<ListenerHandle> {
        self.listeners().add_group(listener)
    }

    /// Sets (replaces) the group listener; its handle is kept by the client.
    pub fn set_group_listener(&self, listener: Arc<dyn GroupListener>) {
        self.listeners().set(Kind::Group, self.listeners().add_group(listener));
    }
}

/// Groups.
#[uniffi::export]
impl OpenIMClient {
    /// Creates a group owned by the logged-in user, with members (and admins among them).
    pub async fn create_group(&self, params: CreateGroupParams) -> Result<GroupInfo> {
        self.with_session(move |s| async move { s.groups().create(params).await }).await
    }

    /// Applies to join a group, or joins it when it lets anyone in. `join_source`: 2
    /// invitation, 3 search, 4 QR code.
    pub async fn join_group(&self, group_id: String, req_msg: String, join_source: i32, ex: String) -> Result<()> {
        self.with_session(move |s| async move { s.groups().join(group_id, req_msg, join_source, ex).await }).await
    }

    /// Leaves a group (the owner transfers or dismisses it instead).
    pub async fn quit_group(&self, group_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.groups().quit(group_id).await }).await
    }

    /// Dismisses a group the user owns.
    pub async fn dismiss_group(&self, group_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.groups().dismiss(group_id).await }).await
    }

    /// Mutes the whole group (only the owner and admins may talk), or lifts the mute.
    pub async fn change_group_mute(&self, group_id: String, is_mute: bool) -> Result<()> {
        self.with_session(move |s| async move { s.groups().change_mute(group_id, is_mute).await }).await
    }

    /// Mutes a member for `muted_seconds` (0 lifts the mute).
    pub async fn change_group_member_mute(&self, group_id: String, user_id: String, muted_seconds: u32) -> Result<()> {
        self.with_session(move |s| async move { s.groups().change_member_mute(group_id, user_id, muted_seconds).await }).await
    }

    /// Makes another member the owner; the user becomes an ordinary member.
    pub async fn transfer_group_owner(&self, group_id: String, new_owner_user_id: String) -> Result<()> {
        self.with_session(move |s| async move { s.groups().transfer(group_id, new_owner_user_id).await }).await
    }

    pub async fn kick_group_member(&self, group_id: String, reason: String, user_ids: Vec<String>) -> Result<()> {
        self.with_session(move |s| async move { s.groups().kick(group_id, reason, user_ids).await }).await
    }

    /// Invites users: they join at once, or become applications where the group wants it.
    pub async fn invite_user_to_group(&self, group_id: String, reason: String, user_ids: Vec<String>) -> Result<()> {
        self.with_session(move |s| async move { s.groups().invite(group_id, reason, user_ids).await }).await
    }

    /// Changes the group's name, notice, introduction, face, `ex` or settings.
    pub async fn set_group_info(&self, group_id: String, update: GroupInfoUpdate) -> Result<()> {
        self.with_session(move |s| async move { s.groups().set_info(group_id, update).await }).await
    }

    /// Changes a member's group nickname, face, role or `ex`.
    pub async fn set_group_member_info(&self, group_id: String, user_id: String, update: GroupMemberUpdate) -> Result<()> {
        self.with_session(move |s| async move { s.groups().set_member_info(group_id, user_id, update).await }).await
    }

    /// Every group the user is in.
    pub async fn get_joined_group_list(&self) -> Result<Vec<GroupInfo>> {
        self.with_session(move |s| async move { s.groups().joined().await }).await
    }

    pub async fn get_joined_group_list_page(&self, offset: i32, count: i32) -> Result<Vec<GroupInfo>> {
        self.with_session(move |s| async move { s.groups().joined_page(offset, count).await }).await
    }

    /// Groups by ID (the user's own from the local list, others from the server).
    pub async fn get_specified_groups_info(&self, group_ids: Vec<String>) -> Result<Vec<GroupInfo>> {
        self.with_session(move |s| async move { s.groups().specified(group_ids).await }).await
    }

    /// The user's groups whose ID or name contains a keyword.
    pub async fn search_groups(&self, params: SearchGroupsParams) -> Result<Vec<GroupInfo>> {
        self.with_session(move |s| async move { s.groups().search(params).await }).await
    }

    pub async fn is_join_group(&self, group_id: String) -> Result<bool> {
        self.with_session(move |s| async move { s.groups().is_joined(group_id).await }).await
    }
}

/// Members.
#[uniffi::export]
impl OpenIMClient {
    /// Members (owner, admins, then members, each by join time), filtered by role, one page.
    pub async fn get_group_member_list(&self, group_id: String, filter: GroupMemberFilter, offset: i32, count: i32) -> Result<Vec<GroupMember>> {
        self.with_session(move |s| async move { s.groups().members(group_id, filter, offset, count).await }).await
    }

    /// Members who joined between `join_time_begin` and `join_time_end` (milliseconds; an end
    /// of 0 is now), newest first, without `exclude_user_ids`; one page (OpenIM's
    /// `GetGroupMemberListByJoinTimeFilter`).
    pub async fn get_group_member_list_by_join_time_filter(
        &self,
        group_id: String,
        offset: i32,
        count: i32,
        join_time_begin: i64,
        join_time_end: i64,
        exclude_user_ids: Vec<String>,
    ) -> Result<Vec<GroupMember>> {
        self.with_session(move |s| async move {
            s.groups().members_joined_between(group_id, offset, count, join_time_begin, join_time_end, exclude_user_ids).await
        })
        .await
    }

    pub async fn get_group_member_owner_and_admin(&self, group_id: String) -> Result<Vec<GroupMember>> {
        self.with_session(move |s| async move { s.groups().owner_and_admins(group_id).await }).await
    }

    /// The members among `user_ids`, in that order (non-members left out).
    pub async fn get_specified_group_members_info(&self, group_id: String, user_ids: Vec<String>) -> Result<Vec<GroupMember>> {
        self.with_session(move |s| async move { s.groups().specified_members(group_id, user_ids).await }).await
    }

    /// Members whose ID or group nickname contains a keyword.
    pub async fn search_group_members(&self, params: SearchGroupMembersParams) -> Result<Vec<GroupMember>> {
        self.with_session(move |s| async move { s.groups().search_members(params).await }).await
    }

    /// Which of `user_ids` are in the group.
    pub async fn get_users_in_group(&self, group_id: String, user_ids: Vec<String>) -> Result<Vec<String>> {
        self.with_session(move |s| async move { s.groups().users_in_group(group_id, user_ids).await }).await
    }
}

/// Applications (read from the server).
#[uniffi::export]
impl OpenIMClient {
    /// Applications to the groups the user owns or administers, newest first (all states
    /// with none).
    pub async fn get_group_application_list_as_recipient(
        &self,
        states: Vec<ApplicationState>,
        offset: i32,
        count: i32,
    ) -> Result<Vec<GroupApplication>> {
        self.with_session(move |s| async move { s.groups().applications_received(states, offset, count).await }).await
    }

    /// The user's own applications, newest first.
    pub async fn get_group_application_list_as_applicant(
        &self,
        states: Vec<ApplicationState>,
        offset: i32,
        count: i32,
    ) -> Result<Vec<GroupApplication>> {
        self.with_session(move |s| async move { s.groups().applications_sent(states, offset, count).await }).await
    }

    pub async fn accept_group_application(&self, group_id: String, from_user_id: String, handle_msg: String) -> Result<()> {
        self.with_session(move |s| async move { s.groups().respond(group_id, from_user_id, true, handle_msg).await }).await
    }

    pub async fn refuse_group_application(&self, group_id: String, from_user_id: String, handle_msg: String) -> Result<()> {
        self.with_session(move |s| async move { s.groups().respond(group_id, from_user_id, false, handle_msg).await }).await
    }

    /// Pending applications to the user's groups made after `since_ms` (0 for all).
    pub async fn get_group_application_unhandled_count(&self, since_ms: i64) -> Result<i32> {
        self.with_session(move |s| async move { s.groups().unhandled_count(since_ms).await }).await
    }
}
