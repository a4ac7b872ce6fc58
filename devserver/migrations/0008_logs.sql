-- Log files clients uploaded (OpenIM's `log` collection), newest first for the admin's search.
CREATE TABLE logs (
    log_id        TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL,
    platform      TEXT NOT NULL,
    create_time   INTEGER NOT NULL,
    url           TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    app_framework TEXT NOT NULL,
    version       TEXT NOT NULL,
    ex            TEXT NOT NULL
);
CREATE INDEX logs_create_time ON logs (create_time DESC);
