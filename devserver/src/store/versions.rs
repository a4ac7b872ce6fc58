//! Version logs: what changed in a user's (or a group's) list since a version, as OpenIM's
//! `versionLog` keeps it — one version per change, the latest state per entity.

use super::Store;
use crate::error::CodeResult;

/// OpenIM's `VersionState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Insert = 1,
    Delete = 2,
    Update = 3,
}

/// The lists with a version log.
pub mod kind {
    pub const CONVERSATION: &str = "conversation";
    pub const FRIEND: &str = "friend";
    /// The groups of a user (elements: group IDs).
    pub const JOIN_GROUP: &str = "join_group";
    /// The members of a group (elements: user IDs, the group itself, the order).
    pub const GROUP_MEMBER: &str = "group_member";
}

/// A log's identity and current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionDoc {
    pub version_id: String,
    pub version: u64,
}

/// A new log ID: 12 random bytes in hex, the shape of a MongoDB ObjectID.
fn new_version_id() -> String {
    (0..12).map(|_| format!("{:02x}", fastrand::u8(..))).collect()
}

impl Store {
    /// The log of `(kind, d_id)`, created at version 1 when missing (OpenIM's `FirstVersion`).
    pub async fn version_doc(&self, kind: &str, d_id: &str) -> CodeResult<VersionDoc> {
        sqlx::query("INSERT OR IGNORE INTO version_logs (kind, d_id, version_id, version) VALUES (?, ?, ?, 1)")
            .bind(kind)
            .bind(d_id)
            .bind(new_version_id())
            .execute(&self.pool)
            .await?;
        let (version_id, version): (String, i64) = sqlx::query_as("SELECT version_id, version FROM version_logs WHERE kind = ? AND d_id = ?")
            .bind(kind)
            .bind(d_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(VersionDoc { version_id, version: version as u64 })
    }

    /// Drops the log of `(kind, d_id)`; the next use starts a new one with a new ID.
    pub async fn reset_version_log(&self, kind: &str, d_id: &str) -> CodeResult<()> {
        sqlx::query("DELETE FROM version_logs WHERE kind = ? AND d_id = ?").bind(kind).bind(d_id).execute(&self.pool).await?;
        sqlx::query("DELETE FROM version_log_entries WHERE kind = ? AND d_id = ?").bind(kind).bind(d_id).execute(&self.pool).await?;
        Ok(())
    }

    /// Records one change of `e_ids` in `(kind, d_id)`'s list: the version grows by one.
    pub async fn bump_version(&self, kind: &str, d_id: &str, e_ids: &[String], change: Change) -> CodeResult<u64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT OR IGNORE INTO version_logs (kind, d_id, version_id, version) VALUES (?, ?, ?, 1)")
            .bind(kind)
            .bind(d_id)
            .bind(new_version_id())
            .execute(&mut *tx)
            .await?;
        let version: i64 = sqlx::query_scalar("UPDATE version_logs SET version = version + 1 WHERE kind = ? AND d_id = ? RETURNING version")
            .bind(kind)
            .bind(d_id)
            .fetch_one(&mut *tx)
            .await?;
        for e_id in e_ids {
            sqlx::query("INSERT OR REPLACE INTO version_log_entries (kind, d_id, e_id, state, version) VALUES (?, ?, ?, ?, ?)")
                .bind(kind)
                .bind(d_id)
                .bind(e_id)
                .bind(change as i32)
                .bind(version)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(version as u64)
    }

    /// The entities changed after `version`, with their latest change, oldest first.
    pub async fn changes_since(&self, kind: &str, d_id: &str, version: u64) -> CodeResult<Vec<(String, Change)>> {
        let rows: Vec<(String, i32)> = sqlx::query_as(
            "SELECT e_id, state FROM version_log_entries WHERE kind = ? AND d_id = ? AND version > ? ORDER BY version, e_id",
        )
        .bind(kind)
        .bind(d_id)
        .bind(version as i64)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, state)| {
                let change = match state {
                    1 => Change::Insert,
                    2 => Change::Delete,
                    _ => Change::Update,
                };
                (id, change)
            })
            .collect())
    }
}

/// Most changes an incremental reply carries before it says "full" (OpenIM's `syncLimit`).
pub const SYNC_LIMIT: usize = 200;

/// What an incremental request gets: the log's current identity, and either `full` (start
/// over) or the IDs inserted, updated and deleted since the client's version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delta {
    pub version_id: String,
    pub version: u64,
    pub full: bool,
    pub insert: Vec<String>,
    pub update: Vec<String>,
    pub delete: Vec<String>,
}

/// A version ID a client may hold: 24 hex digits, not all zero (an ObjectID).
fn is_valid_version_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()) && id.bytes().any(|b| b != b'0')
}

impl Store {
    /// OpenIM's `incrversion.Option.Build` over the log of `(kind, d_id)`.
    pub async fn delta(&self, kind: &str, d_id: &str, version_id: &str, version: u64) -> CodeResult<Delta> {
        let doc = self.version_doc(kind, d_id).await?;
        let mut delta = Delta { version_id: doc.version_id.clone(), version: doc.version, ..Default::default() };
        if !is_valid_version_id(version_id) || version == 0 || version_id != doc.version_id || version > doc.version {
            delta.full = true;
            return Ok(delta);
        }
        if version == doc.version {
            return Ok(delta);
        }
        let changes = self.changes_since(kind, d_id, version).await?;
        if changes.len() > SYNC_LIMIT {
            delta.full = true;
            return Ok(delta);
        }
        for (id, change) in changes {
            match change {
                Change::Insert => delta.insert.push(id),
                Change::Update => delta.update.push(id),
                Change::Delete => delta.delete.push(id),
            }
        }
        Ok(delta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn deltas_follow_the_log() {
        let store = Store::open(None).await.unwrap();
        // A client without a version starts over.
        let first = store.delta(kind::CONVERSATION, "u", "", 0).await.unwrap();
        assert!(first.full && first.version == 1 && is_valid_version_id(&first.version_id));
        let (a, b) = ("c1".to_owned(), "c2".to_owned());
        store.bump_version(kind::CONVERSATION, "u", std::slice::from_ref(&a), Change::Insert).await.unwrap();
        store.bump_version(kind::CONVERSATION, "u", std::slice::from_ref(&b), Change::Insert).await.unwrap();
        store.bump_version(kind::CONVERSATION, "u", std::slice::from_ref(&a), Change::Update).await.unwrap();
        let d = store.delta(kind::CONVERSATION, "u", &first.version_id, 1).await.unwrap();
        assert_eq!((d.full, d.version, d.insert, d.update), (false, 4, vec![b.clone()], vec![a.clone()]));
        // Up to date: nothing; a foreign or future version: full.
        assert_eq!(store.delta(kind::CONVERSATION, "u", &first.version_id, 4).await.unwrap().insert.len(), 0);
        assert!(store.delta(kind::CONVERSATION, "u", "0123456789abcdef01234567", 4).await.unwrap().full);
        assert!(store.delta(kind::CONVERSATION, "u", &first.version_id, 9).await.unwrap().full);
        // More changes than one reply carries: full.
        for i in 0..=SYNC_LIMIT {
            store.bump_version(kind::CONVERSATION, "u", &[format!("x{i}")], Change::Insert).await.unwrap();
        }
        assert!(store.delta(kind::CONVERSATION, "u", &first.version_id, 4).await.unwrap().full);
        store.close().await;
    }
}
