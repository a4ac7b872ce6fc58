-- Messages of every conversation in one table (OpenIM keeps chat_logs_<conversationID> tables).
-- `content` is the elem JSON as on the wire. Deleted messages stay as rows with status 4, so
-- their seqs still count as known and are never pulled again.
CREATE TABLE local_chat_logs (
    conversation_id    TEXT NOT NULL,
    client_msg_id      TEXT NOT NULL,
    server_msg_id      TEXT NOT NULL DEFAULT '',
    send_id            TEXT NOT NULL DEFAULT '',
    recv_id            TEXT NOT NULL DEFAULT '',
    group_id           TEXT NOT NULL DEFAULT '',
    sender_platform_id INTEGER NOT NULL DEFAULT 0,
    sender_nickname    TEXT NOT NULL DEFAULT '',
    sender_face_url    TEXT NOT NULL DEFAULT '',
    session_type       INTEGER NOT NULL,
    msg_from           INTEGER NOT NULL DEFAULT 100,
    content_type       INTEGER NOT NULL,
    content            TEXT NOT NULL DEFAULT '',
    is_read            INTEGER NOT NULL DEFAULT 0,
    status             INTEGER NOT NULL,
    seq                INTEGER NOT NULL DEFAULT 0,
    send_time          INTEGER NOT NULL DEFAULT 0,
    create_time        INTEGER NOT NULL DEFAULT 0,
    attached_info      TEXT NOT NULL DEFAULT '',
    ex                 TEXT NOT NULL DEFAULT '',
    local_ex           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (conversation_id, client_msg_id)
) WITHOUT ROWID;
-- Seq lookups (sync, gap checks) and history pages ordered by time.
CREATE INDEX local_chat_logs_by_seq ON local_chat_logs (conversation_id, seq);
CREATE INDEX local_chat_logs_by_time ON local_chat_logs (conversation_id, send_time, seq);

-- Conversations shown to the user.
CREATE TABLE local_conversations (
    conversation_id       TEXT PRIMARY KEY NOT NULL,
    conversation_type     INTEGER NOT NULL,
    user_id               TEXT NOT NULL DEFAULT '',
    group_id              TEXT NOT NULL DEFAULT '',
    show_name             TEXT NOT NULL DEFAULT '',
    face_url              TEXT NOT NULL DEFAULT '',
    recv_msg_opt          INTEGER NOT NULL DEFAULT 0,
    unread_count          INTEGER NOT NULL DEFAULT 0,
    group_at_type         INTEGER NOT NULL DEFAULT 0,
    latest_msg            TEXT NOT NULL DEFAULT '',
    latest_msg_send_time  INTEGER NOT NULL DEFAULT 0,
    draft_text            TEXT NOT NULL DEFAULT '',
    draft_text_time       INTEGER NOT NULL DEFAULT 0,
    is_pinned             INTEGER NOT NULL DEFAULT 0,
    is_private_chat       INTEGER NOT NULL DEFAULT 0,
    burn_duration         INTEGER NOT NULL DEFAULT 30,
    attached_info         TEXT NOT NULL DEFAULT '',
    ex                    TEXT NOT NULL DEFAULT '',
    max_seq               INTEGER NOT NULL DEFAULT 0,
    min_seq               INTEGER NOT NULL DEFAULT 0,
    has_read_seq          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX local_conversations_by_time ON local_conversations (latest_msg_send_time);

-- The highest seq synced per conversation, chat and notification (`n_`) alike.
CREATE TABLE local_seqs (
    conversation_id TEXT PRIMARY KEY NOT NULL,
    seq             INTEGER NOT NULL
);

-- Messages handed to the gateway but not confirmed yet; failed at the next login.
CREATE TABLE local_sending_messages (
    conversation_id TEXT NOT NULL,
    client_msg_id   TEXT NOT NULL,
    PRIMARY KEY (conversation_id, client_msg_id)
);
