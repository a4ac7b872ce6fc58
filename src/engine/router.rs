//! The notification router: every message with a notification content type, pushed or pulled,
//! goes through [`Router::route`], which hands it by content-type range (OpenIM's
//! `doNotificationManager`) to the domain that owns it, inside the write of its batch. Unknown
//! types are logged and skipped; they never hold up the stream.

use openim_wire::constant::content_type as ct;
use openim_wire::pb::sdkws::MsgData;

use crate::context::Write;
use crate::conversation::Conversations;
use crate::error::Result;
use crate::events::Event;
use crate::friend::Friends;
use crate::group::Groups;
use crate::message::Messages;
use crate::model::BusinessNotification;
use crate::user::Users;

/// Who handles a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// 1201–1299: friends and the blacklist.
    Friend,
    /// 1300 and 1700–1799: the conversation list.
    Conversation,
    /// 1301–1399: users.
    User,
    /// 1500–1599: groups.
    Group,
    /// 2001: custom business notifications.
    Business,
    /// 2100–2299: operations on messages (revoke, deletion, read receipts).
    Message,
    /// Nobody (logged and skipped).
    Unknown,
}

/// The domain of a notification content type.
pub fn domain_of(content_type: i32) -> Domain {
    match content_type {
        1201..=1299 => Domain::Friend,
        ct::CONVERSATION_CHANGE | 1700..=1799 => Domain::Conversation,
        1301..=1399 => Domain::User,
        1500..=1599 => Domain::Group,
        ct::BUSINESS => Domain::Business,
        2100..=2299 => Domain::Message,
        _ => Domain::Unknown,
    }
}

#[derive(Clone)]
pub struct Router {
    messages: Messages,
    conversations: Conversations,
    friends: Friends,
    groups: Groups,
    users: Users,
    login_user_id: String,
}

impl Router {
    pub fn new(messages: Messages, conversations: Conversations, friends: Friends, groups: Groups, users: Users, login_user_id: String) -> Self {
        Self { messages, conversations, friends, groups, users, login_user_id }
    }

    /// Applies one notification in `w`. A failing write fails the batch (it is retried);
    /// anything else about a notification (unknown type, tips that do not parse) is logged.
    pub async fn route(&self, w: &mut Write, data: &MsgData) -> Result<()> {
        if crate::message::ingest::is_placeholder(data) {
            return Ok(());
        }
        match (domain_of(data.content_type), data.content_type) {
            (Domain::Message, ct::MSG_REVOKE) => self.messages.on_revoked(w, data).await,
            (Domain::Message, ct::DELETE_MSGS) => self.messages.on_deleted(w, data).await,
            (Domain::Message, ct::HAS_READ_RECEIPT) => self.messages.on_read(w, data).await,
            (Domain::Friend, _) => {
                self.friends.on_notification(w, data);
                Ok(())
            }
            (Domain::Group, _) => {
                self.groups.on_notification(w, data);
                Ok(())
            }
            (Domain::Conversation, ct::CONVERSATION_CHANGE) => {
                self.conversations.on_changed(w, data);
                Ok(())
            }
            (Domain::Conversation, ct::CLEAR_CONVERSATION) => self.conversations.on_cleared(w, data).await,
            (Domain::Conversation, _) => self.conversations.on_settings_notification(w, data).await,
            (Domain::User, ct::USER_INFO_UPDATED) => {
                self.on_user_info_updated(w, data);
                Ok(())
            }
            (Domain::Business, _) => {
                // Told as the server sent it (OpenIM's core passes the detail on untouched).
                if let Some(tips) = crate::util::tips::<openim_wire::elem::BusinessTips>(data) {
                    w.push(Event::Business(BusinessNotification { key: tips.key, data: tips.data }));
                }
                Ok(())
            }
            (domain, content_type) => {
                tracing::debug!(?domain, content_type, "notification not handled; skipped");
                Ok(())
            }
        }
    }

    /// 1303: a user's profile changed; the own one is fetched again after the batch.
    fn on_user_info_updated(&self, w: &mut Write, data: &MsgData) {
        let Some(tips) = crate::util::tips::<openim_wire::elem::UserInfoUpdatedTips>(data) else { return };
        if tips.user_id != self.login_user_id {
            return;
        }
        let users = self.users.clone();
        w.after_commit(async move {
            if let Err(e) = users.sync_self_info().await {
                tracing::warn!(error = %e, "fetching the updated own profile failed");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_route_by_range() {
        assert_eq!(domain_of(1201), Domain::Friend);
        assert_eq!(domain_of(1210), Domain::Friend);
        assert_eq!(domain_of(1300), Domain::Conversation);
        assert_eq!(domain_of(1303), Domain::User);
        assert_eq!(domain_of(1501), Domain::Group);
        assert_eq!(domain_of(1520), Domain::Group);
        assert_eq!(domain_of(1701), Domain::Conversation);
        assert_eq!(domain_of(1703), Domain::Conversation);
        assert_eq!(domain_of(2001), Domain::Business);
        assert_eq!(domain_of(2101), Domain::Message);
        assert_eq!(domain_of(2200), Domain::Message);
        assert_eq!(domain_of(1400), Domain::Unknown);
        assert_eq!(domain_of(4999), Domain::Unknown);
    }
}
