-- A user's read caps (seq_user rows with max_seq set: members who left a group), read at every
-- login's max-seq request: by user instead of a scan of every (conversation, user) row.
CREATE INDEX seq_user_caps ON seq_user (user_id) WHERE max_seq > 0;
