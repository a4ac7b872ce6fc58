-- Friend lists, one row per direction (OpenIM: friend). Times are milliseconds.
CREATE TABLE friends (
    owner_user_id    TEXT NOT NULL,
    friend_user_id   TEXT NOT NULL,
    remark           TEXT NOT NULL DEFAULT '',
    create_time      INTEGER NOT NULL,
    add_source       INTEGER NOT NULL DEFAULT 0,
    operator_user_id TEXT NOT NULL DEFAULT '',
    ex               TEXT NOT NULL DEFAULT '',
    is_pinned        INTEGER NOT NULL DEFAULT 0,
    seq              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_user_id, friend_user_id)
);
CREATE INDEX friends_by_friend ON friends (friend_user_id);

-- Friend applications, one per direction (OpenIM: friend_request); handle_result 0 pending,
-- 1 agreed, -1 refused.
CREATE TABLE friend_requests (
    from_user_id    TEXT NOT NULL,
    to_user_id      TEXT NOT NULL,
    handle_result   INTEGER NOT NULL DEFAULT 0,
    req_msg         TEXT NOT NULL DEFAULT '',
    create_time     INTEGER NOT NULL,
    handler_user_id TEXT NOT NULL DEFAULT '',
    handle_msg      TEXT NOT NULL DEFAULT '',
    handle_time     INTEGER NOT NULL DEFAULT 0,
    ex              TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (from_user_id, to_user_id)
);
CREATE INDEX friend_requests_to ON friend_requests (to_user_id);

-- Blacklists, one-way (OpenIM: black).
CREATE TABLE blacks (
    owner_user_id    TEXT NOT NULL,
    block_user_id    TEXT NOT NULL,
    create_time      INTEGER NOT NULL,
    add_source       INTEGER NOT NULL DEFAULT 0,
    operator_user_id TEXT NOT NULL DEFAULT '',
    ex               TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (owner_user_id, block_user_id)
);
