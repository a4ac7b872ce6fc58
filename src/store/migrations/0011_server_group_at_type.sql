-- The mention mark (groupAtType) this device expects the conversation's server record to hold:
-- the record as last synced, or the mark that a mention arriving here makes the server set. A
-- sync that finds the record different takes it (a clear made on another device, or a mark not
-- seen here); the expected value leaves this device's own mark as it is (cleared when read here).
ALTER TABLE local_conversations ADD COLUMN server_group_at_type INTEGER NOT NULL DEFAULT 0;
