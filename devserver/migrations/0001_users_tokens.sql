-- Registered users (sdkws.UserInfo).
CREATE TABLE users (
    user_id             TEXT PRIMARY KEY NOT NULL,
    nickname            TEXT NOT NULL DEFAULT '',
    face_url            TEXT NOT NULL DEFAULT '',
    ex                  TEXT NOT NULL DEFAULT '',
    create_time         INTEGER NOT NULL,
    app_manger_level    INTEGER NOT NULL DEFAULT 0,
    global_recv_msg_opt INTEGER NOT NULL DEFAULT 0
);

-- Issued tokens and their state (0 normal, 2 kicked), as OpenIM keeps them in Redis.
CREATE TABLE tokens (
    token       TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL,
    platform_id INTEGER NOT NULL,
    state       INTEGER NOT NULL,
    create_time INTEGER NOT NULL
);
CREATE INDEX tokens_by_user_platform ON tokens (user_id, platform_id);
