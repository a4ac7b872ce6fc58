-- Messages with a seq, per conversation. `msg` is the MsgData protobuf as sent (seq, sendTime and
-- serverMsgID filled in); revokes, read marks and per-user deletions are kept beside it.
CREATE TABLE messages (
    conversation_id TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    client_msg_id   TEXT NOT NULL,
    send_id         TEXT NOT NULL,
    send_time       INTEGER NOT NULL,
    msg             BLOB NOT NULL,
    is_read         INTEGER NOT NULL DEFAULT 0,
    revoke_user_id  TEXT,
    revoke_role     INTEGER NOT NULL DEFAULT 0,
    revoke_nickname TEXT NOT NULL DEFAULT '',
    revoke_time     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, seq)
);

-- "Delete for me": the users who deleted a message.
CREATE TABLE message_deletions (
    conversation_id TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    user_id         TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq, user_id)
);

-- Seq bounds per conversation (OpenIM: seq_conversation).
CREATE TABLE seq_conversation (
    conversation_id TEXT PRIMARY KEY NOT NULL,
    min_seq         INTEGER NOT NULL DEFAULT 0,
    max_seq         INTEGER NOT NULL DEFAULT 0,
    max_seq_time    INTEGER NOT NULL DEFAULT 0
);

-- Per user and conversation: the first visible seq (after a clear) and the has-read seq.
CREATE TABLE seq_user (
    conversation_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    min_seq         INTEGER NOT NULL DEFAULT 0,
    max_seq         INTEGER NOT NULL DEFAULT 0,
    read_seq        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
);

-- Each user's conversation records (conversation.Conversation).
CREATE TABLE conversations (
    owner_user_id            TEXT NOT NULL,
    conversation_id          TEXT NOT NULL,
    conversation_type        INTEGER NOT NULL,
    user_id                  TEXT NOT NULL DEFAULT '',
    group_id                 TEXT NOT NULL DEFAULT '',
    recv_msg_opt             INTEGER NOT NULL DEFAULT 0,
    is_pinned                INTEGER NOT NULL DEFAULT 0,
    attached_info            TEXT NOT NULL DEFAULT '',
    is_private_chat          INTEGER NOT NULL DEFAULT 0,
    group_at_type            INTEGER NOT NULL DEFAULT 0,
    ex                       TEXT NOT NULL DEFAULT '',
    burn_duration            INTEGER NOT NULL DEFAULT 0,
    min_seq                  INTEGER NOT NULL DEFAULT 0,
    max_seq                  INTEGER NOT NULL DEFAULT 0,
    msg_destruct_time        INTEGER NOT NULL DEFAULT 604800,
    latest_msg_destruct_time INTEGER NOT NULL DEFAULT 0,
    is_msg_destruct          INTEGER NOT NULL DEFAULT 0,
    create_time              INTEGER NOT NULL,
    PRIMARY KEY (owner_user_id, conversation_id)
);
