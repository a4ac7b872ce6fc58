-- The server's mention mark of each conversation (its record's groupAtType) as this device last
-- synced it. A sync that finds it changed takes it — another device cleared the mark, or the
-- server set one —; the same value again leaves this device's own mark (set by messages that
-- arrived before the server marked them, cleared when read here).
ALTER TABLE local_conversations ADD COLUMN server_group_at_type INTEGER NOT NULL DEFAULT 0;
