-- Multipart uploads under way (OpenIM's `local_uploads`), so that an upload cut off by the
-- network, a failed send or a killed app goes on from its last part instead of starting over.
-- Keyed by OpenIM's part hash (the md5 of the parts' md5s, which the part size changes);
-- upload_info is the base64 of the bitmap of parts already on the server (part i is bit i % 64
-- of big-endian 64-bit word i / 64, as OpenIM's core writes it); expire_time is the server's
-- (milliseconds).
CREATE TABLE local_uploads (
    part_hash   TEXT PRIMARY KEY NOT NULL,
    upload_id   TEXT NOT NULL,
    upload_info TEXT NOT NULL DEFAULT '',
    expire_time INTEGER NOT NULL DEFAULT 0,
    create_time INTEGER NOT NULL DEFAULT 0
);
