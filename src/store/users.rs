//! `local_users`.

use openim_wire::api::user::UserInfo;

use super::Store;
use crate::error::Result;

#[derive(sqlx::FromRow)]
struct LocalUser {
    user_id: String,
    nickname: String,
    face_url: String,
    ex: String,
    create_time: i64,
    app_manger_level: i32,
    global_recv_msg_opt: i32,
}

impl Store {
    pub async fn upsert_user(&self, u: &UserInfo) -> Result<()> {
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn get_user(&self, user_id: &str) -> Result<Option<UserInfo>> {
        let row: Option<LocalUser> = sqlx::query_as("SELECT * FROM local_users WHERE user_id = ?")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| UserInfo {
            user_id: r.user_id,
            nickname: r.nickname,
            face_url: r.face_url,
            ex: r.ex,
            create_time: r.create_time,
            app_manger_level: r.app_manger_level,
            global_recv_msg_opt: r.global_recv_msg_opt,
        }))
    }
}
