//! `local_users`: cached profiles, starting with the logged-in user's.

use sqlx::SqliteConnection;

use super::rows::UserRow;
use crate::error::Result;

pub async fn upsert(c: &mut SqliteConnection, u: &UserRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO local_users (user_id, nickname, face_url, ex, create_time, app_manger_level, global_recv_msg_opt)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET nickname = excluded.nickname, face_url = excluded.face_url,
           ex = excluded.ex, create_time = excluded.create_time, app_manger_level = excluded.app_manger_level,
           global_recv_msg_opt = excluded.global_recv_msg_opt",
    )
    .bind(&u.user_id)
    .bind(&u.nickname)
    .bind(&u.face_url)
    .bind(&u.ex)
    .bind(u.create_time)
    .bind(u.app_manger_level)
    .bind(u.global_recv_msg_opt)
    .execute(c)
    .await?;
    Ok(())
}

pub async fn get(c: &mut SqliteConnection, user_id: &str) -> Result<Option<UserRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_users WHERE user_id = ?").bind(user_id).fetch_optional(c).await?)
}

/// The cached profiles among `user_ids`.
pub async fn get_many(c: &mut SqliteConnection, user_ids: &[String]) -> Result<Vec<UserRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    super::select_in(c, "SELECT * FROM local_users WHERE user_id", &[], user_ids, "", |_| ()).await
}
