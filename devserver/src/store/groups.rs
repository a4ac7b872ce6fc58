//! Groups, members and join applications, with the two version logs OpenIM keeps: the groups of
//! each user (`join_group`, elements are group IDs) and the members of each group
//! (`group_member`, elements are user IDs, `""` for the group itself, the sort element for
//! order changes).

use openim_wire::api::group::{GroupInfo, GroupMemberFullInfo, GroupRequest};
use openim_wire::api::user::PublicUserInfo;
use openim_wire::constant::group as g;

use super::Store;
use super::versions::{Change, kind};
use crate::error::CodeResult;

#[derive(sqlx::FromRow)]
struct GroupRow {
    group_id: String,
    group_name: String,
    notification: String,
    introduction: String,
    face_url: String,
    create_time: i64,
    ex: String,
    status: i32,
    creator_user_id: String,
    group_type: i32,
    need_verification: i32,
    look_member_info: i32,
    apply_member_friend: i32,
    notification_update_time: i64,
    notification_user_id: String,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    group_id: String,
    user_id: String,
    nickname: String,
    face_url: String,
    role_level: i32,
    join_time: i64,
    join_source: i32,
    inviter_user_id: String,
    operator_user_id: String,
    mute_end_time: i64,
    ex: String,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    group_id: String,
    user_id: String,
    handle_result: i32,
    req_msg: String,
    handle_msg: String,
    req_time: i64,
    handle_user_id: String,
    handle_time: i64,
    join_source: i32,
    inviter_user_id: String,
    ex: String,
}

/// A member to add.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub user_id: String,
    pub role_level: i32,
    pub join_source: i32,
    pub inviter_user_id: String,
    pub operator_user_id: String,
}

/// What `update_group` changes; `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct GroupUpdate {
    pub group_name: Option<String>,
    pub notification: Option<String>,
    pub introduction: Option<String>,
    pub face_url: Option<String>,
    pub ex: Option<String>,
    pub need_verification: Option<i32>,
    pub look_member_info: Option<i32>,
    pub apply_member_friend: Option<i32>,
    pub notification_user_id: Option<String>,
}

/// What `update_member` changes; `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct MemberUpdate {
    pub nickname: Option<String>,
    pub face_url: Option<String>,
    pub role_level: Option<i32>,
    pub ex: Option<String>,
    pub mute_end_time: Option<i64>,
}

/// A group as one of its senders' messages sees it ([`Store::group_sender`]).
#[derive(Debug, Clone, Copy)]
pub struct GroupSender {
    pub status: i32,
    /// `(role_level, mute_end_time)` when the sender is a member.
    pub member: Option<(i32, i64)>,
}

impl Store {
    // --- groups ---

    pub async fn group_exists(&self, group_id: &str) -> CodeResult<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM groups WHERE group_id = ?").bind(group_id).fetch_optional(&self.pool).await?;
        Ok(found.is_some())
    }

    /// A group as OpenIM renders it (owner and member count filled in live).
    pub async fn group_info(&self, group_id: &str) -> CodeResult<Option<GroupInfo>> {
        let row: Option<GroupRow> = sqlx::query_as("SELECT * FROM groups WHERE group_id = ?").bind(group_id).fetch_optional(&self.pool).await?;
        let Some(r) = row else { return Ok(None) };
        let (count, owner): (i64, Option<String>) = sqlx::query_as(
            "SELECT COUNT(*), (SELECT user_id FROM group_members WHERE group_id = ? AND role_level = ?) FROM group_members WHERE group_id = ?",
        )
        .bind(group_id)
        .bind(g::OWNER)
        .bind(group_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Some(GroupInfo {
            group_id: r.group_id,
            group_name: r.group_name,
            notification: r.notification,
            introduction: r.introduction,
            face_url: r.face_url,
            owner_user_id: owner.unwrap_or_default(),
            create_time: r.create_time,
            member_count: count as u32,
            ex: r.ex,
            status: r.status,
            creator_user_id: r.creator_user_id,
            group_type: r.group_type,
            need_verification: r.need_verification,
            look_member_info: r.look_member_info,
            apply_member_friend: r.apply_member_friend,
            notification_update_time: r.notification_update_time,
            notification_user_id: r.notification_user_id,
        }))
    }

    /// The groups among `ids` that exist, in the order of `ids`.
    pub async fn groups_info(&self, ids: &[String]) -> CodeResult<Vec<GroupInfo>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.group_info(id).await?);
        }
        Ok(out)
    }

    /// Creates a group with its members; logs them in every member's group list and in the
    /// group's member list.
    pub async fn create_group(&self, info: &GroupInfo, members: &[NewMember], now: i64) -> CodeResult<()> {
        sqlx::query(
            "INSERT INTO groups (group_id, group_name, notification, introduction, face_url, create_time, ex, creator_user_id,
               group_type, need_verification, look_member_info, apply_member_friend, notification_update_time, notification_user_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&info.group_id)
        .bind(&info.group_name)
        .bind(&info.notification)
        .bind(&info.introduction)
        .bind(&info.face_url)
        .bind(now)
        .bind(&info.ex)
        .bind(&info.creator_user_id)
        .bind(info.group_type)
        .bind(info.need_verification)
        .bind(info.look_member_info)
        .bind(info.apply_member_friend)
        .bind(if info.notification.is_empty() { 0 } else { now })
        .bind(if info.notification.is_empty() { "" } else { info.creator_user_id.as_str() })
        .execute(&self.pool)
        .await?;
        self.add_members(&info.group_id, members, now).await
    }

    /// Adds members (existing ones are skipped), each logged in its own group list and in the
    /// group's member list.
    pub async fn add_members(&self, group_id: &str, members: &[NewMember], now: i64) -> CodeResult<()> {
        let mut added = Vec::new();
        for m in members {
            let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM group_members WHERE group_id = ?")
                .bind(group_id)
                .fetch_one(&self.pool)
                .await?;
            let done = sqlx::query(
                "INSERT OR IGNORE INTO group_members (group_id, user_id, role_level, join_time, join_source, inviter_user_id,
                   operator_user_id, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(group_id)
            .bind(&m.user_id)
            .bind(m.role_level)
            .bind(now)
            .bind(m.join_source)
            .bind(&m.inviter_user_id)
            .bind(&m.operator_user_id)
            .bind(seq)
            .execute(&self.pool)
            .await?;
            if done.rows_affected() == 1 {
                self.bump_version(kind::JOIN_GROUP, &m.user_id, &[group_id.to_owned()], Change::Insert).await?;
                added.push(m.user_id.clone());
            }
        }
        if !added.is_empty() {
            self.bump_version(kind::GROUP_MEMBER, group_id, &added, Change::Insert).await?;
            // The member count changed.
            self.bump_version(kind::GROUP_MEMBER, group_id, &[g::INFO_ELEMENT.to_owned()], Change::Update).await?;
        }
        Ok(())
    }

    /// Removes members, logged like their addition.
    pub async fn remove_members(&self, group_id: &str, user_ids: &[String]) -> CodeResult<()> {
        for user_id in user_ids {
            sqlx::query("DELETE FROM group_members WHERE group_id = ? AND user_id = ?").bind(group_id).bind(user_id).execute(&self.pool).await?;
            self.bump_version(kind::JOIN_GROUP, user_id, &[group_id.to_owned()], Change::Delete).await?;
        }
        self.bump_version(kind::GROUP_MEMBER, group_id, user_ids, Change::Delete).await?;
        self.bump_version(kind::GROUP_MEMBER, group_id, &[g::INFO_ELEMENT.to_owned()], Change::Update).await?;
        Ok(())
    }

    /// Changes group fields; the group's member log records the group element.
    pub async fn update_group(&self, group_id: &str, u: &GroupUpdate, now: i64) -> CodeResult<()> {
        macro_rules! set {
            ($field:expr, $column:literal) => {
                if let Some(value) = &$field {
                    sqlx::query(concat!("UPDATE groups SET ", $column, " = ? WHERE group_id = ?")).bind(value).bind(group_id).execute(&self.pool).await?;
                }
            };
        }
        set!(u.group_name, "group_name");
        set!(u.notification, "notification");
        set!(u.introduction, "introduction");
        set!(u.face_url, "face_url");
        set!(u.ex, "ex");
        set!(u.need_verification, "need_verification");
        set!(u.look_member_info, "look_member_info");
        set!(u.apply_member_friend, "apply_member_friend");
        set!(u.notification_user_id, "notification_user_id");
        if u.notification.is_some() {
            sqlx::query("UPDATE groups SET notification_update_time = ? WHERE group_id = ?").bind(now).bind(group_id).execute(&self.pool).await?;
        }
        self.bump_version(kind::GROUP_MEMBER, group_id, &[g::INFO_ELEMENT.to_owned()], Change::Update).await?;
        Ok(())
    }

    pub async fn set_group_status(&self, group_id: &str, status: i32) -> CodeResult<()> {
        sqlx::query("UPDATE groups SET status = ? WHERE group_id = ?").bind(status).bind(group_id).execute(&self.pool).await?;
        self.bump_version(kind::GROUP_MEMBER, group_id, &[g::INFO_ELEMENT.to_owned()], Change::Update).await?;
        Ok(())
    }

    /// The groups `user_id` is in, in the order joined.
    pub async fn joined_group_ids(&self, user_id: &str) -> CodeResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT m.group_id FROM group_members m JOIN groups g ON g.group_id = m.group_id WHERE m.user_id = ? ORDER BY m.join_time, m.group_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The groups where `user_id` has no group nickname or no group face: there members see
    /// the user's own (OpenIM's `NotificationUserInfoUpdate` picks these).
    pub async fn groups_showing_profile(&self, user_id: &str) -> CodeResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT group_id FROM group_members WHERE user_id = ? AND (nickname = '' OR face_url = '') ORDER BY join_time, group_id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    // --- members ---

    async fn member_info(&self, r: MemberRow) -> CodeResult<GroupMemberFullInfo> {
        // Empty names and faces come from the user's profile (OpenIM's PopulateGroupMember).
        let (nickname, face_url) = if r.nickname.is_empty() || r.face_url.is_empty() {
            let u = self.find_user(&r.user_id).await?.unwrap_or_default();
            (if r.nickname.is_empty() { u.nickname } else { r.nickname }, if r.face_url.is_empty() { u.face_url } else { r.face_url })
        } else {
            (r.nickname, r.face_url)
        };
        Ok(GroupMemberFullInfo {
            group_id: r.group_id,
            user_id: r.user_id,
            role_level: r.role_level,
            join_time: r.join_time,
            nickname,
            face_url,
            app_manger_level: 0,
            join_source: r.join_source,
            operator_user_id: r.operator_user_id,
            ex: r.ex,
            mute_end_time: r.mute_end_time,
            inviter_user_id: r.inviter_user_id,
        })
    }

    pub async fn group_member(&self, group_id: &str, user_id: &str) -> CodeResult<Option<GroupMemberFullInfo>> {
        let row: Option<MemberRow> = sqlx::query_as("SELECT * FROM group_members WHERE group_id = ? AND user_id = ?")
            .bind(group_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(self.member_info(r).await?),
            None => None,
        })
    }

    /// What a group send checks, in one query: the group's status and, when `user_id` is a
    /// member, its role and mute end. `None` when there is no such group.
    pub async fn group_sender(&self, group_id: &str, user_id: &str) -> CodeResult<Option<GroupSender>> {
        let row: Option<(i32, Option<i32>, Option<i64>)> = sqlx::query_as(
            "SELECT g.status, m.role_level, m.mute_end_time FROM groups g
             LEFT JOIN group_members m ON m.group_id = g.group_id AND m.user_id = ?2
             WHERE g.group_id = ?1",
        )
        .bind(group_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(status, role, mute_end)| GroupSender { status, member: role.map(|role| (role, mute_end.unwrap_or(0))) }))
    }

    /// The member IDs of a group: owner, admins, members, each in the order they joined.
    pub async fn group_member_ids(&self, group_id: &str) -> CodeResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = ? ORDER BY role_level DESC, seq")
            .bind(group_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The members among `ids` (non-members left out), in the order of `ids`.
    pub async fn group_members(&self, group_id: &str, ids: &[String]) -> CodeResult<Vec<GroupMemberFullInfo>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.group_member(group_id, id).await?);
        }
        Ok(out)
    }

    /// Changes a member; a role change also logs a new order.
    pub async fn update_member(&self, group_id: &str, user_id: &str, u: &MemberUpdate) -> CodeResult<()> {
        macro_rules! set {
            ($field:expr, $column:literal) => {
                if let Some(value) = &$field {
                    sqlx::query(concat!("UPDATE group_members SET ", $column, " = ? WHERE group_id = ? AND user_id = ?"))
                        .bind(value)
                        .bind(group_id)
                        .bind(user_id)
                        .execute(&self.pool)
                        .await?;
                }
            };
        }
        set!(u.nickname, "nickname");
        set!(u.face_url, "face_url");
        set!(u.role_level, "role_level");
        set!(u.ex, "ex");
        set!(u.mute_end_time, "mute_end_time");
        let mut logged = vec![user_id.to_owned()];
        if u.role_level.is_some() {
            // The order, and maybe the owner, changed.
            logged.push(g::SORT_ELEMENT.to_owned());
            logged.push(g::INFO_ELEMENT.to_owned());
        }
        self.bump_version(kind::GROUP_MEMBER, group_id, &logged, Change::Update).await?;
        Ok(())
    }

    /// The owner and admins of a group.
    pub async fn group_managers(&self, group_id: &str) -> CodeResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = ? AND role_level >= ? ORDER BY role_level DESC, seq")
            .bind(group_id)
            .bind(g::ADMIN)
            .fetch_all(&self.pool)
            .await?)
    }

    // --- applications ---

    async fn group_request_of(&self, r: RequestRow) -> CodeResult<GroupRequest> {
        let user = self.find_user(&r.user_id).await?.unwrap_or_default();
        Ok(GroupRequest {
            user_info: Some(PublicUserInfo { user_id: r.user_id, nickname: user.nickname, face_url: user.face_url, ex: user.ex }),
            group_info: self.group_info(&r.group_id).await?,
            handle_result: r.handle_result,
            req_msg: r.req_msg,
            handle_msg: r.handle_msg,
            req_time: r.req_time,
            handle_user_id: r.handle_user_id,
            handle_time: r.handle_time,
            ex: r.ex,
            join_source: r.join_source,
            inviter_user_id: r.inviter_user_id,
        })
    }

    pub async fn group_request(&self, group_id: &str, user_id: &str) -> CodeResult<Option<GroupRequest>> {
        let row: Option<RequestRow> = sqlx::query_as("SELECT * FROM group_requests WHERE group_id = ? AND user_id = ?")
            .bind(group_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(self.group_request_of(r).await?),
            None => None,
        })
    }

    /// Records (or renews) `user_id`'s application to `group_id`.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_group_request(
        &self,
        group_id: &str,
        user_id: &str,
        req_msg: &str,
        join_source: i32,
        inviter: &str,
        ex: &str,
        now: i64,
    ) -> CodeResult<()> {
        sqlx::query(
            "INSERT INTO group_requests (group_id, user_id, req_msg, req_time, join_source, inviter_user_id, ex) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (group_id, user_id) DO UPDATE SET handle_result = 0, req_msg = excluded.req_msg, req_time = excluded.req_time,
               join_source = excluded.join_source, inviter_user_id = excluded.inviter_user_id, ex = excluded.ex,
               handle_msg = '', handle_user_id = '', handle_time = 0",
        )
        .bind(group_id)
        .bind(user_id)
        .bind(req_msg)
        .bind(now)
        .bind(join_source)
        .bind(inviter)
        .bind(ex)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn handle_group_request(&self, group_id: &str, user_id: &str, result: i32, handler: &str, msg: &str, now: i64) -> CodeResult<()> {
        sqlx::query(
            "UPDATE group_requests SET handle_result = ?, handle_msg = ?, handle_user_id = ?, handle_time = ? WHERE group_id = ? AND user_id = ?",
        )
        .bind(result)
        .bind(msg)
        .bind(handler)
        .bind(now)
        .bind(group_id)
        .bind(user_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Applications to `group_ids` (or by `applicant`), newest first, filtered by result, paged
    /// (1-based); with the total before paging.
    pub async fn group_requests_page(
        &self,
        group_ids: Option<&[String]>,
        applicant: Option<&str>,
        results: &[i32],
        page: i32,
        show: i32,
    ) -> CodeResult<(Vec<GroupRequest>, u32)> {
        let rows: Vec<RequestRow> = sqlx::query_as("SELECT * FROM group_requests ORDER BY req_time DESC, group_id, user_id").fetch_all(&self.pool).await?;
        let rows: Vec<RequestRow> = rows
            .into_iter()
            .filter(|r| group_ids.is_none_or(|ids| ids.contains(&r.group_id)))
            .filter(|r| applicant.is_none_or(|a| a == r.user_id))
            .filter(|r| results.is_empty() || results.contains(&r.handle_result))
            .collect();
        let total = rows.len() as u32;
        let start = ((page.max(1) - 1) as usize).saturating_mul(show.max(0) as usize);
        let mut out = Vec::new();
        for r in rows.into_iter().skip(start).take(show.max(0) as usize) {
            out.push(self.group_request_of(r).await?);
        }
        Ok((out, total))
    }

    /// The groups `user_id` owns or administers.
    pub async fn managed_group_ids(&self, user_id: &str) -> CodeResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT group_id FROM group_members WHERE user_id = ? AND role_level >= ?")
            .bind(user_id)
            .bind(g::ADMIN)
            .fetch_all(&self.pool)
            .await?)
    }
}
