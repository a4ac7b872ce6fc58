//! `local_groups` and `local_group_members`.

use sqlx::SqliteConnection;

use super::placeholders;
use super::rows::{GroupMemberRow, GroupRow};
use crate::error::Result;

/// Groups in list order: oldest first.
const GROUP_ORDER: &str = "ORDER BY create_time, group_id";

/// [`GROUP_ORDER`] as a sort key, for rows read in several statements.
fn group_order(g: &GroupRow) -> (i64, &str) {
    (g.create_time, &g.group_id)
}

/// The groups among `ids` (all with `None`), in list order.
pub async fn groups(c: &mut SqliteConnection, ids: Option<&[String]>) -> Result<Vec<GroupRow>> {
    match ids {
        None => Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT * FROM local_groups {GROUP_ORDER}"))).fetch_all(c).await?),
        Some([]) => Ok(Vec::new()),
        Some(ids) => {
            super::select_in(c, "SELECT * FROM local_groups WHERE group_id", &[], ids, GROUP_ORDER, |rows: &mut Vec<GroupRow>| {
                rows.sort_by(|a, b| group_order(a).cmp(&group_order(b)))
            })
            .await
        }
    }
}

pub async fn group(c: &mut SqliteConnection, group_id: &str) -> Result<Option<GroupRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_groups WHERE group_id = ?").bind(group_id).fetch_optional(c).await?)
}

pub async fn put_group(c: &mut SqliteConnection, g: &GroupRow) -> Result<()> {
    put_groups(c, &[g]).await
}

/// [`put_group`] for many groups, a few hundred per statement.
pub async fn put_groups(c: &mut SqliteConnection, rows: &[&GroupRow]) -> Result<()> {
    super::execute_rows(
        c,
        "INSERT OR REPLACE INTO local_groups (group_id, name, notification, introduction, face_url, create_time, status,
               creator_user_id, group_type, owner_user_id, member_count, ex, attached_info, need_verification, look_member_info,
               apply_member_friend, notification_update_time, notification_user_id) ",
        "",
        rows,
        |mut b, g| {
            b.push_bind(&g.group_id)
                .push_bind(&g.name)
                .push_bind(&g.notification)
                .push_bind(&g.introduction)
                .push_bind(&g.face_url)
                .push_bind(g.create_time)
                .push_bind(g.status)
                .push_bind(&g.creator_user_id)
                .push_bind(g.group_type)
                .push_bind(&g.owner_user_id)
                .push_bind(g.member_count)
                .push_bind(&g.ex)
                .push_bind(&g.attached_info)
                .push_bind(g.need_verification)
                .push_bind(g.look_member_info)
                .push_bind(g.apply_member_friend)
                .push_bind(g.notification_update_time)
                .push_bind(&g.notification_user_id);
        },
    )
    .await
}

/// Removes a group and its members.
pub async fn delete_group(c: &mut SqliteConnection, group_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM local_group_members WHERE group_id = ?").bind(group_id).execute(&mut *c).await?;
    sqlx::query("DELETE FROM local_groups WHERE group_id = ?").bind(group_id).execute(c).await?;
    Ok(())
}

/// Groups whose ID or name (as chosen) contains any keyword (as OpenIM's `LIKE`: ASCII letters
/// in either case; `%` and `_` are taken as they are).
pub async fn search_groups(c: &mut SqliteConnection, keywords: &[String], by_id: bool, by_name: bool) -> Result<Vec<GroupRow>> {
    let columns: Vec<&str> = [(by_id, "group_id"), (by_name, "name")].into_iter().filter_map(|(on, col)| on.then_some(col)).collect();
    if columns.is_empty() || keywords.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<String> = keywords.iter().flat_map(|_| columns.iter().map(|col| format!("{col} LIKE ? ESCAPE '\\'"))).collect();
    // Assembled from fixed fragments only; every value is bound.
    let sql = format!("SELECT * FROM local_groups WHERE {} ORDER BY create_time, group_id", parts.join(" OR "));
    let mut q = sqlx::query_as::<_, GroupRow>(sqlx::AssertSqlSafe(sql));
    for keyword in keywords {
        for _ in &columns {
            q = q.bind(super::chat_logs::like_pattern(keyword));
        }
    }
    Ok(q.fetch_all(c).await?)
}

// --- members ---

/// Members in list order: owner, admins, members, each by join time.
/// The index `local_group_members_list` (migration 0009) holds this order: change both together.
const MEMBER_ORDER: &str = "ORDER BY role_level DESC, join_time, user_id";

/// [`MEMBER_ORDER`] as a sort key, for rows read in several statements.
fn member_order(m: &GroupMemberRow) -> (std::cmp::Reverse<i32>, i64, &str) {
    (std::cmp::Reverse(m.role_level), m.join_time, &m.user_id)
}

/// The members of `group_id` among `ids` (all with `None`).
/// One page of a group's members in list order, only those with one of `roles` when given. Read
/// in order from `local_group_members_list` (migration 0009).
pub async fn members_page(c: &mut SqliteConnection, group_id: &str, roles: Option<&[i32]>, offset: i64, limit: i64) -> Result<Vec<GroupMemberRow>> {
    let sql = members_page_sql(roles, offset, limit);
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).persistent(super::persistent_page(offset)).bind(group_id).fetch_all(c).await?)
}

/// The statement of [`members_page`]: the group ID bound, the roles (a fixed set of integers)
/// and the page bounds written in.
pub(crate) fn members_page_sql(roles: Option<&[i32]>, offset: i64, limit: i64) -> String {
    let roles = match roles {
        Some(roles) => format!("AND role_level IN ({})", roles.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")),
        None => String::new(),
    };
    format!("SELECT * FROM local_group_members WHERE group_id = ? {roles} {MEMBER_ORDER} {}", super::limit_offset(limit, offset))
}

/// Members who joined between `begin` and `end` (milliseconds, both included), newest first,
/// but those in `excluded`; one page.
pub async fn members_joined_between(
    c: &mut SqliteConnection,
    group_id: &str,
    (begin, end): (i64, i64),
    excluded: &[String],
    offset: i64,
    limit: i64,
) -> Result<Vec<GroupMemberRow>> {
    let not_in = if excluded.is_empty() { String::new() } else { format!("AND user_id NOT IN ({})", placeholders(excluded.len())) };
    let sql = format!(
        "SELECT * FROM local_group_members WHERE group_id = ? AND join_time BETWEEN ? AND ? {not_in} ORDER BY join_time DESC, user_id {}",
        super::limit_offset(limit, offset)
    );
    let mut q = sqlx::query_as::<_, GroupMemberRow>(sqlx::AssertSqlSafe(sql)).persistent(false).bind(group_id).bind(begin).bind(end);
    for id in excluded {
        q = q.bind(id);
    }
    Ok(q.fetch_all(c).await?)
}

pub async fn members(c: &mut SqliteConnection, group_id: &str, ids: Option<&[String]>) -> Result<Vec<GroupMemberRow>> {
    match ids {
        None => Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT * FROM local_group_members WHERE group_id = ? {MEMBER_ORDER}")))
            .bind(group_id)
            .fetch_all(c)
            .await?),
        Some([]) => Ok(Vec::new()),
        Some(ids) => {
            let head = "SELECT * FROM local_group_members WHERE group_id = ? AND user_id";
            super::select_in(c, head, &[group_id], ids, MEMBER_ORDER, |rows: &mut Vec<GroupMemberRow>| {
                rows.sort_by(|a, b| member_order(a).cmp(&member_order(b)))
            })
            .await
        }
    }
}

pub async fn member(c: &mut SqliteConnection, group_id: &str, user_id: &str) -> Result<Option<GroupMemberRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_group_members WHERE group_id = ? AND user_id = ?")
        .bind(group_id)
        .bind(user_id)
        .fetch_optional(c)
        .await?)
}

pub async fn put_member(c: &mut SqliteConnection, m: &GroupMemberRow) -> Result<()> {
    put_members(c, &[m]).await
}

/// [`put_member`] for many members, a few hundred per statement.
pub async fn put_members(c: &mut SqliteConnection, rows: &[&GroupMemberRow]) -> Result<()> {
    super::execute_rows(
        c,
        "INSERT OR REPLACE INTO local_group_members (group_id, user_id, nickname, face_url, role_level, join_time, join_source,
               inviter_user_id, mute_end_time, operator_user_id, ex, attached_info) ",
        "",
        rows,
        |mut b, m| {
            b.push_bind(&m.group_id)
                .push_bind(&m.user_id)
                .push_bind(&m.nickname)
                .push_bind(&m.face_url)
                .push_bind(m.role_level)
                .push_bind(m.join_time)
                .push_bind(m.join_source)
                .push_bind(&m.inviter_user_id)
                .push_bind(m.mute_end_time)
                .push_bind(&m.operator_user_id)
                .push_bind(&m.ex)
                .push_bind(&m.attached_info);
        },
    )
    .await
}

pub async fn delete_member(c: &mut SqliteConnection, group_id: &str, user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM local_group_members WHERE group_id = ? AND user_id = ?").bind(group_id).bind(user_id).execute(c).await?;
    Ok(())
}

/// Members whose ID or group nickname (as chosen) contains any keyword, in list order (as
/// OpenIM's `LIKE`: ASCII letters in either case; `%` and `_` are taken as they are).
pub async fn search_members(
    c: &mut SqliteConnection,
    group_id: &str,
    keywords: &[String],
    by_id: bool,
    by_nickname: bool,
    offset: i64,
    limit: i64,
) -> Result<Vec<GroupMemberRow>> {
    let columns: Vec<&str> = [(by_id, "user_id"), (by_nickname, "nickname")].into_iter().filter_map(|(on, col)| on.then_some(col)).collect();
    if columns.is_empty() || keywords.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<String> = keywords.iter().flat_map(|_| columns.iter().map(|col| format!("{col} LIKE ? ESCAPE '\\'"))).collect();
    // Assembled from fixed fragments and the page bounds (integers); every other value is bound.
    let sql = format!(
        "SELECT * FROM local_group_members WHERE group_id = ? AND ({}) {MEMBER_ORDER} {}",
        parts.join(" OR "),
        super::limit_offset(limit, offset)
    );
    let mut q = sqlx::query_as::<_, GroupMemberRow>(sqlx::AssertSqlSafe(sql)).persistent(super::persistent_page(offset)).bind(group_id);
    for keyword in keywords {
        for _ in &columns {
            q = q.bind(super::chat_logs::like_pattern(keyword));
        }
    }
    Ok(q.fetch_all(c).await?)
}
