-- Groups (OpenIM: group); status 0 ok, 1 chat banned, 2 dismissed, 3 muted. Times are ms.
CREATE TABLE groups (
    group_id                 TEXT PRIMARY KEY NOT NULL,
    group_name               TEXT NOT NULL DEFAULT '',
    notification             TEXT NOT NULL DEFAULT '',
    introduction             TEXT NOT NULL DEFAULT '',
    face_url                 TEXT NOT NULL DEFAULT '',
    create_time              INTEGER NOT NULL,
    ex                       TEXT NOT NULL DEFAULT '',
    status                   INTEGER NOT NULL DEFAULT 0,
    creator_user_id          TEXT NOT NULL DEFAULT '',
    group_type               INTEGER NOT NULL DEFAULT 2,
    need_verification        INTEGER NOT NULL DEFAULT 0,
    look_member_info         INTEGER NOT NULL DEFAULT 0,
    apply_member_friend      INTEGER NOT NULL DEFAULT 0,
    notification_update_time INTEGER NOT NULL DEFAULT 0,
    notification_user_id     TEXT NOT NULL DEFAULT ''
);

-- Members (OpenIM: group_member); role 100 owner, 60 admin, 20 member.
CREATE TABLE group_members (
    group_id         TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    nickname         TEXT NOT NULL DEFAULT '',
    face_url         TEXT NOT NULL DEFAULT '',
    role_level       INTEGER NOT NULL DEFAULT 20,
    join_time        INTEGER NOT NULL,
    join_source      INTEGER NOT NULL DEFAULT 0,
    inviter_user_id  TEXT NOT NULL DEFAULT '',
    operator_user_id TEXT NOT NULL DEFAULT '',
    mute_end_time    INTEGER NOT NULL DEFAULT 0,
    ex               TEXT NOT NULL DEFAULT '',
    seq              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (user_id);

-- Applications to join (OpenIM: group_request); handle_result 0 pending, 1 agreed, -1 refused.
CREATE TABLE group_requests (
    group_id        TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    handle_result   INTEGER NOT NULL DEFAULT 0,
    req_msg         TEXT NOT NULL DEFAULT '',
    handle_msg      TEXT NOT NULL DEFAULT '',
    req_time        INTEGER NOT NULL,
    handle_user_id  TEXT NOT NULL DEFAULT '',
    handle_time     INTEGER NOT NULL DEFAULT 0,
    join_source     INTEGER NOT NULL DEFAULT 0,
    inviter_user_id TEXT NOT NULL DEFAULT '',
    ex              TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (group_id, user_id)
);
