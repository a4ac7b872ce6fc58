-- SDK install marker (OpenIM: local_app_sdk_version; reinstall detection).
CREATE TABLE local_app_sdk_version (
    version   TEXT PRIMARY KEY NOT NULL,
    installed INTEGER NOT NULL DEFAULT 0
);

-- Cached user profiles, starting with the logged-in user (OpenIM: local_users).
CREATE TABLE local_users (
    user_id             TEXT PRIMARY KEY NOT NULL,
    nickname            TEXT NOT NULL DEFAULT '',
    face_url            TEXT NOT NULL DEFAULT '',
    ex                  TEXT NOT NULL DEFAULT '',
    create_time         INTEGER NOT NULL DEFAULT 0,
    app_manger_level    INTEGER NOT NULL DEFAULT 0,
    global_recv_msg_opt INTEGER NOT NULL DEFAULT 0
);
