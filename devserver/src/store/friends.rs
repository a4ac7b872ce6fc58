//! Friends, friend applications and blacklists.

use openim_wire::api::friend::{BlackInfo, FriendInfo, FriendRequest};
use openim_wire::api::user::{PublicUserInfo, UserInfo};

use super::Store;
use super::versions::{Change, kind};
use crate::error::CodeResult;

/// The ID OpenIM logs when the order of a friend list changes (pins).
pub const SORT_ID: &str = "____S_O_R_T_I_D____";

#[derive(sqlx::FromRow)]
struct FriendRow {
    owner_user_id: String,
    friend_user_id: String,
    remark: String,
    create_time: i64,
    add_source: i32,
    operator_user_id: String,
    ex: String,
    is_pinned: bool,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    from_user_id: String,
    to_user_id: String,
    handle_result: i32,
    req_msg: String,
    create_time: i64,
    handler_user_id: String,
    handle_msg: String,
    handle_time: i64,
    ex: String,
}

#[derive(sqlx::FromRow)]
struct BlackRow {
    owner_user_id: String,
    block_user_id: String,
    create_time: i64,
    add_source: i32,
    operator_user_id: String,
    ex: String,
}

/// What `update_friends` changes; `None` leaves a field.
#[derive(Debug, Clone, Default)]
pub struct FriendUpdate {
    pub is_pinned: Option<bool>,
    pub remark: Option<String>,
    pub ex: Option<String>,
}

/// A single-chat recipient as its sender's message sees it.
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    pub exists: bool,
    /// The recipient has the sender in its blacklist.
    pub blocked_sender: bool,
    /// The sender is in the recipient's friend list.
    pub befriended_sender: bool,
    /// The recipient's global receive option (0 receive, 1 not, 2 without offline push).
    pub global_recv_msg_opt: i32,
    /// The recipient's receive option for its chat with the sender, when it has that chat.
    pub conversation_recv_msg_opt: Option<i32>,
}

impl Store {
    /// The profile as friend lists carry it (userID, nickname, faceURL, ex; the rest empty).
    async fn friend_user(&self, user_id: &str) -> CodeResult<UserInfo> {
        let u = self.find_user(user_id).await?.unwrap_or_default();
        Ok(UserInfo { user_id: user_id.to_owned(), nickname: u.nickname, face_url: u.face_url, ex: u.ex, ..Default::default() })
    }

    async fn friend_info(&self, r: FriendRow) -> CodeResult<FriendInfo> {
        Ok(FriendInfo {
            friend_user: Some(self.friend_user(&r.friend_user_id).await?),
            owner_user_id: r.owner_user_id,
            remark: r.remark,
            // OpenIM's friend lists give seconds.
            create_time: r.create_time / 1000,
            add_source: r.add_source,
            operator_user_id: r.operator_user_id,
            ex: r.ex,
            is_pinned: r.is_pinned,
        })
    }

    /// Whether `friend` is in `owner`'s list.
    pub async fn is_friend(&self, owner: &str, friend: &str) -> CodeResult<bool> {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM friends WHERE owner_user_id = ? AND friend_user_id = ?")
            .bind(owner)
            .bind(friend)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// `owner`'s friend IDs: pinned first, then in the order they were added.
    pub async fn friend_ids(&self, owner: &str) -> CodeResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT friend_user_id FROM friends WHERE owner_user_id = ? ORDER BY is_pinned DESC, seq")
            .bind(owner)
            .fetch_all(&self.pool)
            .await?)
    }

    /// The users who have `user_id` in their list.
    pub async fn friend_owners_of(&self, user_id: &str) -> CodeResult<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT owner_user_id FROM friends WHERE friend_user_id = ?").bind(user_id).fetch_all(&self.pool).await?)
    }

    /// `owner`'s friends among `ids` (non-friends left out), in the order of `ids`.
    pub async fn friends(&self, owner: &str, ids: &[String]) -> CodeResult<Vec<FriendInfo>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row: Option<FriendRow> = sqlx::query_as("SELECT * FROM friends WHERE owner_user_id = ? AND friend_user_id = ?")
                .bind(owner)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(r) = row {
                out.push(self.friend_info(r).await?);
            }
        }
        Ok(out)
    }

    /// Creates `owner → friend` unless it exists; logs the insert in `owner`'s list.
    pub async fn add_friend_row(&self, owner: &str, friend: &str, add_source: i32, operator: &str, now: i64) -> CodeResult<bool> {
        let seq: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM friends WHERE owner_user_id = ?")
            .bind(owner)
            .fetch_one(&self.pool)
            .await?;
        let done = sqlx::query(
            "INSERT OR IGNORE INTO friends (owner_user_id, friend_user_id, create_time, add_source, operator_user_id, seq)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(owner)
        .bind(friend)
        .bind(now)
        .bind(add_source)
        .bind(operator)
        .bind(seq)
        .execute(&self.pool)
        .await?;
        let created = done.rows_affected() == 1;
        if created {
            self.bump_version(kind::FRIEND, owner, &[friend.to_owned()], Change::Insert).await?;
        }
        Ok(created)
    }

    /// Removes `owner → friend` (a missing row is fine); logs the deletion.
    pub async fn delete_friend_row(&self, owner: &str, friend: &str) -> CodeResult<()> {
        sqlx::query("DELETE FROM friends WHERE owner_user_id = ? AND friend_user_id = ?").bind(owner).bind(friend).execute(&self.pool).await?;
        self.bump_version(kind::FRIEND, owner, &[friend.to_owned()], Change::Delete).await?;
        Ok(())
    }

    /// Applies `update` to `owner`'s rows of `friends` (IDs that are no friend match nothing); a
    /// pin change also logs a new order. Nothing to set logs no version, as OpenIM's.
    pub async fn update_friends(&self, owner: &str, friends: &[String], update: &FriendUpdate) -> CodeResult<()> {
        if update.is_pinned.is_none() && update.remark.is_none() && update.ex.is_none() {
            return Ok(());
        }
        for friend in friends {
            if let Some(v) = update.is_pinned {
                sqlx::query("UPDATE friends SET is_pinned = ? WHERE owner_user_id = ? AND friend_user_id = ?")
                    .bind(v)
                    .bind(owner)
                    .bind(friend)
                    .execute(&self.pool)
                    .await?;
            }
            if let Some(v) = &update.remark {
                sqlx::query("UPDATE friends SET remark = ? WHERE owner_user_id = ? AND friend_user_id = ?")
                    .bind(v)
                    .bind(owner)
                    .bind(friend)
                    .execute(&self.pool)
                    .await?;
            }
            if let Some(v) = &update.ex {
                sqlx::query("UPDATE friends SET ex = ? WHERE owner_user_id = ? AND friend_user_id = ?")
                    .bind(v)
                    .bind(owner)
                    .bind(friend)
                    .execute(&self.pool)
                    .await?;
            }
        }
        let mut logged = friends.to_vec();
        if update.is_pinned.is_some() {
            logged.push(SORT_ID.to_owned());
        }
        self.bump_version(kind::FRIEND, owner, &logged, Change::Update).await?;
        Ok(())
    }

    // --- applications ---

    fn request_of(r: RequestRow, from: Option<UserInfo>, to: Option<UserInfo>) -> FriendRequest {
        let (from, to) = (from.unwrap_or_default(), to.unwrap_or_default());
        FriendRequest {
            from_user_id: r.from_user_id,
            from_nickname: from.nickname,
            from_face_url: from.face_url,
            to_user_id: r.to_user_id,
            to_nickname: to.nickname,
            to_face_url: to.face_url,
            handle_result: r.handle_result,
            req_msg: r.req_msg,
            create_time: r.create_time,
            handler_user_id: r.handler_user_id,
            handle_msg: r.handle_msg,
            handle_time: r.handle_time,
            ex: r.ex,
        }
    }

    async fn requests_of(&self, rows: Vec<RequestRow>) -> CodeResult<Vec<FriendRequest>> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let from = self.find_user(&r.from_user_id).await?;
            let to = self.find_user(&r.to_user_id).await?;
            out.push(Self::request_of(r, from, to));
        }
        Ok(out)
    }

    /// The application `from → to`, if any.
    pub async fn friend_request(&self, from: &str, to: &str) -> CodeResult<Option<FriendRequest>> {
        let row: Option<RequestRow> = sqlx::query_as("SELECT * FROM friend_requests WHERE from_user_id = ? AND to_user_id = ?")
            .bind(from)
            .bind(to)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => self.requests_of(vec![r]).await?.pop(),
            None => None,
        })
    }

    /// Records (or renews, whatever its state) the application `from → to`.
    pub async fn put_friend_request(&self, from: &str, to: &str, req_msg: &str, ex: &str, now: i64) -> CodeResult<()> {
        sqlx::query(
            "INSERT INTO friend_requests (from_user_id, to_user_id, req_msg, ex, create_time) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (from_user_id, to_user_id) DO UPDATE SET handle_result = 0, req_msg = excluded.req_msg,
               ex = excluded.ex, create_time = excluded.create_time, handler_user_id = '', handle_msg = '', handle_time = 0",
        )
        .bind(from)
        .bind(to)
        .bind(req_msg)
        .bind(ex)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks the application `from → to` handled.
    pub async fn handle_friend_request(&self, from: &str, to: &str, result: i32, handler: &str, msg: &str, now: i64) -> CodeResult<()> {
        sqlx::query(
            "UPDATE friend_requests SET handle_result = ?, handler_user_id = ?, handle_msg = ?, handle_time = ?
             WHERE from_user_id = ? AND to_user_id = ?",
        )
        .bind(result)
        .bind(handler)
        .bind(msg)
        .bind(now)
        .bind(from)
        .bind(to)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Applications to (`received`) or from `user_id`, newest first, filtered by result; with
    /// the total before paging.
    pub async fn friend_requests_page(
        &self,
        user_id: &str,
        received: bool,
        results: &[i32],
        page: i32,
        show: i32,
    ) -> CodeResult<(Vec<FriendRequest>, i32)> {
        let column = if received { "to_user_id" } else { "from_user_id" };
        let sql = format!("SELECT * FROM friend_requests WHERE {column} = ? ORDER BY create_time DESC, from_user_id, to_user_id");
        let rows: Vec<RequestRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_all(&self.pool).await?;
        let rows: Vec<RequestRow> = rows.into_iter().filter(|r| results.is_empty() || results.contains(&r.handle_result)).collect();
        let total = rows.len() as i32;
        let start = ((page.max(1) - 1) as usize).saturating_mul(show.max(0) as usize);
        let page_rows = rows.into_iter().skip(start).take(show.max(0) as usize).collect();
        Ok((self.requests_of(page_rows).await?, total))
    }

    /// Pending applications to `user_id` made after `since` (milliseconds; 0 for all).
    pub async fn unhandled_friend_requests(&self, user_id: &str, since: i64) -> CodeResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM friend_requests WHERE to_user_id = ? AND handle_result = 0 AND create_time > ?")
            .bind(user_id)
            .bind(since)
            .fetch_one(&self.pool)
            .await?)
    }

    // --- blacklists ---

    async fn black_info(&self, r: BlackRow, millis: bool) -> CodeResult<BlackInfo> {
        let u = self.find_user(&r.block_user_id).await?.unwrap_or_default();
        Ok(BlackInfo {
            owner_user_id: r.owner_user_id,
            create_time: if millis { r.create_time } else { r.create_time / 1000 },
            black_user_info: Some(PublicUserInfo { user_id: r.block_user_id, nickname: u.nickname, face_url: u.face_url, ex: u.ex }),
            add_source: r.add_source,
            operator_user_id: r.operator_user_id,
            ex: r.ex,
        })
    }

    /// What a single-chat send checks about its recipient `peer` and `sender`, in one query.
    pub async fn peer_of(&self, peer: &str, sender: &str) -> CodeResult<Peer> {
        let chat = openim_wire::conversation_id::single(peer, sender);
        let (exists, blocked_sender, befriended_sender, global_recv_msg_opt, conversation_recv_msg_opt): (bool, bool, bool, i32, Option<i32>) =
            sqlx::query_as(
                "SELECT u.user_id IS NOT NULL,
                    EXISTS (SELECT 1 FROM blacks WHERE owner_user_id = ?1 AND block_user_id = ?2),
                    EXISTS (SELECT 1 FROM friends WHERE owner_user_id = ?1 AND friend_user_id = ?2),
                    COALESCE(u.global_recv_msg_opt, 0),
                    (SELECT recv_msg_opt FROM conversations WHERE owner_user_id = ?1 AND conversation_id = ?3)
                 FROM (SELECT 1) LEFT JOIN users u ON u.user_id = ?1",
            )
            .bind(peer)
            .bind(sender)
            .bind(chat)
            .fetch_one(&self.pool)
            .await?;
        Ok(Peer { exists, blocked_sender, befriended_sender, global_recv_msg_opt, conversation_recv_msg_opt })
    }

    /// Blocks `user_id` for `owner`; `false` when already blocked.
    pub async fn add_black(&self, owner: &str, user_id: &str, operator: &str, ex: &str, now: i64) -> CodeResult<bool> {
        let done = sqlx::query(
            "INSERT OR IGNORE INTO blacks (owner_user_id, block_user_id, create_time, operator_user_id, ex) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(owner)
        .bind(user_id)
        .bind(now)
        .bind(operator)
        .bind(ex)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn remove_black(&self, owner: &str, user_id: &str) -> CodeResult<()> {
        sqlx::query("DELETE FROM blacks WHERE owner_user_id = ? AND block_user_id = ?").bind(owner).bind(user_id).execute(&self.pool).await?;
        Ok(())
    }

    /// One page (1-based) of `owner`'s blacklist and its total.
    pub async fn blacks_page(&self, owner: &str, page: i32, show: i32) -> CodeResult<(Vec<BlackInfo>, i32)> {
        let rows: Vec<BlackRow> = sqlx::query_as("SELECT * FROM blacks WHERE owner_user_id = ? ORDER BY create_time, block_user_id")
            .bind(owner)
            .fetch_all(&self.pool)
            .await?;
        let total = rows.len() as i32;
        let start = ((page.max(1) - 1) as usize).saturating_mul(show.max(0) as usize);
        let mut out = Vec::new();
        for r in rows.into_iter().skip(start).take(show.max(0) as usize) {
            out.push(self.black_info(r, false).await?);
        }
        Ok((out, total))
    }

    /// `owner`'s blacklist entries among `ids` (times in milliseconds, as OpenIM gives them here).
    pub async fn specified_blacks(&self, owner: &str, ids: &[String]) -> CodeResult<Vec<BlackInfo>> {
        let mut out = Vec::new();
        for id in ids {
            let row: Option<BlackRow> = sqlx::query_as("SELECT * FROM blacks WHERE owner_user_id = ? AND block_user_id = ?")
                .bind(owner)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(r) = row {
                out.push(self.black_info(r, true).await?);
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Applies a profile change; returns whether nickname or face changed.
    pub async fn update_user(
        &self,
        user_id: &str,
        nickname: Option<&str>,
        face_url: Option<&str>,
        ex: Option<&str>,
        global_recv_msg_opt: Option<i32>,
    ) -> CodeResult<bool> {
        let before = self.find_user(user_id).await?.unwrap_or_default();
        if let Some(v) = nickname {
            sqlx::query("UPDATE users SET nickname = ? WHERE user_id = ?").bind(v).bind(user_id).execute(&self.pool).await?;
        }
        if let Some(v) = face_url {
            sqlx::query("UPDATE users SET face_url = ? WHERE user_id = ?").bind(v).bind(user_id).execute(&self.pool).await?;
        }
        if let Some(v) = ex {
            sqlx::query("UPDATE users SET ex = ? WHERE user_id = ?").bind(v).bind(user_id).execute(&self.pool).await?;
        }
        if let Some(v) = global_recv_msg_opt {
            sqlx::query("UPDATE users SET global_recv_msg_opt = ? WHERE user_id = ?").bind(v).bind(user_id).execute(&self.pool).await?;
        }
        Ok(nickname.is_some_and(|n| n != before.nickname) || face_url.is_some_and(|f| f != before.face_url))
    }
}
