-- The friend list (OpenIM: local_friends), kept by the versioned sync of /friend/*.
CREATE TABLE local_friends (
    owner_user_id    TEXT NOT NULL,
    friend_user_id   TEXT NOT NULL,
    remark           TEXT NOT NULL DEFAULT '',
    create_time      INTEGER NOT NULL DEFAULT 0,
    add_source       INTEGER NOT NULL DEFAULT 0,
    operator_user_id TEXT NOT NULL DEFAULT '',
    nickname         TEXT NOT NULL DEFAULT '',
    face_url         TEXT NOT NULL DEFAULT '',
    ex               TEXT NOT NULL DEFAULT '',
    attached_info    TEXT NOT NULL DEFAULT '',
    is_pinned        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_user_id, friend_user_id)
);

-- The blacklist (OpenIM: local_blacks), synced whole.
CREATE TABLE local_blacks (
    owner_user_id    TEXT NOT NULL,
    block_user_id    TEXT NOT NULL,
    nickname         TEXT NOT NULL DEFAULT '',
    face_url         TEXT NOT NULL DEFAULT '',
    create_time      INTEGER NOT NULL DEFAULT 0,
    add_source       INTEGER NOT NULL DEFAULT 0,
    operator_user_id TEXT NOT NULL DEFAULT '',
    ex               TEXT NOT NULL DEFAULT '',
    attached_info    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (owner_user_id, block_user_id)
);
