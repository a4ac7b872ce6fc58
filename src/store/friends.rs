//! `local_friends` and `local_blacks`.

use sqlx::SqliteConnection;

use super::rows::{BlackRow, FriendRow};
use crate::error::Result;

/// Friends in list order: pinned first, then by when they became friends.
const FRIEND_ORDER: &str = "ORDER BY is_pinned DESC, create_time, friend_user_id";

/// [`FRIEND_ORDER`] as a sort key, for rows read in several statements.
fn friend_order(f: &FriendRow) -> (std::cmp::Reverse<bool>, i64, &str) {
    (std::cmp::Reverse(f.is_pinned), f.create_time, &f.friend_user_id)
}

/// The friends among `ids` (all with `None`), in list order.
pub async fn friends(c: &mut SqliteConnection, ids: Option<&[String]>) -> Result<Vec<FriendRow>> {
    match ids {
        None => Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT * FROM local_friends {FRIEND_ORDER}"))).fetch_all(c).await?),
        Some([]) => Ok(Vec::new()),
        Some(ids) => {
            super::select_in(c, "SELECT * FROM local_friends WHERE friend_user_id", &[], ids, FRIEND_ORDER, |rows: &mut Vec<FriendRow>| {
                rows.sort_by(|a, b| friend_order(a).cmp(&friend_order(b)))
            })
            .await
        }
    }
}

/// One page of the friend list.
pub async fn friends_page(c: &mut SqliteConnection, offset: i64, limit: i64) -> Result<Vec<FriendRow>> {
    let sql = format!("SELECT * FROM local_friends {FRIEND_ORDER} {}", super::limit_offset(limit, offset));
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).persistent(super::persistent_page(offset)).fetch_all(c).await?)
}

pub async fn put_friend(c: &mut SqliteConnection, f: &FriendRow) -> Result<()> {
    put_friends(c, &[f]).await
}

/// [`put_friend`] for many friends, a few hundred per statement.
pub async fn put_friends(c: &mut SqliteConnection, rows: &[&FriendRow]) -> Result<()> {
    super::execute_rows(
        c,
        "INSERT OR REPLACE INTO local_friends (owner_user_id, friend_user_id, remark, create_time, add_source, operator_user_id,
               nickname, face_url, ex, attached_info, is_pinned) ",
        "",
        rows,
        |mut b, f| {
            b.push_bind(&f.owner_user_id)
                .push_bind(&f.friend_user_id)
                .push_bind(&f.remark)
                .push_bind(f.create_time)
                .push_bind(f.add_source)
                .push_bind(&f.operator_user_id)
                .push_bind(&f.nickname)
                .push_bind(&f.face_url)
                .push_bind(&f.ex)
                .push_bind(&f.attached_info)
                .push_bind(f.is_pinned);
        },
    )
    .await
}

pub async fn delete_friend(c: &mut SqliteConnection, friend_user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM local_friends WHERE friend_user_id = ?").bind(friend_user_id).execute(c).await?;
    Ok(())
}

/// Friends whose ID, nickname or remark (as chosen) contains any keyword, in list order. As
/// OpenIM's `LIKE`: ASCII letters in either case; `%` and `_` are taken as they are.
pub async fn search_friends(c: &mut SqliteConnection, keywords: &[String], by_id: bool, by_nickname: bool, by_remark: bool) -> Result<Vec<FriendRow>> {
    let columns: Vec<&str> = [(by_id, "friend_user_id"), (by_nickname, "nickname"), (by_remark, "remark")]
        .into_iter()
        .filter_map(|(on, column)| on.then_some(column))
        .collect();
    if columns.is_empty() || keywords.is_empty() {
        return Ok(Vec::new());
    }
    let mut parts = Vec::new();
    for _ in keywords {
        for column in &columns {
            parts.push(format!("{column} LIKE ? ESCAPE '\\'"));
        }
    }
    // Assembled from fixed fragments only; every value is bound.
    let sql = format!("SELECT * FROM local_friends WHERE {} {FRIEND_ORDER}", parts.join(" OR "));
    let mut q = sqlx::query_as::<_, FriendRow>(sqlx::AssertSqlSafe(sql));
    for keyword in keywords {
        for _ in &columns {
            q = q.bind(super::chat_logs::like_pattern(keyword));
        }
    }
    Ok(q.fetch_all(c).await?)
}

pub async fn blacks(c: &mut SqliteConnection) -> Result<Vec<BlackRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_blacks ORDER BY create_time, block_user_id").fetch_all(c).await?)
}

pub async fn put_black(c: &mut SqliteConnection, b: &BlackRow) -> Result<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO local_blacks (owner_user_id, block_user_id, nickname, face_url, create_time, add_source,
           operator_user_id, ex, attached_info)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&b.owner_user_id)
    .bind(&b.block_user_id)
    .bind(&b.nickname)
    .bind(&b.face_url)
    .bind(b.create_time)
    .bind(b.add_source)
    .bind(&b.operator_user_id)
    .bind(&b.ex)
    .bind(&b.attached_info)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn delete_black(c: &mut SqliteConnection, block_user_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM local_blacks WHERE block_user_id = ?").bind(block_user_id).execute(c).await?;
    Ok(())
}
