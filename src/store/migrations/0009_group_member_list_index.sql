-- A group's members in list order (owner, admins, members; then by join time): a page of
-- get_group_member_list reads its rows from here instead of every member of the group. The
-- directions are those of the list query (`MEMBER_ORDER` in src/store/groups.rs); the mixed
-- DESC/ASC order cannot be read from local_group_members_by_role.
CREATE INDEX local_group_members_list ON local_group_members (group_id, role_level DESC, join_time, user_id);
