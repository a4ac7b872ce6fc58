-- Client settings an app manager set (OpenIM's `config` collection): `user_id` '' holds
-- everyone's, a user's own entries override those.
CREATE TABLE client_config (
    key     TEXT NOT NULL,
    user_id TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
