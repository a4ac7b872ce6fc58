//! The devserver's storage: one SQLite database, in memory by default or in the `--data` file.

mod tokens;
mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use tokens::TokenRow;

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (and migrates) the database: the file at `data`, or a private in-memory one.
    pub async fn open(data: Option<&Path>) -> anyhow::Result<Self> {
        let (options, max_connections) = match data {
            Some(path) => (
                SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal),
                4,
            ),
            // An in-memory database lives in its one connection, which the pool must keep.
            None => (SqliteConnectOptions::from_str("sqlite::memory:")?, 1),
        };
        let options = options.busy_timeout(Duration::from_secs(5)).foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
