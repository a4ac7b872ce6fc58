//! `local_sync_version`: where each versioned list stands.

use sqlx::SqliteConnection;

use super::rows::SyncVersionRow;
use crate::error::Result;

pub async fn get(c: &mut SqliteConnection, table_name: &str, entity_id: &str) -> Result<Option<SyncVersionRow>> {
    Ok(sqlx::query_as("SELECT * FROM local_sync_version WHERE table_name = ? AND entity_id = ?")
        .bind(table_name)
        .bind(entity_id)
        .fetch_optional(c)
        .await?)
}

pub async fn put(c: &mut SqliteConnection, row: &SyncVersionRow) -> Result<()> {
    sqlx::query(
        "INSERT OR REPLACE INTO local_sync_version (table_name, entity_id, version_id, version, id_list, create_time)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&row.table_name)
    .bind(&row.entity_id)
    .bind(&row.version_id)
    .bind(row.version)
    .bind(&row.id_list)
    .bind(row.create_time)
    .execute(c)
    .await?;
    Ok(())
}

/// Forgets where a list stands (the list is gone, e.g. a group left).
pub async fn delete(c: &mut SqliteConnection, table_name: &str, entity_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM local_sync_version WHERE table_name = ? AND entity_id = ?").bind(table_name).bind(entity_id).execute(c).await?;
    Ok(())
}
