//! Users.

use openim_wire::api::user::UserInfo;

use super::Store;
use crate::error::CodeResult;

#[derive(sqlx::FromRow)]
struct UserRow {
    user_id: String,
    nickname: String,
    face_url: String,
    ex: String,
    create_time: i64,
    app_manger_level: i32,
    global_recv_msg_opt: i32,
}

impl From<UserRow> for UserInfo {
    fn from(r: UserRow) -> Self {
        UserInfo {
            user_id: r.user_id,
            nickname: r.nickname,
            face_url: r.face_url,
            ex: r.ex,
            create_time: r.create_time,
            app_manger_level: r.app_manger_level,
            global_recv_msg_opt: r.global_recv_msg_opt,
        }
    }
}

/// Which notification accounts [`Store::notification_accounts`] lists.
pub enum AccountsBy<'a> {
    All,
    UserId(&'a str),
    Nickname(&'a str),
}

impl Store {
    /// Inserts all users in one transaction; returns `false` (inserting nothing) when any of them
    /// already exists.
    pub async fn register_users(&self, users: &[UserInfo], create_time: i64) -> CodeResult<bool> {
        // IMMEDIATE: a deferred transaction that reads and then writes fails with
        // SQLITE_BUSY_SNAPSHOT (517) when another connection of a file-backed store wrote
        // meanwhile; taking the write lock first makes it wait (busy_timeout) instead.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for u in users {
            let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM users WHERE user_id = ?")
                .bind(&u.user_id)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_some() {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO users (user_id, nickname, face_url, ex, create_time, app_manger_level, global_recv_msg_opt)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&u.user_id)
            .bind(&u.nickname)
            .bind(&u.face_url)
            .bind(&u.ex)
            .bind(create_time)
            .bind(u.app_manger_level)
            .bind(u.global_recv_msg_opt)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Registers `user_id` unless it exists (used for the admin account at start-up).
    pub async fn ensure_user(&self, user_id: &str, create_time: i64) -> CodeResult<()> {
        sqlx::query("INSERT OR IGNORE INTO users (user_id, nickname, create_time) VALUES (?, ?, ?)")
            .bind(user_id)
            .bind(user_id)
            .bind(create_time)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn find_user(&self, user_id: &str) -> CodeResult<Option<UserInfo>> {
        let row: Option<UserRow> = sqlx::query_as("SELECT * FROM users WHERE user_id = ?")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Into::into))
    }

    /// Notification accounts (`appMangerLevel` ≥ 3) in the order they were made, as OpenIM's
    /// `SearchNotificationAccount` looks them up.
    pub async fn notification_accounts(&self, by: AccountsBy<'_>) -> CodeResult<Vec<UserInfo>> {
        let (id, nickname) = match by {
            AccountsBy::All => (None, None),
            AccountsBy::UserId(id) => (Some(id), None),
            AccountsBy::Nickname(name) => (None, Some(name)),
        };
        let rows: Vec<UserRow> = sqlx::query_as(
            "SELECT * FROM users WHERE app_manger_level >= 3 AND (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR nickname = ?2)
             ORDER BY rowid",
        )
        .bind(id)
        .bind(nickname)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The users among `user_ids` that exist, in the order asked for.
    pub async fn find_users(&self, user_ids: &[String]) -> CodeResult<Vec<UserInfo>> {
        let mut found = Vec::with_capacity(user_ids.len());
        for id in user_ids {
            if let Some(u) = self.find_user(id).await? {
                found.push(u);
            }
        }
        Ok(found)
    }
}
