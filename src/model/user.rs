//! User records.

/// A user's profile (`sdkws.UserInfo`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct UserInfo {
    pub user_id: String,
    pub nickname: String,
    pub face_url: String,
    pub ex: String,
    /// Milliseconds since the epoch.
    pub create_time: i64,
    /// 0 receive all, 1 receive none, 2 receive without notification.
    pub global_recv_msg_opt: i32,
}

impl From<openim_wire::api::user::UserInfo> for UserInfo {
    fn from(u: openim_wire::api::user::UserInfo) -> Self {
        Self {
            user_id: u.user_id,
            nickname: u.nickname,
            face_url: u.face_url,
            ex: u.ex,
            create_time: u.create_time,
            global_recv_msg_opt: u.global_recv_msg_opt,
        }
    }
}
