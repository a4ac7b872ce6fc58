-- Versioned lists (OpenIM's version logs: conversation_version, friend_version, …): per list
-- kind and owner (a user, or a group for its members) an ID that changes when the log starts
-- over, and a version that grows by one per change.
CREATE TABLE version_logs (
    kind       TEXT NOT NULL,
    d_id       TEXT NOT NULL,
    version_id TEXT NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (kind, d_id)
);

-- The latest change of each entity of a list: state 1 insert, 2 delete, 3 update, and the
-- version it happened at.
CREATE TABLE version_log_entries (
    kind    TEXT NOT NULL,
    d_id    TEXT NOT NULL,
    e_id    TEXT NOT NULL,
    state   INTEGER NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (kind, d_id, e_id)
);
CREATE INDEX version_log_entries_by_version ON version_log_entries (kind, d_id, version);
