//! The per-user local database: `OpenIM_v3_<userID>.db` under the configured data directory,
//! SQLite through sqlx, WAL mode, versioned migrations. Opened at login, closed at logout.

mod conversations;
mod messages;
mod seqs;
mod users;

pub use messages::MessageFilter;

use std::path::{Path, PathBuf};
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::{OpenIMError, Result};

/// Bytes a user ID may keep in a file name; everything else is percent-encoded.
const FILE_SAFE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'_').remove(b'-');
/// Longest encoded ID used verbatim; longer ones are replaced by their hash.
const MAX_ENCODED_ID: usize = 128;

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

/// The database file name for `user_id`. IDs are percent-encoded (letters, digits, `_` and `-`
/// stay), so no ID can escape the data directory or collide with another; very long IDs are
/// replaced by `%H` and their MD5 (`%H` cannot come out of the encoding).
pub fn db_file_name(user_id: &str) -> String {
    let encoded = utf8_percent_encode(user_id, FILE_SAFE).to_string();
    let stem = if encoded.len() <= MAX_ENCODED_ID {
        encoded
    } else {
        use md5::Digest as _;
        // Collisions would need an MD5 preimage of a valid ID pair; fine for a file name.
        format!("%H{:x}", md5::Md5::digest(user_id.as_bytes()))
    };
    format!("OpenIM_v3_{stem}.db")
}

impl Store {
    /// Opens (creating and migrating when needed) `user_id`'s database under `data_dir`.
    pub async fn open(data_dir: &Path, user_id: &str) -> Result<Self> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| OpenIMError::database(format!("cannot create data_dir {}: {e}", data_dir.display())))?;
        let path = data_dir.join(db_file_name(user_id));
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options)
            .await
            .map_err(|e| OpenIMError::database(format!("cannot open {}: {e}", path.display())))?;
        sqlx::migrate!("src/store/migrations").run(&pool).await?;
        tracing::debug!(path = %path.display(), "local database open");
        Ok(Self { pool, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Waits for running queries, then closes every connection (SQLite checkpoints the WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(db_file_name("alice_01-x"), "OpenIM_v3_alice_01-x.db");
        assert_eq!(db_file_name("../etc/passwd"), "OpenIM_v3_%2E%2E%2Fetc%2Fpasswd.db");
        assert_eq!(db_file_name("a b"), "OpenIM_v3_a%20b.db");
        assert_ne!(db_file_name("a/b"), db_file_name("a%2Fb"));
        assert!(!db_file_name("用户").contains('/'));
        let long = db_file_name(&"x".repeat(500));
        assert!(long.starts_with("OpenIM_v3_%H") && long.len() < 64, "{long}");
    }
}
