-- The groups the user is in (OpenIM: local_groups), kept by the versioned sync of the joined
-- groups.
CREATE TABLE local_groups (
    group_id                 TEXT PRIMARY KEY NOT NULL,
    name                     TEXT NOT NULL DEFAULT '',
    notification             TEXT NOT NULL DEFAULT '',
    introduction             TEXT NOT NULL DEFAULT '',
    face_url                 TEXT NOT NULL DEFAULT '',
    create_time              INTEGER NOT NULL DEFAULT 0,
    status                   INTEGER NOT NULL DEFAULT 0,
    creator_user_id          TEXT NOT NULL DEFAULT '',
    group_type               INTEGER NOT NULL DEFAULT 2,
    owner_user_id            TEXT NOT NULL DEFAULT '',
    member_count             INTEGER NOT NULL DEFAULT 0,
    ex                       TEXT NOT NULL DEFAULT '',
    attached_info            TEXT NOT NULL DEFAULT '',
    need_verification        INTEGER NOT NULL DEFAULT 0,
    look_member_info         INTEGER NOT NULL DEFAULT 0,
    apply_member_friend      INTEGER NOT NULL DEFAULT 0,
    notification_update_time INTEGER NOT NULL DEFAULT 0,
    notification_user_id     TEXT NOT NULL DEFAULT ''
);

-- Their members (OpenIM: local_group_members), kept by a versioned sync per group.
CREATE TABLE local_group_members (
    group_id         TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    nickname         TEXT NOT NULL DEFAULT '',
    face_url         TEXT NOT NULL DEFAULT '',
    role_level       INTEGER NOT NULL DEFAULT 20,
    join_time        INTEGER NOT NULL DEFAULT 0,
    join_source      INTEGER NOT NULL DEFAULT 0,
    inviter_user_id  TEXT NOT NULL DEFAULT '',
    mute_end_time    INTEGER NOT NULL DEFAULT 0,
    operator_user_id TEXT NOT NULL DEFAULT '',
    ex               TEXT NOT NULL DEFAULT '',
    attached_info    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX local_group_members_by_role ON local_group_members (group_id, role_level, join_time);
