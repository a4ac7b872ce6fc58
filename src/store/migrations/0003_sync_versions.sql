-- Versioned incremental sync (OpenIM: local_sync_version): per list (table_name) and owner
-- (entity_id, the login user or a group ID), the server's versionID and version, and the IDs
-- the list held at that version (JSON array, in the server's order).
CREATE TABLE local_sync_version (
    table_name  TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    version_id  TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 0,
    id_list     TEXT NOT NULL DEFAULT '[]',
    create_time INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (table_name, entity_id)
);

-- Conversation settings the server keeps and incremental sync now brings.
ALTER TABLE local_conversations ADD COLUMN msg_destruct_time INTEGER NOT NULL DEFAULT 604800;
ALTER TABLE local_conversations ADD COLUMN is_msg_destruct INTEGER NOT NULL DEFAULT 0;
