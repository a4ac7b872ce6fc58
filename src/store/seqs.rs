//! `local_seqs`: the highest seq synced per conversation, chat and notification (`n_`) alike.

use std::collections::HashMap;

use sqlx::SqliteConnection;

use crate::error::Result;

pub async fn all(c: &mut SqliteConnection) -> Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT conversation_id, seq FROM local_seqs").fetch_all(c).await?;
    Ok(rows.into_iter().collect())
}

/// Raises the synced seqs of conversations (never lowers one), a few hundred per statement.
pub async fn raise_many(c: &mut SqliteConnection, seqs: &[(String, i64)]) -> Result<()> {
    super::execute_rows(c, RAISE_HEAD, RAISE_TAIL, seqs, bind_raise).await
}

/// [`raise_many`]'s statement: `RAISE_HEAD VALUES (…), (…) RAISE_TAIL`.
pub(super) const RAISE_HEAD: &str = "INSERT INTO local_seqs (conversation_id, seq) ";
pub(super) const RAISE_TAIL: &str = " ON CONFLICT (conversation_id) DO UPDATE SET seq = MAX(seq, excluded.seq)";

/// One row of [`raise_many`]'s statement.
pub(super) fn bind_raise(mut row: sqlx::query_builder::Separated<'_, sqlx::Sqlite, &'static str>, (conversation_id, seq): &(String, i64)) {
    row.push_bind(conversation_id).push_bind(*seq);
}
