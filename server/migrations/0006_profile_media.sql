-- Account deletion: a deleted account keeps its row as a tombstone (status 'deleted', personal data
-- purged) so its username stays held until deleted_at + users.username_grace_days; registration then
-- frees it by renaming the tombstone.
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
