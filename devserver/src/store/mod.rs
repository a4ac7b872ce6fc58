//! The devserver's storage: one SQLite database, in memory by default or in the `--data` file.

mod conversations;
pub mod friends;
pub mod groups;
mod messages;
mod tokens;
mod users;
pub mod versions;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection as _;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use tokio::sync::Mutex;

pub use messages::Revoke;
pub use tokens::TokenRow;

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// For the in-memory database: a connection that is never used but keeps the database alive
    /// when the pool closes its connection (sqlx closes one whose query future was dropped).
    anchor: Option<std::sync::Arc<Mutex<Option<SqliteConnection>>>>,
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
            // A named, shared-cache in-memory database. Writers would lock each other's tables,
            // so the pool keeps a single connection.
            None => (SqliteConnectOptions::from_str("sqlite::memory:")?, 1),
        };
        let options = options.busy_timeout(Duration::from_secs(5)).foreign_keys(true);
        let anchor = match data {
            Some(_) => None,
            None => Some(std::sync::Arc::new(Mutex::new(Some(SqliteConnection::connect_with(&options).await?)))),
        };
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool, anchor })
    }

    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(anchor) = &self.anchor
            && let Some(conn) = anchor.lock().await.take()
        {
            let _ = conn.close().await;
        }
    }
}

pub use openim_wire::time::now_ms;

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_memory_data_survives_a_closed_pool_connection() {
        let store = Store::open(None).await.unwrap();
        store.ensure_user("u1", now_ms()).await.unwrap();
        // What sqlx does with a connection whose query future was dropped.
        store.pool.acquire().await.unwrap().close().await.unwrap();
        assert!(store.find_user("u1").await.unwrap().is_some());
        store.close().await;
    }
}
